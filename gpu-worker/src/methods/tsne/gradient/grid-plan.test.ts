import { describe, expect, it } from 'vitest'
import { SeededRandom } from '../../../compute/random.ts'
import { fftSizes } from './fft-core.ts'
import { FFT3D_DEFAULTS, FFT_DEFAULTS, ladder, planGrid, type GridPlan } from './grid-plan.ts'

/** n points of `dims` coordinates uniform in [0, width) and their bounds [min_0, max_0, ...]. */
function map(n: number, dims: 2 | 3, width: number, seed: number): { y: Float64Array; bounds: number[] } {
  const random = new SeededRandom(seed)
  const y = Float64Array.from({ length: n * dims }, () => random.next() * width)
  const bounds: number[] = []
  for (let c = 0; c < dims; c++) {
    let lo = Infinity
    let hi = -Infinity
    for (let i = 0; i < n; i++) {
      lo = Math.min(lo, y[i * dims + c]!)
      hi = Math.max(hi, y[i * dims + c]!)
    }
    bounds.push(lo, hi)
  }
  return { y, bounds }
}

/** The plan's node grid covers the map, its spacing is a ladder step, and its sizes fit together. */
function expectConsistent(plan: GridPlan, dims: number, bounds: number[], p: number) {
  expect(fftSizes(plan.size, plan.size)).toEqual([plan.size])
  expect(plan.boxes).toBe(Math.floor(plan.size / 2 / p))
  expect(plan.nodes).toBe(plan.boxes * p)
  // a step of the 2^(1/8) ladder
  expect(8 * Math.log2(plan.spacing)).toBeCloseTo(Math.round(8 * Math.log2(plan.spacing)), 9)
  expect(plan.boxWidth).toBe(plan.spacing * p)
  expect(plan.origin).toHaveLength(dims)
  for (let c = 0; c < dims; c++) {
    expect(plan.origin[c]!).toBeLessThanOrEqual(bounds[2 * c]!)
    expect(plan.origin[c]! + plan.nodes * plan.spacing).toBeGreaterThanOrEqual(bounds[2 * c + 1]!)
  }
}

describe('planGrid', () => {
  for (const [dims, settings] of [
    [2, FFT_DEFAULTS],
    [3, FFT3D_DEFAULTS],
  ] as const) {
    const counts = new Int32Array(200_000)

    it(`${dims}D: a small map gets an unsplit grid fine enough for the kernel, a wide one a split grid`, () => {
      const small = map(2000, dims, 2, 1)
      const unsplit = planGrid(small.y, 2000, dims, small.bounds, settings, 1, counts)
      expectConsistent(unsplit, dims, small.bounds, 3)
      expect(unsplit.cutoff).toBe(0)
      expect(unsplit.spacing).toBeLessThanOrEqual(settings.maxNodeSpacing)
      const wide = map(2000, dims, 150, 1)
      const split = planGrid(wide.y, 2000, dims, wide.bounds, settings, 1, counts)
      expectConsistent(split, dims, wide.bounds, 3)
      expect(split.spacing).toBeGreaterThan(settings.maxNodeSpacing)
      expect(split.cutoff).toBe(split.spacing * settings.cutoffSpacings)
    })

    it(`${dims}D: heavier tails (dof < 1) refine the unsplit grid by sqrt(dof)`, () => {
      const { y, bounds } = map(500, dims, 6, 2)
      const unsplit = { ...settings, cutoffSpacings: 0 }
      const heavy = planGrid(y, 500, dims, bounds, unsplit, 0.25, counts)
      const standard = planGrid(y, 500, dims, bounds, unsplit, 1, counts)
      expect([heavy.cutoff, standard.cutoff]).toEqual([0, 0])
      expect(heavy.spacing).toBeLessThanOrEqual(settings.maxNodeSpacing * 0.5)
      expect(standard.spacing).toBeLessThanOrEqual(settings.maxNodeSpacing)
      expect(standard.spacing).toBeGreaterThan(settings.maxNodeSpacing * 0.5)
    })

    it(`${dims}D: near-field pairs make finer grids worth their FFT cost (dense map, pairs dearer)`, () => {
      const { y, bounds } = map(20_000, dims, 40, 3)
      const cheap = planGrid(y, 20_000, dims, bounds, { ...settings, pairCost: 1e-6 }, 1, counts)
      const dear = planGrid(y, 20_000, dims, bounds, { ...settings, pairCost: 1e3 }, 1, counts)
      expect(dear.size).toBeGreaterThan(cheap.size)
      expect(dear.spacing).toBeLessThan(cheap.spacing)
    })

    it(`${dims}D: without the comparison a single size refits its spacing to the bounds`, () => {
      const { y, bounds } = map(1000, dims, 60, 4)
      const size = fftSizes(settings.minGrid, settings.maxGrid)[2]!
      const plan = planGrid(y, 1000, dims, bounds, { ...settings, minGrid: size, maxGrid: size, maxNodeSpacing: 0 }, 1, counts, false)
      expectConsistent(plan, dims, bounds, 3)
      expect(plan.size).toBe(size)
      let width = 0
      for (let c = 0; c < dims; c++) width = Math.max(width, bounds[2 * c + 1]! - bounds[2 * c]!)
      expect(plan.spacing).toBe(ladder((width * (1 + 1e-6) + 1e-9) / plan.nodes))
    })
  }

  it('plans a flat 3D map as its 2D projection when the settings agree (one plane of cells)', () => {
    const flat = map(3000, 2, 50, 5)
    const lifted = new Float64Array(3000 * 3)
    for (let i = 0; i < 3000; i++) lifted.set([flat.y[2 * i]!, flat.y[2 * i + 1]!, 0], 3 * i)
    const counts = new Int32Array(200_000)
    const settings = { ...FFT_DEFAULTS, maxGrid: 96 }
    const planar = planGrid(flat.y, 3000, 2, flat.bounds, settings, 1, counts)
    const spatial = planGrid(lifted, 3000, 3, [...flat.bounds, 0, 0], settings, 1, counts)
    // the same spacing ladder and cut-off; the 3D cost of each size is L times the 2D one, so it may pick a smaller grid
    expect(spatial.size).toBeLessThanOrEqual(planar.size)
    expect(spatial.cutoff > 0).toBe(planar.cutoff > 0)
  })
})
