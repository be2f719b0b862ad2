import { describe, expect, it } from 'vitest'
import { SeededRandom } from '../../../compute/random.ts'
import { FFT3D_DEFAULTS, FFT_DEFAULTS } from './grid-plan.ts'
import { createParticles, geometryOf, kernelCurrent, planRepulsion, recordKernel } from './fft-particles.ts'

describe('the plan rank 0 writes for every rank', () => {
  for (const [dims, settings] of [
    [2, FFT_DEFAULTS],
    [3, FFT3D_DEFAULTS],
  ] as const) {
    it(`${dims}D: sorts the points by cell (x fastest), stable, with their coordinates and cell starts`, () => {
      const n = 3000
      const random = new SeededRandom(dims)
      const y = Float64Array.from({ length: n * dims }, () => random.normal() * 20)
      const bounds: number[] = []
      for (let c = 0; c < dims; c++) {
        const column = Array.from({ length: n }, (_, i) => y[i * dims + c]!)
        bounds.push(Math.min(...column), Math.max(...column))
      }
      const ws = createParticles(n, dims, settings)
      planRepulsion(y, n, 1, bounds, ws)
      const g = geometryOf(ws, 1, (L) => [L, L * L])
      expect(g.nodes).toBe(g.boxes * settings.interpolationPoints)
      expect(g.centreX).toBe(g.originX + (g.nodes * g.spacing) / 2)
      expect(g.cutoff).toBeGreaterThan(0)
      // every point sits in the cell whose range of sorted positions holds it; ties keep the point order
      const cellOf = (i: number) => {
        let cell = 0
        const origins = [g.originX, g.originY, g.originZ]
        for (let c = dims - 1; c >= 0; c--) cell = cell * g.nodes + Math.min(g.nodes - 1, Math.max(0, Math.floor((y[i * dims + c]! - origins[c]!) / g.spacing)))
        return cell
      }
      const seen = new Set<number>()
      for (let t = 0; t < n; t++) {
        const i = ws.order[t]!
        seen.add(i)
        for (let c = 0; c < dims; c++) expect(ws.sorted[t * dims + c]).toBe(y[i * dims + c])
        const cell = cellOf(i)
        expect(ws.cellStart[cell]!).toBeLessThanOrEqual(t)
        expect(ws.cellStart[cell + 1]!).toBeGreaterThan(t)
        if (t > 0 && cellOf(ws.order[t - 1]!) === cell) expect(ws.order[t - 1]!).toBeLessThan(i)
      }
      expect(seen.size).toBe(n)
    })
  }

  it('keys the kernel transform by grid size, spacing, dof and cut-off', () => {
    const ws = createParticles(10, 2, FFT_DEFAULTS)
    const y = Float64Array.from({ length: 20 }, (_, t) => t)
    planRepulsion(y, 10, 1, [0, 18, 1, 19], ws)
    const g = geometryOf(ws, 1, (L) => [L, L * L])
    expect(kernelCurrent(ws, g)).toBe(false)
    recordKernel(ws, g)
    expect(kernelCurrent(ws, g)).toBe(true)
    expect(kernelCurrent(ws, { ...g, dof: 0.5 })).toBe(false)
    expect(kernelCurrent(ws, { ...g, spacing: g.spacing * 2 })).toBe(false)
  })
})
