/**
 * @module The run as an animation: every stored frame (and the final map), with blended in-between
 * frames, drawn by the software rasteriser at a chosen size, encoded as an animated GIF or recorded to
 * WebM through MediaRecorder on a canvas stream.
 */
import type { Frame } from '@constellate/shared'
import { projection, type Camera, type ViewMode } from '../../viewer/camera.ts'
import { lerpCoords } from '../../viewer/interpolate.ts'
import { SoftPoints } from '../../viewer/render/soft-points.ts'
import { mapExtent, MAP_MARGIN } from '../../viewer/scatter-renderer.ts'
import { encodeGif, indexPixels } from './gif.ts'

export interface AnimationInput {
  frames: AsyncIterable<Frame>
  width: number
  height: number
  mode: ViewMode
  camera: Camera
  /** RGBA per point as on screen. */
  colors: Uint8Array
  /** Point diameter at this size, pixels. */
  diameter: number
  /** Blended frames between two stored frames. */
  between: number
  onProgress?: (done: number) => void
  signal?: AbortSignal
}

/** Calls `draw` with a canvas holding each animation frame in turn. */
async function eachImage(input: AnimationInput, draw: (canvas: HTMLCanvasElement) => Promise<void> | void): Promise<number> {
  const canvas = document.createElement('canvas')
  const points = new SoftPoints(canvas)
  points.resize(input.width, input.height)
  let previous: Frame | null = null
  let count = 0
  const show = async (coords: Float32Array, frame: Frame) => {
    points.setPositions(coords, coords, frame.n, frame.dims)
    points.setColors(input.colors)
    const extent = mapExtent(coords, frame.n, frame.dims)
    const margin = MAP_MARGIN + input.diameter / 2
    const p = projection(extent, frame.dims === 3 ? input.mode : '2d', input.camera, input.width, input.height, margin)
    points.draw(p, { t: 1, size: input.diameter })
    await draw(canvas)
    input.onProgress?.(++count)
  }
  for await (const frame of input.frames) {
    if (input.signal?.aborted) throw new DOMException('Export cancelled', 'AbortError')
    if (input.colors.length !== frame.n * 4) continue
    if (previous && previous.n === frame.n && previous.dims === frame.dims) {
      const blended = new Float32Array(frame.coords.length)
      for (let k = 1; k <= input.between; k++) {
        await show(lerpCoords(previous.coords, frame.coords, k / (input.between + 1), blended), frame)
      }
    }
    await show(frame.coords, frame)
    previous = frame
  }
  points.dispose()
  return count
}

/** The animation as GIF bytes; `delayMs` per image, the last one held for a second. */
export async function animationGif(input: AnimationInput, delayMs: number): Promise<Uint8Array> {
  const palette: [number, number, number][] = [[255, 255, 255]]
  const lookup = new Map<number, number>([[0xffffff, 0]])
  const images: Uint8Array[] = []
  await eachImage(input, (canvas) => {
    const data = canvas.getContext('2d')!.getImageData(0, 0, input.width, input.height).data
    images.push(indexPixels(data, palette, lookup))
  })
  // Hold the final map: repeat it for about a second.
  const last = images[images.length - 1]
  if (last) for (let k = 0; k < Math.round(1000 / delayMs); k++) images.push(last)
  return encodeGif(images, input.width, input.height, palette, delayMs)
}

/** Whether this browser can record a canvas to WebM. */
export function canRecordWebm(): boolean {
  return typeof MediaRecorder !== 'undefined' && typeof HTMLCanvasElement.prototype.captureStream === 'function' && MediaRecorder.isTypeSupported?.('video/webm')
}

/** The animation recorded in real time to WebM (VP9 or VP8) at `fps`. */
export async function animationWebm(input: AnimationInput, fps: number): Promise<Blob> {
  const target = document.createElement('canvas')
  target.width = input.width
  target.height = input.height
  const context = target.getContext('2d')!
  context.fillStyle = '#fff'
  context.fillRect(0, 0, input.width, input.height)
  const stream = target.captureStream(fps)
  const type = ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm'].find((t) => MediaRecorder.isTypeSupported(t)) ?? 'video/webm'
  const recorder = new MediaRecorder(stream, { mimeType: type, videoBitsPerSecond: 4_000_000 })
  const chunks: Blob[] = []
  recorder.ondataavailable = (event) => {
    if (event.data.size > 0) chunks.push(event.data)
  }
  const stopped = new Promise<void>((resolve) => (recorder.onstop = () => resolve()))
  recorder.start(250)
  const step = 1000 / fps
  let next = performance.now()
  await eachImage(input, async (canvas) => {
    context.drawImage(canvas, 0, 0)
    next += step
    const wait = next - performance.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
  })
  await new Promise((resolve) => setTimeout(resolve, 1000))
  recorder.stop()
  await stopped
  stream.getTracks().forEach((track) => track.stop())
  return new Blob(chunks, { type: 'video/webm' })
}
