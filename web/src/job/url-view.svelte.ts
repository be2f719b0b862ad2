/**
 * @module The job page's view and the URL hash: the view the link carries is applied when the page opens
 * (2-D/3-D, camera, colouring, hidden classes, search; the selection once the map's size is known; a 3-D
 * job opens in 3-D unless the link says otherwise), and the hash follows the view (debounced), so a copied
 * link reopens the same view. The text format is view-hash.ts.
 */
import type { ViewerState } from '../viewer/viewer-state.svelte.ts'
import type { JobSession } from './job-session.svelte.ts'
import type { JobView } from './job-view.svelte.ts'
import { selectionOf, viewHash, type ViewState } from './view-hash.ts'

/** Quiet time before the hash is rewritten, ms (dragging the map changes the camera many times a second). */
const HASH_DELAY_MS = 400

/** Applies `initial` (parsed from the hash) and keeps the hash in step. Call while a component initialises. */
export function syncViewWithUrl(initial: ViewState, session: JobSession, view: ViewerState, jobView: JobView): void {
  if (initial.mode) view.mode = initial.mode
  if (initial.camera) view.camera = initial.camera
  if (initial.colorBy) jobView.colorBy = initial.colorBy
  if (initial.hidden) view.hidden = new Set(initial.hidden)
  if (initial.search) jobView.search = initial.search

  let modeChosen = initial.mode !== undefined
  $effect(() => {
    const frame = session.frame
    if (modeChosen || !frame) return
    modeChosen = true
    if (frame.dims === 3) view.mode = '3d'
  })

  let selectionRestored = false
  $effect(() => {
    const frame = session.frame
    if (selectionRestored || !frame) return
    selectionRestored = true
    view.selection = selectionOf(initial, frame.n)
  })

  let timer: ReturnType<typeof setTimeout> | null = null
  $effect(() => {
    const replay = session.replay
    const snapshot = {
      mode: view.mode,
      camera: view.camera,
      colorBy: jobView.colorBy,
      hidden: view.hidden,
      selection: view.selection,
      search: jobView.search,
      frame: replay && !replay.atEnd && session.layerIndex === 0 ? replay.position : null,
      is3dJob: session.frame?.dims === 3,
      layer: session.layerIndex,
      compare: session.layers.compare,
    }
    if (!session.frame) return
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => {
      const camera = view.renderer?.camera ?? snapshot.camera
      const hash = viewHash({ ...snapshot, camera })
      const url = window.location.pathname + window.location.search + hash
      if (url !== window.location.pathname + window.location.search + window.location.hash) history.replaceState(history.state, '', url)
    }, HASH_DELAY_MS)
  })
}
