import { describe, expect, it } from 'vitest'
import { SeededRandom } from '../compute/random.ts'
import { symmetricEigen } from './linalg.ts'

/** A random symmetric m x m matrix with a spread of eigenvalue magnitudes (B B^T plus a diagonal). */
function randomSymmetric(m: number, seed: number): Float64Array {
  const random = new SeededRandom(seed)
  const b = Float64Array.from({ length: m * m }, () => random.normal())
  const a = new Float64Array(m * m)
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < m; c++) {
      let sum = 0
      for (let k = 0; k < m; k++) sum += b[r * m + k]! * b[c * m + k]! * 10 ** (-k / 8)
      a[r * m + c] = sum
    }
  }
  for (let r = 0; r < m; r++) a[r * m + r]! -= r % 3
  return a
}

/** max |A V - V diag(values)| / max |A| and max |V^T V - I|. */
function residuals(a: Float64Array, m: number, values: Float64Array, vectors: Float64Array) {
  let scale = 0
  for (const x of a) scale = Math.max(scale, Math.abs(x))
  let eigen = 0
  let orthogonality = 0
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < m; c++) {
      let av = 0
      let vv = 0
      for (let k = 0; k < m; k++) {
        av += a[r * m + k]! * vectors[k * m + c]!
        vv += vectors[k * m + r]! * vectors[k * m + c]!
      }
      eigen = Math.max(eigen, Math.abs(av - vectors[r * m + c]! * values[c]!) / scale)
      orthogonality = Math.max(orthogonality, Math.abs(vv - (r === c ? 1 : 0)))
    }
  }
  return { eigen, orthogonality }
}

describe('symmetricEigen', () => {
  for (const m of [1, 2, 7, 60, 150]) {
    it(`decomposes a random symmetric ${m} x ${m} matrix: A V = V L, V orthonormal, values descending`, () => {
      const a = randomSymmetric(m, m)
      const copy = Float64Array.from(a)
      const { values, vectors } = symmetricEigen(a, m)
      expect(a).toEqual(copy)
      const { eigen, orthogonality } = residuals(a, m, values, vectors)
      expect(eigen).toBeLessThan(1e-12)
      expect(orthogonality).toBeLessThan(1e-12)
      for (let i = 1; i < m; i++) expect(values[i]!).toBeLessThanOrEqual(values[i - 1]!)
      let trace = 0
      let sum = 0
      for (let i = 0; i < m; i++) {
        trace += a[i * m + i]!
        sum += values[i]!
      }
      expect(Math.abs(trace - sum)).toBeLessThan(1e-10 * Math.max(1, Math.abs(trace)))
    })
  }

  it('handles repeated eigenvalues, a zero matrix and a diagonal one', () => {
    const m = 5
    const identity = new Float64Array(m * m)
    for (let i = 0; i < m; i++) identity[i * m + i] = 3
    const repeated = symmetricEigen(identity, m)
    expect(Array.from(repeated.values)).toEqual([3, 3, 3, 3, 3])
    expect(residuals(identity, m, repeated.values, repeated.vectors).orthogonality).toBeLessThan(1e-14)
    const zero = symmetricEigen(new Float64Array(m * m), m)
    expect(Array.from(zero.values)).toEqual([0, 0, 0, 0, 0])
    const diagonal = new Float64Array(m * m)
    ;[2, -1, 5, 0, 4].forEach((x, i) => (diagonal[i * m + i] = x))
    const sorted = symmetricEigen(diagonal, m)
    expect(Array.from(sorted.values)).toEqual([5, 4, 2, 0, -1])
    expect(Math.abs(sorted.vectors[2 * m + 0]!)).toBe(1)
  })
})
