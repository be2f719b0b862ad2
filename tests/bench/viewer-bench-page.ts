/**
 * @module In-browser half of the viewer benchmark: synthetic clustered embeddings drawn by the real
 * ScatterRenderer (WebGL2 or the software fallback); times to the first frame and per frame.
 */
import type { Frame } from '@constellate/shared'
import { categoricalPalette } from '../../web/src/viewer/palette.ts'
import { ScatterRenderer, type RendererKind } from '../../web/src/viewer/scatter-renderer.ts'
import { seededRandom } from '../src/seeded-random.ts'

function clustered(n: number, dims: 2 | 3, classes: number, spread: number, seed: number): { coords: Float32Array; codes: Int32Array } {
  const random = seededRandom(seed)
  const coords = new Float32Array(n * dims)
  const codes = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const c = i % classes
    codes[i] = c
    const angle = (2 * Math.PI * c) / classes
    const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random())
    coords[i * dims] = Math.cos(angle) * 30 + gauss() * spread
    coords[i * dims + 1] = Math.sin(angle) * 30 + gauss() * spread
    if (dims === 3) coords[i * dims + 2] = Math.sin(angle * 3) * 10 + gauss() * spread
  }
  return { coords, codes }
}

export interface BenchResult {
  n: number
  dims: number
  renderer: string
  firstFrameMs: number
  animatedFrameMs: number
  staticFrameMs: number
  newFrameMs: number
}

/** Forces the drawing to finish by reading one pixel back from the visible canvas. */
function sync(canvas: HTMLCanvasElement): void {
  canvas.getContext('2d')!.getImageData(0, 0, 1, 1)
}

async function run(n: number, dims: 2 | 3, kind: RendererKind, frames = 20): Promise<BenchResult> {
  const canvas = document.createElement('canvas')
  canvas.style.cssText = 'width:1280px;height:720px;display:block'
  document.body.replaceChildren(canvas)
  const classes = 20
  const a = clustered(n, dims, classes, 6, 1)
  const b = clustered(n, dims, classes, 3, 1)
  const frameA: Frame = { iteration: 100, dims, n, kl: 2, coords: a.coords }
  const frameB: Frame = { iteration: 125, dims, n, kl: 1.8, coords: b.coords }
  await new Promise((resolve) => requestAnimationFrame(resolve))

  const start = performance.now()
  const renderer = new ScatterRenderer(canvas, kind)
  renderer.resize(1280, 720, 1)
  renderer.setFrame(frameA, start)
  renderer.setStyle({ codes: a.codes, palette: categoricalPalette(classes), hidden: new Set(), fadeOthers: false })
  renderer.autoRotate = false
  renderer.draw()
  sync(canvas)
  const firstFrameMs = performance.now() - start

  // A new frame arriving: CPU blend of what is shown, uploads, extent.
  let t0 = performance.now()
  renderer.setFrame(frameB, t0, 10_000)
  const newFrameMs = performance.now() - t0

  // Animated frames: the transition in progress, a new blend each tick.
  t0 = performance.now()
  for (let k = 1; k <= frames; k++) {
    renderer.tick(t0 + (k * 10_000) / (frames + 1))
    sync(canvas)
  }
  const animatedFrameMs = (performance.now() - t0) / frames

  // Static frames: pan/zoom/orbit of a settled map.
  renderer.tick(t0 + 20_000)
  t0 = performance.now()
  for (let k = 0; k < frames; k++) {
    if (dims === 3) renderer.drag(3, 0)
    else renderer.zoom(1.01)
    renderer.draw()
    sync(canvas)
  }
  const staticFrameMs = (performance.now() - t0) / frames
  const result = { n, dims, renderer: renderer.kind, firstFrameMs, animatedFrameMs, staticFrameMs, newFrameMs }
  renderer.dispose()
  return result
}

/** Which renderer the viewer picks by itself in this browser. */
function autoChoice(): string {
  const renderer = new ScatterRenderer(document.createElement('canvas'), 'auto')
  const kind = renderer.kind
  renderer.dispose()
  return kind
}

Object.assign(window, { bench: run, autoChoice })
