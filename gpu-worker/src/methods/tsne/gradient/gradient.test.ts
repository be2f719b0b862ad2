import { afterAll, describe, expect, it } from 'vitest'
import { KernelPool } from '../../../compute/pool.ts'
import neighbourKernels from '../../../neighbours/kernel-module.ts'
import tsneKernels from '../kernel-module.ts'
import { exactKnn } from '../../../neighbours/knn.ts'
import { affinities } from '../affinities.ts'
import { optimize, type OptimizeOptions } from '../cpu-steps.ts'
import { SeededRandom } from '../../../compute/random.ts'
import { exactRepulsion } from './exact.ts'
import { bhRepulsion, buildTree, createBhWorkspace } from './bh.ts'
import { createFft3dWorkspace, createFftWorkspace, fftRepulsion } from './fft-repulsion.ts'

const single = { rank: 0, size: 1, barrier: () => {} }

function uniform(n: number, dims: number, scale: number, seed: number): Float64Array {
  const random = new SeededRandom(seed)
  return Float64Array.from({ length: n * dims }, () => (random.next() - 0.5) * scale)
}

/** Gaussian blobs of unit spread around centres spread over `scale`, like a t-SNE map. */
function clustered(n: number, dims: number, scale: number, seed: number): Float64Array {
  const random = new SeededRandom(seed)
  const centres = Array.from({ length: 10 * dims }, () => (random.next() - 0.5) * scale)
  const y = new Float64Array(n * dims)
  for (let i = 0; i < n; i++) {
    const c = i % 10
    for (let k = 0; k < dims; k++) y[i * dims + k] = centres[c * dims + k]! + random.normal() * 1.5
  }
  return y
}

function boundsOf(y: Float64Array, n: number): number[] {
  const b = [Infinity, -Infinity, Infinity, -Infinity]
  for (let i = 0; i < n; i++) {
    b[0] = Math.min(b[0]!, y[2 * i]!)
    b[1] = Math.max(b[1]!, y[2 * i]!)
    b[2] = Math.min(b[2]!, y[2 * i + 1]!)
    b[3] = Math.max(b[3]!, y[2 * i + 1]!)
  }
  return b
}

/** Relative L2 error of the normalised repulsion (forces / Z) and relative error of Z. */
function compare(y: Float64Array, n: number, dims: number, dof: number, run: (forces: Float64Array, z: Float64Array) => void) {
  const exactForces = new Float64Array(n * dims)
  const exactZ = new Float64Array(n)
  exactRepulsion(y, n, dims, dof, exactForces, exactZ, single)
  const forces = new Float64Array(n * dims)
  const z = new Float64Array(n)
  run(forces, z)
  const zExact = exactZ.reduce((a, b) => a + b)
  const zFast = z.reduce((a, b) => a + b)
  let num = 0
  let den = 0
  for (let t = 0; t < n * dims; t++) {
    num += (forces[t]! / zFast - exactForces[t]! / zExact) ** 2
    den += (exactForces[t]! / zExact) ** 2
  }
  return { force: Math.sqrt(num / den), z: Math.abs(zFast - zExact) / zExact }
}

describe('FFT-accelerated repulsion (2D)', () => {
  for (const [name, make] of [
    ['random', uniform],
    ['clustered', clustered],
  ] as const) {
    for (const scale of [40, 120]) {
      it(`matches the exact repulsion within 6% with the default split grid on ${name} data ${scale} wide`, () => {
        const n = 1500
        const y = make(n, 2, scale, 7)
        const error = compare(y, n, 2, 1, (f, z) => fftRepulsion(y, n, 1, boundsOf(y, n), createFftWorkspace(n), f, z, single))
        expect(error.force).toBeLessThan(0.06)
        expect(error.z).toBeLessThan(0.005)
      })
    }

    it(`on ${name} data, a wider cut-off with 4-point interpolation is within 2%, and an unsplit fine grid within 2.5%`, () => {
      const n = 1500
      const y = make(n, 2, 40, 7)
      const bounds = boundsOf(y, n)
      const wide = compare(y, n, 2, 1, (f, z) => fftRepulsion(y, n, 1, bounds, createFftWorkspace(n, { interpolationPoints: 4, cutoffSpacings: 4 }), f, z, single))
      expect(wide.force).toBeLessThan(0.02)
      expect(wide.z).toBeLessThan(0.001)
      const unsplit = compare(y, n, 2, 1, (f, z) => fftRepulsion(y, n, 1, bounds, createFftWorkspace(n, { cutoffSpacings: 0, maxNodeSpacing: 0.2 }), f, z, single))
      expect(unsplit.force).toBeLessThan(0.025)
      expect(unsplit.z).toBeLessThan(0.002)
    })
  }

  it('gets more accurate as the split grid gets finer (same data, grid forced)', () => {
    const n = 1500
    const y = clustered(n, 2, 40, 7)
    const bounds = boundsOf(y, n)
    const errors = [64, 128, 256].map((size) => compare(y, n, 2, 1, (f, z) => fftRepulsion(y, n, 1, bounds, createFftWorkspace(n, { minGrid: size, maxGrid: size, maxNodeSpacing: 0 }), f, z, single)).force)
    expect(errors[2]!).toBeLessThan(0.01)
    expect(errors[2]!).toBeLessThan(errors[1]!)
  })

  it('gives the same forces when the workspace is reused without clearing the grids', () => {
    const n = 600
    const y = clustered(n, 2, 30, 4)
    const bounds = boundsOf(y, n)
    const ws = createFftWorkspace(n)
    const first = new Float64Array(2 * n)
    const second = new Float64Array(2 * n)
    const z = new Float64Array(n)
    fftRepulsion(y, n, 1, bounds, ws, first, z, single)
    fftRepulsion(y, n, 1, bounds, ws, second, z, single)
    expect(Array.from(second)).toEqual(Array.from(first))
  })

  it('handles heavy tails (dof 0.5) within 8%', () => {
    const n = 1000
    const y = clustered(n, 2, 30, 3)
    const bounds = boundsOf(y, n)
    const error = compare(y, n, 2, 0.5, (f, z) => fftRepulsion(y, n, 0.5, bounds, createFftWorkspace(n), f, z, single))
    expect(error.force).toBeLessThan(0.08)
    expect(error.z).toBeLessThan(0.01)
  })

  it('is exact enough for a freshly initialised, tiny map', () => {
    const n = 800
    const y = uniform(n, 2, 1e-3, 9)
    const bounds = boundsOf(y, n)
    const error = compare(y, n, 2, 1, (f, z) => fftRepulsion(y, n, 1, bounds, createFftWorkspace(n), f, z, single))
    expect(error.force).toBeLessThan(1e-3)
    expect(error.z).toBeLessThan(1e-6)
  })
})

describe('Barnes-Hut repulsion', () => {
  for (const dims of [2, 3]) {
    for (const [name, make] of [
      ['random', uniform],
      ['clustered', clustered],
    ] as const) {
      it(`matches the exact repulsion within 3% in ${dims}D on ${name} data at theta 0.5`, () => {
        const n = 1500
        const y = make(n, dims, 30, 11)
        const ws = createBhWorkspace(n, dims)
        const error = compare(y, n, dims, 1, (f, z) => {
          buildTree(y, n, dims, ws)
          bhRepulsion(n, dims, 1, 0.5, ws, f, z)
        })
        expect(error.force).toBeLessThan(0.03)
        expect(error.z).toBeLessThan(0.02)
      })
    }
  }

  it('becomes exact as theta goes to zero', () => {
    const n = 400
    const y = clustered(n, 3, 20, 5)
    const ws = createBhWorkspace(n, 3)
    const error = compare(y, n, 3, 1, (f, z) => {
      buildTree(y, n, 3, ws)
      bhRepulsion(n, 3, 1, 1e-6, ws, f, z)
    })
    expect(error.force).toBeLessThan(1e-10)
    expect(error.z).toBeLessThan(1e-10)
  })
})

function bounds3d(y: Float64Array, n: number): number[] {
  const b = [Infinity, -Infinity, Infinity, -Infinity, Infinity, -Infinity]
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      b[2 * c] = Math.min(b[2 * c]!, y[3 * i + c]!)
      b[2 * c + 1] = Math.max(b[2 * c + 1]!, y[3 * i + c]!)
    }
  }
  return b
}

describe('FFT-accelerated repulsion (3D)', () => {
  for (const [name, make, tolerance] of [
    ['random', uniform, 0.1],
    ['clustered', clustered, 0.1],
  ] as const) {
    for (const scale of [20, 60]) {
      it(`matches the exact repulsion within ${tolerance * 100}% with the default split grid on ${name} data ${scale} wide`, () => {
        const n = 1500
        const y = make(n, 3, scale, 7)
        const error = compare(y, n, 3, 1, (f, z) => fftRepulsion(y, n, 1, bounds3d(y, n), createFft3dWorkspace(n), f, z, single))
        expect(error.force).toBeLessThan(tolerance)
        expect(error.z).toBeLessThan(0.025)
      })
    }

    it(`on ${name} data, a cut-off of 3 node spacings is within 3.5%, and an unsplit fine grid within 3%`, () => {
      const n = 1500
      const y = make(n, 3, 20, 7)
      const bounds = bounds3d(y, n)
      const wide = compare(y, n, 3, 1, (f, z) => fftRepulsion(y, n, 1, bounds, createFft3dWorkspace(n, { cutoffSpacings: 3 }), f, z, single))
      expect(wide.force).toBeLessThan(0.035)
      expect(wide.z).toBeLessThan(0.005)
      const unsplit = compare(y, n, 3, 1, (f, z) => fftRepulsion(y, n, 1, bounds, createFft3dWorkspace(n, { cutoffSpacings: 0, maxNodeSpacing: 0.35, maxGrid: 128 }), f, z, single))
      expect(unsplit.force).toBeLessThan(0.03)
      expect(unsplit.z).toBeLessThan(0.008)
    })
  }

  it('gets more accurate as the cut-off widens (same data and grid)', () => {
    const n = 1500
    const y = clustered(n, 3, 40, 7)
    const bounds = bounds3d(y, n)
    const errors = [1.5, 2, 3].map((cutoffSpacings) => compare(y, n, 3, 1, (f, z) => fftRepulsion(y, n, 1, bounds, createFft3dWorkspace(n, { minGrid: 32, maxGrid: 32, cutoffSpacings }), f, z, single)).force)
    expect(errors[2]!).toBeLessThan(errors[1]!)
    expect(errors[1]!).toBeLessThan(errors[0]!)
    expect(errors[2]!).toBeLessThan(0.03)
  })

  it('gives the same forces when the workspace is reused without clearing the grids', () => {
    const n = 600
    const y = clustered(n, 3, 30, 4)
    const bounds = bounds3d(y, n)
    const ws = createFft3dWorkspace(n)
    const first = new Float64Array(3 * n)
    const second = new Float64Array(3 * n)
    const z = new Float64Array(n)
    fftRepulsion(y, n, 1, bounds, ws, first, z, single)
    fftRepulsion(y, n, 1, bounds, ws, second, z, single)
    expect(Array.from(second)).toEqual(Array.from(first))
  })

  it('handles heavy tails (dof 0.5) within 10%', () => {
    const n = 1000
    const y = clustered(n, 3, 30, 3)
    const error = compare(y, n, 3, 0.5, (f, z) => fftRepulsion(y, n, 0.5, bounds3d(y, n), createFft3dWorkspace(n), f, z, single))
    expect(error.force).toBeLessThan(0.1)
    expect(error.z).toBeLessThan(0.02)
  })

  it('is exact enough for a freshly initialised, tiny map', () => {
    const n = 800
    const y = uniform(n, 3, 1e-3, 9)
    const error = compare(y, n, 3, 1, (f, z) => fftRepulsion(y, n, 1, bounds3d(y, n), createFft3dWorkspace(n), f, z, single))
    expect(error.force).toBeLessThan(1e-3)
    expect(error.z).toBeLessThan(1e-6)
  })
})

/** The default schedule (learning rate n/12) through the FFT repulsion, with `overrides`. */
function fftSchedule(dims: 2 | 3, n: number, overrides: Partial<OptimizeOptions>): OptimizeOptions {
  return {
    dims,
    iterations: 750,
    earlyExaggeration: 12,
    earlyExaggerationIterations: 250,
    lateExaggeration: 1,
    learningRate: n / 12,
    earlyMomentum: 0.5,
    momentum: 0.8,
    minGain: 0.01,
    dof: 1,
    theta: 0.5,
    method: 'fft',
    frameEvery: 25,
    ...overrides,
  }
}

describe('3D FFT optimisation across thread counts', () => {
  const pools = [new KernelPool(1, [neighbourKernels, tsneKernels]), new KernelPool(2, [neighbourKernels, tsneKernels])]
  afterAll(() => Promise.all(pools.map((pool) => pool.close())))

  it('gives byte-identical 3D maps with 1 and 2 threads', async () => {
    const n = 1200
    const d = 8
    const random = new SeededRandom(21)
    const points = Float32Array.from({ length: n * d }, (_, t) => random.normal() + (Math.floor(t / d) % 6) * 4)
    const graph = await exactKnn(pools[0]!, points, n, d, 30)
    const p = await affinities(pools[0]!, graph, 10)
    const initial = Float64Array.from({ length: n * 3 }, () => random.normal() * 1e-4)
    const options = fftSchedule(3, n, { iterations: 120, earlyExaggerationIterations: 40, frameEvery: 30 })
    const one = await optimize(pools[0]!, p, initial, options)
    const two = await optimize(pools[1]!, p, initial, options)
    expect(one.iterations).toBe(120)
    expect(Buffer.from(two.embedding.buffer).equals(Buffer.from(one.embedding.buffer))).toBe(true)
    expect(two.kl).toBe(one.kl)
    expect(one.kl).toBeLessThan(2)

    // in graph order (as large inputs run): still identical across thread counts, returned in the
    // caller's order, and as good a map
    const reordered = { ...options, reorder: true }
    const oneReordered = await optimize(pools[0]!, p, initial, reordered)
    const twoReordered = await optimize(pools[1]!, p, initial, reordered)
    expect(Buffer.from(twoReordered.embedding.buffer).equals(Buffer.from(oneReordered.embedding.buffer))).toBe(true)
    expect(Math.abs(oneReordered.kl - one.kl)).toBeLessThan(0.02 * one.kl)
    const clusterOf = (i: number) => i % 6
    const sameClusterNearest = (map: Float32Array) => {
      let agree = 0
      for (let i = 0; i < n; i += 10) {
        let best = -1
        let bestDistance = Infinity
        for (let j = 0; j < n; j++) {
          if (j === i) continue
          const distance = (map[3 * i]! - map[3 * j]!) ** 2 + (map[3 * i + 1]! - map[3 * j + 1]!) ** 2 + (map[3 * i + 2]! - map[3 * j + 2]!) ** 2
          if (distance < bestDistance) {
            bestDistance = distance
            best = j
          }
        }
        if (clusterOf(best) === clusterOf(i)) agree++
      }
      return agree / Math.ceil(n / 10)
    }
    expect(sameClusterNearest(oneReordered.embedding)).toBeGreaterThan(0.95)
  }, 20_000)
})

describe('near field across thread counts', () => {
  const pools = [new KernelPool(1, [neighbourKernels, tsneKernels]), new KernelPool(2, [neighbourKernels, tsneKernels])]
  afterAll(() => Promise.all(pools.map((pool) => pool.close())))

  // a grid capped at 32 nodes a side (16 in 3D) cannot resolve the kernel unsplit once the map is more than
  // ~5 wide, so most iterations run the split grid: each near-field pair once, in bands of one parity at a time
  for (const dims of [2, 3] as const) {
    it(`gives byte-identical ${dims}D maps with 1 and 2 threads when the near field does most of the work`, async () => {
      const n = 1500
      const d = 8
      const random = new SeededRandom(33 + dims)
      const points = Float32Array.from({ length: n * d }, (_, t) => random.normal() + (Math.floor(t / d) % 5) * 5)
      const graph = await exactKnn(pools[0]!, points, n, d, 30)
      const p = await affinities(pools[0]!, graph, 10)
      const initial = Float64Array.from({ length: n * dims }, () => random.normal() * 1e-4)
      const options = fftSchedule(dims, n, {
        iterations: 150,
        earlyExaggerationIterations: 50,
        mainLearningRate: n,
        frameEvery: 50,
        fft: { minGrid: 32, maxGrid: 32 },
        fft3d: { minGrid: 16, maxGrid: 32 },
      })
      const one = await optimize(pools[0]!, p, initial, options)
      const two = await optimize(pools[1]!, p, initial, options)
      expect(Buffer.from(two.embedding.buffer).equals(Buffer.from(one.embedding.buffer))).toBe(true)
      expect(two.kl).toBe(one.kl)
      // the map outgrew the unsplit grid (so the split one ran) and is still a good map
      let extent = 0
      for (let c = 0; c < dims; c++) {
        let lo = Infinity
        let hi = -Infinity
        for (let i = 0; i < n; i++) {
          lo = Math.min(lo, one.embedding[i * dims + c]!)
          hi = Math.max(hi, one.embedding[i * dims + c]!)
        }
        extent = Math.max(extent, hi - lo)
      }
      expect(extent).toBeGreaterThan(15 * 0.35 * 3)
      expect(one.kl).toBeLessThan(2)
    }, 30_000)
  }
})
