/**
 * @module quality/silhouette — silhouette of the labels in the embedding on a stratified sample:
 * for each sampled point, a = mean map distance to the other points of its label, b = the smallest
 * mean distance to the points of another label, s = (b - a) / max(a, b); reported per label (mean
 * over its sampled points) and overall. O(m n dims) for m sampled points.
 */
import { SeededRandom } from '../compute/random.ts'

export interface SilhouetteScores {
  /** Mean silhouette over the sampled points, in [-1, 1]. */
  overall: number
  /** Label code -> mean silhouette of its sampled points (labels with a single point are left out). */
  perLabel: Map<number, number>
  sampled: number
}

/**
 * Stratified seeded sample: about `count` points in total, proportional to label size, at least
 * `minimum` per label (or all of a smaller label). Ascending indices.
 */
export function stratifiedSample(labels: ArrayLike<number>, n: number, count: number, seed: number, minimum = 10): Int32Array {
  const members = new Map<number, number[]>()
  for (let i = 0; i < n; i++) {
    const label = labels[i]!
    let list = members.get(label)
    if (!list) members.set(label, (list = []))
    list.push(i)
  }
  const random = new SeededRandom(seed)
  const chosen: number[] = []
  for (const label of [...members.keys()].sort((a, b) => a - b)) {
    const list = members.get(label)!
    const take = Math.min(list.length, Math.max(minimum, Math.round((count * list.length) / n)))
    for (let t = 0; t < take; t++) {
      const j = t + random.nextInt(list.length - t)
      const swap = list[t]!
      list[t] = list[j]!
      list[j] = swap
      chosen.push(list[t]!)
    }
  }
  return Int32Array.from(chosen).sort()
}

/** Silhouette of `labels` in `embedding` (row-major n x dims), computed for the sampled rows. */
export function labelSilhouette(embedding: Float32Array | Float64Array, n: number, dims: number, labels: ArrayLike<number>, rows: Int32Array): SilhouetteScores {
  const codes = new Map<number, number>()
  const index = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    let c = codes.get(labels[i]!)
    if (c === undefined) codes.set(labels[i]!, (c = codes.size))
    index[i] = c
  }
  const count = new Float64Array(codes.size)
  for (let i = 0; i < n; i++) count[index[i]!]!++
  const sums = new Float64Array(codes.size)
  const perCode = new Float64Array(codes.size)
  const perCodeCount = new Int32Array(codes.size)
  let total = 0
  let used = 0
  for (const i of rows) {
    sums.fill(0)
    for (let j = 0; j < n; j++) {
      let dist = 0
      for (let c = 0; c < dims; c++) {
        const diff = embedding[i * dims + c]! - embedding[j * dims + c]!
        dist += diff * diff
      }
      sums[index[j]!]! += Math.sqrt(dist)
    }
    const own = index[i]!
    if (count[own]! < 2) continue
    const a = sums[own]! / (count[own]! - 1)
    let b = Infinity
    for (let c = 0; c < codes.size; c++) if (c !== own && count[c]! > 0) b = Math.min(b, sums[c]! / count[c]!)
    if (b === Infinity) continue
    const s = Math.max(a, b) > 0 ? (b - a) / Math.max(a, b) : 0
    perCode[own]! += s
    perCodeCount[own]!++
    total += s
    used++
  }
  const perLabel = new Map<number, number>()
  for (const [label, c] of [...codes.entries()].sort((x, y) => x[0] - y[0])) if (perCodeCount[c]! > 0) perLabel.set(label, perCode[c]! / perCodeCount[c]!)
  return { overall: used ? total / used : 0, perLabel, sampled: used }
}
