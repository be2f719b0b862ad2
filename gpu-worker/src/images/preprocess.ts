/**
 * @module Image preprocessing for model input: resize (antialiased bilinear, as PIL and torchvision do),
 * grey or RGB, scale and mean/std normalisation, NCHW or NHWC layout; defaults read off the model's
 * input shape.
 */
import { ModelError } from '../inference/errors.ts'
import type { RgbaImage } from './decode.ts'

/** What a job may say about preprocessing; anything left out comes from the model input shape. */
export interface PreprocessRequest {
  /** Target [height, width], or one number for a square. */
  size?: number | [number, number]
  channels?: 1 | 3
  layout?: 'NCHW' | 'NHWC'
  /** Pixel values (0..255) are multiplied by this first. */
  scale?: number
  /** Per channel (or one for all), subtracted after scaling. */
  mean?: number[]
  /** Per channel (or one for all), divided by after subtracting the mean. */
  std?: number[]
}

export interface Preprocess {
  height: number
  width: number
  channels: 1 | 3
  layout: 'NCHW' | 'NHWC'
  scale: number
  mean: number[]
  std: number[]
  /** Shape of one sample as the model takes it (without batch). */
  sampleShape: number[]
}

export const PREPROCESS_DEFAULTS = { scale: 1 / 255, mean: [0], std: [1] }

type Dim = number | string | null

/**
 * Resolves the preprocessing for a model input of shape `input` (batch first): rank 4 as NCHW/NHWC,
 * rank 3 as [N, H, W] (grey), rank 2 as [N, H*W*C] (flattened in the layout's order).
 * @throws ModelError bad_preprocess when a needed value is neither given nor fixed in the model
 */
export function resolvePreprocess(request: PreprocessRequest, input: readonly Dim[]): Preprocess {
  const rank = input.length
  const num = (d: Dim | undefined): number | null => (typeof d === 'number' && d > 0 ? d : null)
  const bad = (why: string) => new ModelError('bad_preprocess', `${why} The model input has shape [${input.map((d) => d ?? '?').join(', ')}].`)
  if (rank < 2 || rank > 4) throw bad(`Images can feed a model whose input is [N, C, H, W], [N, H, W, C], [N, H, W] or [N, features]; this one has rank ${rank}.`)
  let layout = request.layout
  let channels = request.channels
  let height: number | null = null
  let width: number | null = null
  if (request.size !== undefined) [height, width] = typeof request.size === 'number' ? [request.size, request.size] : request.size
  if (rank === 4) {
    const first = num(input[1])
    const last = num(input[3])
    layout ??= first === 1 || first === 3 ? 'NCHW' : last === 1 || last === 3 ? 'NHWC' : 'NCHW'
    const [c, h, w] = layout === 'NCHW' ? [input[1], input[2], input[3]] : [input[3], input[1], input[2]]
    channels ??= num(c) === 1 ? 1 : 3
    height ??= num(h)
    width ??= num(w)
  } else if (rank === 3) {
    channels ??= 1
    layout ??= 'NCHW'
    height ??= num(input[1])
    width ??= num(input[2])
  } else {
    layout ??= 'NCHW'
    const features = num(input[1])
    if (features !== null && height === null) {
      const c = channels ?? (Number.isInteger(Math.sqrt(features)) ? 1 : 3)
      const side = Math.sqrt(features / c)
      if (Number.isInteger(side)) [height, width, channels] = [side, side, c]
    }
    channels ??= 1
  }
  if (height === null || width === null) throw bad('The image size cannot be read off the model; give model.preprocess.size as [height, width].')
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1 || height > 4096 || width > 4096) throw bad(`preprocess.size must be whole pixels between 1 and 4096; got ${height}x${width}.`)
  if (rank === 3 && channels !== 1) throw bad('A model input of rank 3 takes grey images; set preprocess.channels to 1 or export the model with a channel dimension.')
  const mean = request.mean ?? PREPROCESS_DEFAULTS.mean
  const std = request.std ?? PREPROCESS_DEFAULTS.std
  for (const [name, list] of [['mean', mean], ['std', std]] as const) {
    if (list.length !== 1 && list.length !== channels) throw bad(`preprocess.${name} needs 1 or ${channels} values (one per channel); got ${list.length}.`)
  }
  if (std.some((s) => !(s !== 0 && Number.isFinite(s)))) throw bad('preprocess.std values must be finite and non-zero.')
  const sampleShape = rank === 4 ? (layout === 'NCHW' ? [channels, height, width] : [height, width, channels]) : rank === 3 ? [height, width] : [channels * height * width]
  return { height, width, channels, layout, scale: request.scale ?? PREPROCESS_DEFAULTS.scale, mean, std, sampleShape }
}

interface Taps {
  starts: Int32Array
  counts: Int32Array
  /** counts[i] weights per output, at i * maxTaps. */
  weights: Float32Array
  maxTaps: number
}

/** Triangle-filter taps for resizing inSize -> outSize, widened when shrinking (antialiasing). */
function taps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize
  const support = Math.max(scale, 1)
  const maxTaps = Math.ceil(support) * 2 + 1
  const starts = new Int32Array(outSize)
  const counts = new Int32Array(outSize)
  const weights = new Float32Array(outSize * maxTaps)
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale
    const lo = Math.max(0, Math.floor(center - support))
    const hi = Math.min(inSize, Math.ceil(center + support))
    let total = 0
    let count = 0
    for (let j = lo; j < hi && count < maxTaps; j++) {
      const w = Math.max(0, 1 - Math.abs((j + 0.5 - center) / support))
      weights[i * maxTaps + count++] = w
      total += w
    }
    for (let k = 0; k < count; k++) weights[i * maxTaps + k]! /= total || 1
    starts[i] = lo
    counts[i] = count
  }
  return { starts, counts, weights, maxTaps }
}

/** Resizes RGB(A) to outH x outW, returning RGB float values 0..255 row-major [outH, outW, 3]. */
export function resizeRgb(image: RgbaImage, outH: number, outW: number): Float32Array {
  const { width, height, data } = image
  const h = taps(width, outW)
  const tmp = new Float32Array(height * outW * 3)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < outW; x++) {
      let r = 0
      let g = 0
      let b = 0
      for (let k = 0; k < h.counts[x]!; k++) {
        const w = h.weights[x * h.maxTaps + k]!
        const at = (y * width + h.starts[x]! + k) * 4
        r += data[at]! * w
        g += data[at + 1]! * w
        b += data[at + 2]! * w
      }
      const o = (y * outW + x) * 3
      tmp[o] = r
      tmp[o + 1] = g
      tmp[o + 2] = b
    }
  }
  const v = taps(height, outH)
  const out = new Float32Array(outH * outW * 3)
  for (let y = 0; y < outH; y++) {
    for (let k = 0; k < v.counts[y]!; k++) {
      const w = v.weights[y * v.maxTaps + k]!
      const row = (v.starts[y]! + k) * outW * 3
      for (let x = 0; x < outW * 3; x++) out[y * outW * 3 + x]! += tmp[row + x]! * w
    }
  }
  return out
}

/**
 * Writes one image as the model's input sample into out[offset, offset + product(sampleShape)).
 * Grey is ITU-R 601 luma (as PIL's convert("L")); alpha is ignored.
 */
export function imageToSample(image: RgbaImage, p: Preprocess, out: Float32Array, offset: number): void {
  const rgb = resizeRgb(image, p.height, p.width)
  const pixels = p.height * p.width
  const mean = (c: number) => p.mean[p.mean.length === 1 ? 0 : c]!
  const std = (c: number) => p.std[p.std.length === 1 ? 0 : c]!
  for (let i = 0; i < pixels; i++) {
    for (let c = 0; c < p.channels; c++) {
      const raw = p.channels === 1 ? rgb[i * 3]! * 0.299 + rgb[i * 3 + 1]! * 0.587 + rgb[i * 3 + 2]! * 0.114 : rgb[i * 3 + c]!
      const value = (raw * p.scale - mean(c)) / std(c)
      const at = p.layout === 'NCHW' ? c * pixels + i : i * p.channels + c
      out[offset + at] = value
    }
  }
}
