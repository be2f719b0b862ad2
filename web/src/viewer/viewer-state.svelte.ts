/**
 * @module What the map shows and how it is handled, shared by the map, its toolbar and the panels: view
 * mode and camera, hidden classes, selection, hover, the clicked point and its ringed neighbours, the
 * pointer tool, class names and auto-rotation.
 */
import { CAMERA_DEFAULT, type Camera, type ViewMode } from './camera.ts'
import type { ScatterRenderer } from './scatter-renderer.ts'

export type Tool = 'pan' | 'lasso'

export class ViewerState {
  mode = $state<ViewMode>('2d')
  camera = $state.raw<Camera>({ ...CAMERA_DEFAULT })
  hidden = $state.raw<ReadonlySet<number>>(new Set())
  selection = $state.raw<Uint32Array>(new Uint32Array(0) as Uint32Array)
  /** Point under the pointer, -1 for none. */
  hover = $state(-1)
  /** The point clicked last (its details and map neighbours are shown), -1 for none. */
  focused = $state(-1)
  /** The clicked point's listed neighbours, ringed on the map. */
  neighbourHighlight = $state.raw<Uint32Array>(new Uint32Array(0) as Uint32Array)
  tool = $state<Tool>('pan')
  showNames = $state(true)
  autoRotate = $state(true)
  /** The renderer, once the map is mounted (not reactive). */
  renderer: ScatterRenderer | null = null

  toggleClass(code: number): void {
    const next = new Set(this.hidden)
    if (next.has(code)) next.delete(code)
    else next.add(code)
    this.hidden = next
  }

  /** Shows only `code`, or everything again when it is already the only one shown. */
  soloClass(code: number, classCount: number): void {
    const onlyThis = this.hidden.size === classCount - 1 && !this.hidden.has(code)
    this.hidden = onlyThis ? new Set() : new Set(Array.from({ length: classCount }, (_, c) => c).filter((c) => c !== code))
  }

  showAll(): void {
    this.hidden = new Set()
  }

  clearSelection(): void {
    this.selection = new Uint32Array(0) as Uint32Array
    this.focused = -1
  }
}
