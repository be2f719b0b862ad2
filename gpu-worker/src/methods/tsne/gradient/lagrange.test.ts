import { describe, expect, it } from 'vitest'
import { lagrangeDenominators, lagrangeWeights } from './lagrange.ts'

describe('lagrangeWeights', () => {
  for (const p of [2, 3, 4]) {
    it(`interpolates polynomials of degree < ${p} exactly on ${p} nodes (the closed form for 3 included)`, () => {
      const denominators = lagrangeDenominators(p)
      const weights = new Float64Array(p)
      const nodes = Array.from({ length: p }, (_, k) => (k + 0.5) / p)
      for (const t of [0, 0.1, 1 / 6, 0.37, 0.5, 0.83, 1]) {
        lagrangeWeights(t, p, denominators, weights)
        for (let degree = 0; degree < p; degree++) {
          const interpolated = nodes.reduce((sum, node, k) => sum + weights[k]! * node ** degree, 0)
          expect(interpolated).toBeCloseTo(t ** degree, 13)
        }
        // at a node, the weight is 1 there and 0 elsewhere
        const at = nodes.findIndex((node) => Math.abs(node - t) < 1e-15)
        if (at >= 0) expect(Array.from(weights, (w) => Math.round(w * 1e12) / 1e12 + 0)).toEqual(nodes.map((_, k) => (k === at ? 1 : 0)))
      }
    })
  }
})
