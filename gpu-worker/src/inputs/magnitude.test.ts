import { afterAll, describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { closeEngine, embed } from '../engine.ts'
import { SeededRandom } from '../compute/random.ts'
import { computeMetrics } from '../metrics.ts'
import { checkFiniteResult } from '../result-check.ts'
import { combineFeatureScales, magnitudeScale, maxFiniteAbs, normaliseMagnitude, SAFE_MAX_ABS, SAFE_MIN_ABS } from './magnitude.ts'
import { loadFeatures } from './features.ts'
import { npyFile } from './npy-fixture.ts'

afterAll(() => closeEngine())

const digest = (a: Float32Array) => createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex')
const SMALL_MAP = { perplexity: 5, iterations: 80, earlyExaggerationIterations: 40, threads: 1, seed: 3 } as const

/** n x d values with three separated clusters, largest |value| in [1, 2): row-major, as float64. */
function clusters(n: number, d: number, seed: number): Float64Array {
  const random = new SeededRandom(seed)
  const values = new Float64Array(n * d)
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) values[i * d + j] = 0.1 * random.normal() + (j === i % 3 ? 1 : 0)
  const max = maxFiniteAbs(values)
  for (let t = 0; t < values.length; t++) values[t] = (values[t]! / max) * 1.5
  return values
}

describe('magnitudeScale', () => {
  it('leaves values inside the safe band alone and brings the rest into [1, 2) by a power of two', () => {
    for (const inside of [SAFE_MIN_ABS, 1e-3, 1, 255, SAFE_MAX_ABS, 0]) expect(magnitudeScale(inside)).toBe(1)
    for (const outside of [1e-300, 1e-30, 3e-7, 2e6, 1e19, 3.4e38, 1e300, Number.MAX_VALUE]) {
      const scale = magnitudeScale(outside)
      expect(Number.isInteger(Math.log2(scale))).toBe(true)
      expect(outside * scale).toBeGreaterThanOrEqual(1)
      expect(outside * scale).toBeLessThan(2)
    }
    // float64 subnormals: lifted as far as float64 allows, never to Infinity
    expect(Number.isFinite(5e-324 * magnitudeScale(5e-324))).toBe(true)
    expect(5e-324 * magnitudeScale(5e-324)).toBeGreaterThan(0)
  })

  it('ignores NaN and Infinity when measuring, so they stay for validateFeatures to name', () => {
    expect(maxFiniteAbs([NaN, -Infinity, 3, -7, Infinity])).toBe(7)
    const points = Float32Array.from([NaN, 1e30, Infinity, -2e30])
    const scale = normaliseMagnitude(points)
    expect(points[0]).toBeNaN()
    expect(points[2]).toBe(Infinity)
    expect(points[3]! / points[1]!).toBeCloseTo(-2, 6)
    expect(scale).toBe(2 ** -100)
  })

  it('puts several files on one common factor, keeping their relative sizes', () => {
    const huge = { points: Float32Array.from([1e19, -1e19]), scale: 1 }
    const plain = { points: Float32Array.from([1, 2]), scale: 1 }
    const common = combineFeatureScales([huge, plain])
    expect(common).toBe(2 ** -63)
    expect(huge.scale).toBe(common)
    expect(plain.scale).toBe(common)
    expect(huge.points[0]! / plain.points[0]!).toBeCloseTo(1e19, -13)
  })
})

describe('any finite input embeds to a finite map', () => {
  it('maps X and X x 2^k (float64 up to 1e300 and down to 1e-300, float32 up to 3.4e38) byte-identically', async () => {
    const n = 45
    const d = 6
    const base = clusters(n, d, 11)
    const reference = await embedFile(npyFile('<f8', [n, d], Array.from(base)), 'npy')
    for (const k of [-997, -300, -100, -60, -21, 21, 40, 63, 127, 300, 996]) {
      const scaled = Array.from(base, (v) => v * 2 ** k)
      const map = await embedFile(npyFile('<f8', [n, d], scaled), 'npy')
      expect(digest(map), `float64 x 2^${k}`).toBe(digest(reference))
    }
    // float32 values stay normal numbers down to 2^-126 (below that they lose bits on their own)
    for (const k of [-100, -60, 63, 100, 126]) {
      const scaled = Array.from(base, (v) => Math.fround(v) * 2 ** k)
      const map = await embedFile(npyFile('<f4', [n, d], scaled), 'npy')
      expect(digest(map), `float32 x 2^${k}`).toBe(digest(reference))
    }
  }, 60_000)

  it('gives a finite map, KL and metrics for random matrices of every magnitude, mixed rows included', async () => {
    const random = new SeededRandom(2024)
    const n = 40
    const d = 5
    for (let trial = 0; trial < 24; trial++) {
      const float32 = trial % 3 === 2
      // magnitudes 1e-30 .. 1e300 (float64) or up to 3.4e38 (float32), a few rows scaled apart from the rest
      const exponent = float32 ? -30 + random.next() * 68.5 : -30 + random.next() * 330
      const values = new Float64Array(n * d)
      for (let i = 0; i < n; i++) {
        const rowExponent = trial % 4 === 1 && i < 3 ? exponent + 20 * random.normal() : exponent
        for (let j = 0; j < d; j++) values[i * d + j] = random.normal() * 10 ** Math.min(rowExponent, float32 ? 38.5 : 307)
      }
      const data = float32 ? Array.from(values, (v) => Math.max(-3.4e38, Math.min(3.4e38, v))) : Array.from(values)
      const format = trial % 5 === 4 ? 'csv' : 'npy'
      const bytes = format === 'csv' ? csvFile(data, n, d) : npyFile(float32 ? '<f4' : '<f8', [n, d], data)
      const matrix = loadFeatures(bytes, format)
      combineFeatureScales([matrix])
      const result = await embed(matrix.points, n, d, SMALL_MAP)
      const metrics = await computeMetrics(result.embedding, n, 2, { classes: ['a', 'b'], codes: Int32Array.from({ length: n }, (_, i) => i % 2) }, { points: matrix.points, d })
      expect(() => checkFiniteResult(result, metrics), `trial ${trial}: 1e${exponent.toFixed(1)} ${float32 ? 'float32' : 'float64'} ${format}`).not.toThrow()
    }
  }, 120_000)
})

async function embedFile(bytes: Uint8Array, format: 'npy' | 'csv'): Promise<Float32Array> {
  const matrix = loadFeatures(bytes, format)
  combineFeatureScales([matrix])
  return (await embed(matrix.points, matrix.n, matrix.d, SMALL_MAP)).embedding
}

function csvFile(values: number[], n: number, d: number): Uint8Array {
  const lines = []
  for (let i = 0; i < n; i++) lines.push(values.slice(i * d, (i + 1) * d).map((v) => v.toExponential(17)).join(','))
  return new TextEncoder().encode(lines.join('\n') + '\n')
}
