/**
 * @module `window.__constellate`: what the browser tests read about the main map (renderer kind, size,
 * mode, camera, selection) and where its points are on screen, as last drawn.
 */
import type { ScatterRenderer } from './scatter-renderer.ts'
import type { ViewerState } from './viewer-state.svelte.ts'

export function installTestHook(renderer: ScatterRenderer, view: ViewerState): void {
  const hook = {
    get renderer() {
      return renderer.kind
    },
    get n() {
      return renderer.n
    },
    get dims() {
      return renderer.dims
    },
    get mode() {
      return renderer.mode
    },
    get camera() {
      return renderer.camera
    },
    get selection() {
      return Array.from(view.selection)
    },
    /** CSS-pixel position of point i relative to the canvas' top left, as last drawn. */
    project(i: number): [number, number] {
      const screen = renderer.screenPositions()
      return [screen[i * 2]!, screen[i * 2 + 1]!]
    },
    /** CSS-pixel positions of all points, as last drawn. */
    positions(): number[] {
      return Array.from(renderer.screenPositions())
    },
    visible(i: number): boolean {
      return renderer.isVisible(i)
    },
    draw(): void {
      renderer.draw()
    },
  }
  ;(window as unknown as { __constellate?: typeof hook }).__constellate = hook
}
