/**
 * @module What the pointer, the wheel and the keyboard do on the map: drag to pan (2-D) or orbit (3-D),
 * pinch and wheel to zoom, hover for the tooltip, click to select a point, lasso (tool or Shift+drag) to
 * select many (Shift/Ctrl/⌘ adds, Alt removes), arrows, +/−, 0, L and Escape. Picking goes through the
 * renderer's screen positions; the lasso, tooltip and screen-reader line are state the map draws.
 */
import type { ScatterRenderer } from './scatter-renderer.ts'
import { combineSelection, lassoSelect } from './selection.ts'
import type { ViewerState } from './viewer-state.svelte.ts'

/** Where the tooltip points: a point's index and its CSS-pixel position on the canvas. */
export interface TooltipAnchor {
  index: number
  x: number
  y: number
}

export interface GestureTarget {
  canvas: () => HTMLCanvasElement
  renderer: () => ScatterRenderer | null
  /** Whether a frame is drawn (nothing to pick or move before). */
  hasFrame: () => boolean
  view: ViewerState
  /** Asks for a redraw. */
  redraw: () => void
}

/** A drag that moved less than this (CSS px) is a click. */
const CLICK_SLOP_PX = 3

export class MapGestures {
  /** The lasso being drawn: x, y pairs in CSS pixels. */
  lasso = $state<number[] | null>(null)
  tooltip = $state<TooltipAnchor | null>(null)
  /** What just happened, for screen readers. */
  announce = $state('')
  readonly #target: GestureTarget
  #gesture: { id: number; x: number; y: number; startX: number; startY: number; moved: boolean; kind: 'drag' | 'lasso' } | null = null
  readonly #pointers = new Map<number, { x: number; y: number }>()
  #pinch: { distance: number } | null = null
  #hoverFrame = 0
  #lastPointer: { x: number; y: number } | null = null

  constructor(target: GestureTarget) {
    this.#target = target
  }

  #local(event: PointerEvent | WheelEvent | MouseEvent): { x: number; y: number } {
    const rect = this.#target.canvas().getBoundingClientRect()
    return { x: event.clientX - rect.left, y: event.clientY - rect.top }
  }

  #hitRadius(): number {
    return Math.max(6, (this.#target.renderer()?.pointDiameter() ?? 4) / (window.devicePixelRatio || 1))
  }

  /** Moves the tooltip with its point after the map was redrawn. */
  follow(renderer: ScatterRenderer): void {
    const tooltip = this.tooltip
    if (!tooltip || tooltip.index >= renderer.n) return
    const screen = renderer.screenPositions()
    const x = screen[tooltip.index * 2]!
    const y = screen[tooltip.index * 2 + 1]!
    if (x !== tooltip.x || y !== tooltip.y) this.tooltip = { ...tooltip, x, y }
  }

  onPointerDown = (event: PointerEvent): void => {
    const renderer = this.#target.renderer()
    if (!renderer || !this.#target.hasFrame()) return
    const canvas = this.#target.canvas()
    canvas.focus({ preventScroll: true })
    const { x, y } = this.#local(event)
    this.#pointers.set(event.pointerId, { x, y })
    if (this.#pointers.size === 2) {
      const [a, b] = [...this.#pointers.values()]
      this.#pinch = { distance: Math.hypot(a!.x - b!.x, a!.y - b!.y) }
      this.#gesture = null
      this.lasso = null
      return
    }
    const kind = this.#target.view.tool === 'lasso' || event.shiftKey ? 'lasso' : 'drag'
    this.#gesture = { id: event.pointerId, x, y, startX: x, startY: y, moved: false, kind }
    if (kind === 'lasso') this.lasso = [x, y]
    canvas.setPointerCapture(event.pointerId)
  }

  onPointerMove = (event: PointerEvent): void => {
    const renderer = this.#target.renderer()
    if (!renderer) return
    const { x, y } = this.#local(event)
    if (this.#pointers.has(event.pointerId)) this.#pointers.set(event.pointerId, { x, y })
    if (this.#pinch && this.#pointers.size === 2) {
      const [a, b] = [...this.#pointers.values()]
      const distance = Math.hypot(a!.x - b!.x, a!.y - b!.y)
      if (this.#pinch.distance > 0) renderer.zoom(distance / this.#pinch.distance, (a!.x + b!.x) / 2, (a!.y + b!.y) / 2)
      this.#pinch = { distance }
      this.#target.redraw()
      return
    }
    const gesture = this.#gesture
    if (gesture && gesture.id === event.pointerId) {
      if (Math.hypot(x - gesture.startX, y - gesture.startY) > CLICK_SLOP_PX) gesture.moved = true
      if (gesture.kind === 'lasso') {
        this.lasso = [...(this.lasso ?? []), x, y]
      } else if (gesture.moved) {
        renderer.drag(x - gesture.x, y - gesture.y)
        if (renderer.mode === '3d') this.#target.view.autoRotate = false
        this.#target.redraw()
      }
      gesture.x = x
      gesture.y = y
      return
    }
    this.#lastPointer = { x, y }
    if (!this.#hoverFrame) this.#hoverFrame = requestAnimationFrame(this.#updateHover)
  }

  #updateHover = (): void => {
    this.#hoverFrame = 0
    const renderer = this.#target.renderer()
    const pointer = this.#lastPointer
    if (!renderer || !pointer || !this.#target.hasFrame()) return
    const view = this.#target.view
    const index = renderer.pick(pointer.x, pointer.y, this.#hitRadius())
    if (index !== view.hover) view.hover = index
    if (index < 0) this.tooltip = null
    else {
      const screen = renderer.screenPositions()
      this.tooltip = { index, x: screen[index * 2]!, y: screen[index * 2 + 1]! }
    }
  }

  onPointerLeave = (): void => {
    this.#lastPointer = null
    if (!this.#gesture) {
      this.#target.view.hover = -1
      this.tooltip = null
    }
  }

  onPointerUp = (event: PointerEvent): void => {
    this.#pointers.delete(event.pointerId)
    if (this.#pointers.size < 2) this.#pinch = null
    const renderer = this.#target.renderer()
    const finished = this.#gesture
    if (!finished || finished.id !== event.pointerId || !renderer) return
    this.#gesture = null
    const view = this.#target.view
    const how = event.altKey ? 'remove' : event.shiftKey || event.metaKey || event.ctrlKey ? 'add' : 'replace'
    if (finished.kind === 'lasso') {
      const polygon = this.lasso ?? []
      this.lasso = null
      if (polygon.length >= 6) {
        const hits = lassoSelect(renderer.screenPositions(), renderer.n, polygon, (i) => renderer.isVisible(i))
        view.selection = combineSelection(view.selection, hits, how === 'replace' && event.shiftKey ? 'add' : how)
        view.focused = -1
        this.announce = `${view.selection.length.toLocaleString('en-US')} points selected`
      }
      return
    }
    if (!finished.moved) {
      const index = renderer.pick(finished.x, finished.y, this.#hitRadius())
      if (index >= 0) {
        view.focused = index
        view.selection = combineSelection(view.selection, Uint32Array.of(index), how)
        this.announce = `Point ${index} selected`
      } else if (how === 'replace') {
        view.clearSelection()
      }
    }
  }

  onWheel = (event: WheelEvent): void => {
    const renderer = this.#target.renderer()
    if (!renderer || !this.#target.hasFrame()) return
    event.preventDefault()
    const { x, y } = this.#local(event)
    const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY
    renderer.zoom(Math.exp(-delta * 0.0015), x, y)
    this.#target.redraw()
  }

  onKeyDown = (event: KeyboardEvent): void => {
    const renderer = this.#target.renderer()
    if (!renderer || !this.#target.hasFrame()) return
    const view = this.#target.view
    const step = event.shiftKey ? 60 : 20
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [step, 0],
      ArrowRight: [-step, 0],
      ArrowUp: [0, step],
      ArrowDown: [0, -step],
    }
    const move = moves[event.key]
    if (move) {
      event.preventDefault()
      // Arrows move the view the way the arrow points (the content moves the other way); in 3-D they orbit.
      if (renderer.mode === '3d') {
        renderer.drag(-move[0], -move[1])
        view.autoRotate = false
      } else renderer.drag(move[0], move[1])
    } else if (event.key === '+' || event.key === '=') renderer.zoom(1.25)
    else if (event.key === '-' || event.key === '_') renderer.zoom(0.8)
    else if (event.key === '0') renderer.resetView()
    else if (event.key === 'Escape') view.clearSelection()
    else if (event.key === 'l' || event.key === 'L') view.tool = view.tool === 'lasso' ? 'pan' : 'lasso'
    else return
    event.preventDefault()
    this.#target.redraw()
  }

  dispose(): void {
    cancelAnimationFrame(this.#hoverFrame)
    this.#hoverFrame = 0
  }
}
