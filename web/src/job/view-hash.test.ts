import { describe, expect, it } from 'vitest'
import { CAMERA_DEFAULT } from '../viewer/camera.ts'
import { parseViewHash, selectionOf, viewHash } from './view-hash.ts'

describe('the view in the URL', () => {
  it('writes nothing for the default view', () => {
    expect(viewHash({ mode: '2d', camera: CAMERA_DEFAULT, colorBy: 'label', hidden: [], selection: [], search: '', frame: null, is3dJob: false })).toBe('')
  })

  it('round-trips camera, colouring, hidden classes, selection, search and frame', () => {
    const hash = viewHash({
      mode: '3d',
      camera: { x: 0.1, y: -0.2, zoom: 3, yaw: 1, pitch: 0.2 },
      colorBy: 'agreement',
      hidden: new Set([4, 1]),
      selection: Uint32Array.of(3, 4, 5, 90),
      search: 'cat & dog',
      frame: 7,
      is3dJob: true,
    })
    const state = parseViewHash(hash)
    expect(state).toMatchObject({ mode: '3d', camera: { x: 0.1, y: -0.2, zoom: 3, yaw: 1, pitch: 0.2 }, colorBy: 'agreement', hidden: [1, 4], search: 'cat & dog', frame: 7 })
    expect(Array.from(selectionOf(state, 100))).toEqual([3, 4, 5, 90])
  })

  it('keeps a model job\'s shown layer and side-by-side comparison', () => {
    const base = { mode: '2d' as const, camera: CAMERA_DEFAULT, colorBy: 'label' as const, hidden: [], selection: [], search: '', frame: null, is3dJob: false }
    expect(parseViewHash(viewHash({ ...base, layer: 2, compare: true }))).toEqual({ layer: 2, compare: true })
    expect(viewHash({ ...base, layer: 0, compare: false })).toBe('')
  })

  it('keeps colouring by a metadata column or the per-point quality', () => {
    const base = { mode: '2d' as const, camera: CAMERA_DEFAULT, hidden: [], selection: [], search: '', frame: null, is3dJob: false }
    expect(parseViewHash(viewHash({ ...base, colorBy: 'meta:model & branch' })).colorBy).toBe('meta:model & branch')
    expect(parseViewHash(viewHash({ ...base, colorBy: 'quality' })).colorBy).toBe('quality')
  })

  it('ignores malformed parts', () => {
    expect(parseViewHash('#view=4d&cam=a,b&color=rainbow&sel=%%%&frame=-1&layer=x&compare=yes')).toEqual({})
  })
})
