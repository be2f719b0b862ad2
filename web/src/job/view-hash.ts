/**
 * @module The view as URL hash text, so a copied link reopens the same view: camera, 2-D/3-D, colouring,
 * hidden classes, selection, search and replay position. `#view=3d&cam=0,0,2,0.6,0.35&color=label&hide=1.4
 * &sel=a~3.5&q=cat&frame=12`. Unknown or malformed parts are ignored, never fatal.
 */
import { cameraFromText, cameraToText, type Camera, type ViewMode } from '../viewer/camera.ts'
import { decodeIndices, encodeIndices } from '../viewer/selection.ts'
import type { ColorBy } from './colouring.ts'

export interface ViewState {
  mode?: ViewMode
  camera?: Camera
  colorBy?: ColorBy
  hidden?: number[]
  /** Selected point indices (sorted). Kept as text until N is known. */
  selection?: string
  search?: string
  /** Replay position (index of a stored frame). */
  frame?: number
  /** A model job's layer shown (index in its layer list; 0, the first, is left out). */
  layer?: number
  /** A model job's layers side by side. */
  compare?: boolean
}

/** Longest selection written into a URL, in characters; larger selections are left out of links. */
export const MAX_SELECTION_TEXT = 6000

export function parseViewHash(hash: string): ViewState {
  const params = new URLSearchParams(hash.replace(/^#/, ''))
  const state: ViewState = {}
  const mode = params.get('view')
  if (mode === '2d' || mode === '3d') state.mode = mode
  const camera = params.get('cam')
  if (camera) {
    const parsed = cameraFromText(camera)
    if (parsed) state.camera = parsed
  }
  const color = params.get('color')
  if (color === 'label' || color === 'none' || color === 'agreement' || color === 'quality') state.colorBy = color
  else if (color && /^meta:.{1,200}$/s.test(color)) state.colorBy = `meta:${color.slice(5)}`
  const hide = params.get('hide')
  if (hide) state.hidden = hide.split('.').map(Number).filter((v) => Number.isInteger(v) && v >= 0)
  const selection = params.get('sel')
  if (selection && /^[0-9a-z.~]+$/.test(selection)) state.selection = selection
  const search = params.get('q')
  if (search) state.search = search.slice(0, 200)
  const frame = params.get('frame')
  if (frame !== null && /^\d+$/.test(frame)) state.frame = Number(frame)
  const layer = params.get('layer')
  if (layer !== null && /^\d{1,2}$/.test(layer)) state.layer = Number(layer)
  if (params.get('compare') === '1') state.compare = true
  return state
}

/** Hash text (with `#`, or '' when everything is default) for a view. */
export function viewHash(state: {
  mode: ViewMode
  camera: Camera
  colorBy: ColorBy
  hidden: Iterable<number>
  selection: ArrayLike<number>
  search: string
  frame: number | null
  is3dJob: boolean
  layer?: number
  compare?: boolean
}): string {
  const params = new URLSearchParams()
  if (state.is3dJob) params.set('view', state.mode)
  const camera = cameraToText(state.camera)
  if (camera !== '0,0,1,0.6,0.35') params.set('cam', camera)
  if (state.colorBy !== 'label') params.set('color', state.colorBy)
  const hidden = [...state.hidden].sort((a, b) => a - b)
  if (hidden.length > 0) params.set('hide', hidden.join('.'))
  if (state.selection.length > 0) {
    const text = encodeIndices(state.selection)
    if (text.length <= MAX_SELECTION_TEXT) params.set('sel', text)
  }
  if (state.search.trim()) params.set('q', state.search.trim())
  if (state.frame !== null) params.set('frame', String(state.frame))
  if (state.layer) params.set('layer', String(state.layer))
  if (state.compare) params.set('compare', '1')
  const text = params.toString()
  return text ? `#${text}` : ''
}

/** The selection of a parsed view for a map of n points, or an empty one. */
export function selectionOf(state: ViewState, n: number): Uint32Array {
  return (state.selection && decodeIndices(state.selection, n)) || new Uint32Array(0)
}
