import { describe, expect, it } from 'vitest'
import { SeededRandom } from '../compute/random.ts'
import { computeQuality } from './index.ts'
import { labelSilhouette } from './silhouette.ts'
import { neighbourhoodScores } from './trustworthiness.ts'

/** Brute-force trustworthiness over all points, as scikit-learn defines it. */
function referenceTrustworthiness(high: Float32Array, d: number, low: Float32Array, dims: number, n: number, k: number): number {
  const dist = (a: Float32Array, w: number, i: number, j: number) => {
    let s = 0
    for (let t = 0; t < w; t++) s += (a[i * w + t]! - a[j * w + t]!) ** 2
    return s
  }
  let penalty = 0
  for (let i = 0; i < n; i++) {
    const others = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i)
    const byHigh = [...others].sort((a, b) => dist(high, d, i, a) - dist(high, d, i, b) || a - b)
    const rank = new Map(byHigh.map((j, r) => [j, r + 1]))
    const byLow = [...others].sort((a, b) => dist(low, dims, i, a) - dist(low, dims, i, b) || a - b).slice(0, k)
    for (const j of byLow) penalty += Math.max(0, rank.get(j)! - k)
  }
  return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * penalty
}

function blobs(n: number, d: number, seed: number, spread = 1): { points: Float32Array; labels: Int32Array } {
  const random = new SeededRandom(seed)
  const centres = Array.from({ length: 5 * d }, () => random.normal() * 10)
  const points = new Float32Array(n * d)
  const labels = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    labels[i] = i % 5
    for (let t = 0; t < d; t++) points[i * d + t] = centres[(i % 5) * d + t]! + random.normal() * spread
  }
  return { points, labels }
}

describe('quality on a sample', () => {
  it('trustworthiness matches the brute-force definition when every point is sampled', async () => {
    const n = 300
    const { points } = blobs(n, 8, 1, 4)
    const random = new SeededRandom(2)
    // a noisy 2-D view of the data: first two coordinates plus noise
    const map = new Float32Array(n * 2).map((_, t) => points[Math.floor(t / 2) * 8 + (t % 2)]! + random.normal() * 2)
    const all = Int32Array.from({ length: n }, (_, i) => i)
    const scores = await neighbourhoodScores(points, 8, map, 2, n, all, 7)
    // float32 distance products may swap near-ties: agreement to 1e-3
    expect(Math.abs(scores.trustworthiness - referenceTrustworthiness(points, 8, map, 2, n, 7))).toBeLessThan(1e-3)
    expect(scores.trustworthiness).toBeGreaterThan(0.5)
    expect(scores.trustworthiness).toBeLessThan(0.99)
  })

  it('a map that is the data itself scores trustworthiness and recall 1; a shuffled map about 0.5', async () => {
    const n = 800
    const { points } = blobs(n, 2, 3)
    const rows = Int32Array.from({ length: 200 }, (_, i) => i * 4)
    const same = await neighbourhoodScores(points, 2, points, 2, n, rows, 10)
    expect(same.trustworthiness).toBeGreaterThan(0.999)
    expect(same.recall).toBeGreaterThan(0.98)
    const random = new SeededRandom(4)
    const shuffled = new Float32Array(n * 2).map(() => random.normal())
    const bad = await neighbourhoodScores(points, 2, shuffled, 2, n, rows, 10)
    expect(bad.trustworthiness).toBeGreaterThan(0.4)
    expect(bad.trustworthiness).toBeLessThan(0.6)
    expect(bad.recall).toBeLessThan(0.05)
  })

  it('silhouette is near 1 for separated labels, near 0 for random labels, and matches the definition', () => {
    const n = 500
    const { points, labels } = blobs(n, 2, 5, 0.5)
    const all = Int32Array.from({ length: n }, (_, i) => i)
    const separated = labelSilhouette(points, n, 2, labels, all)
    expect(separated.overall).toBeGreaterThan(0.75)
    expect([...separated.perLabel.keys()]).toEqual([0, 1, 2, 3, 4])
    const random = new SeededRandom(6)
    const noise = Int32Array.from({ length: n }, () => random.nextInt(5))
    expect(Math.abs(labelSilhouette(points, n, 2, noise, all).overall)).toBeLessThan(0.1)
    // point 0 by hand
    const d = (i: number, j: number) => Math.hypot(points[2 * i]! - points[2 * j]!, points[2 * i + 1]! - points[2 * j + 1]!)
    const mean = (label: number, exclude: boolean) => {
      const members = all.filter((j) => labels[j] === label && !(exclude && j === 0))
      return members.reduce((s, j) => s + d(0, j), 0) / members.length
    }
    const a = mean(labels[0]!, true)
    const b = Math.min(...[1, 2, 3, 4].map((l) => mean(l, false)))
    const single = labelSilhouette(points, n, 2, labels, Int32Array.of(0))
    expect(single.overall).toBeCloseTo((b - a) / Math.max(a, b), 10)
  })

  it('computeQuality reports every number at 70,000 points from samples of 500', async () => {
    const n = 70_000
    const { points, labels } = blobs(n, 50, 7, 3)
    const map = new Float32Array(n * 2)
    for (let i = 0; i < n; i++) {
      map[2 * i] = points[i * 50]!
      map[2 * i + 1] = points[i * 50 + 1]!
    }
    const report = await computeQuality(map, n, 2, { labels, highDim: { points, d: 50 } })
    // no wall-time assertion: the test machine is shared; the benchmark reports qualitySeconds
    expect(report.seconds).toBeGreaterThan(0)
    expect(report.trustworthiness).toBeGreaterThan(0.5)
    expect(report.knnLabelAccuracy).toBeGreaterThan(0.5)
    expect(Object.keys(report.silhouettePerLabel!)).toEqual(['0', '1', '2', '3', '4'])
    expect(report.neighbourhoodSampled).toBe(500)
    expect(report.labelSampled).toBeGreaterThanOrEqual(500)
  }, 30_000)
})
