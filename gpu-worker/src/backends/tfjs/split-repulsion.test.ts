import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { exactRepulsion } from '../../methods/tsne/gradient/exact.ts'
import { createFft3dWorkspace, createFftWorkspace, fftRepulsion } from '../../methods/tsne/gradient/fft-repulsion.ts'
import { GridRepulsion } from './grid-repulsion.ts'
import { jsTf, relativeError } from './test-support.ts'

const single = { rank: 0, size: 1, barrier: () => {} }

/** A final map of the CPU engine on MNIST-10k (written by fixtures/make-final-maps.ts), row-major n x dims. */
function finalMap(dims: 2 | 3): { y: Float64Array; n: number } {
  const bytes = readFileSync(new URL(`./fixtures/mnist-10k-${dims}d.f32`, import.meta.url))
  const y = Float64Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4))
  return { y, n: y.length / dims }
}

function boundsOf(y: Float64Array, n: number, dims: number): number[] {
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
  return bounds
}

/** Relative L2 error of the normalised repulsion (forces / Z) and relative error of Z, as the CPU engine's tests measure them. */
function errors(forces: ArrayLike<number>, z: number, exact: { forces: Float64Array; z: number }): { force: number; z: number } {
  let num = 0
  let den = 0
  for (let t = 0; t < exact.forces.length; t++) {
    num += (forces[t]! / z - exact.forces[t]! / exact.z) ** 2
    den += (exact.forces[t]! / exact.z) ** 2
  }
  return { force: Math.sqrt(num / den), z: Math.abs(z - exact.z) / exact.z }
}

describe('the tfjs split-kernel repulsion on final MNIST-10k maps, against the exact one and the CPU engine', async () => {
  const tf = await jsTf()

  for (const dims of [2, 3] as const) {
    it(`${dims}D: force and Z errors are within max(2%, 1.2x) the CPU engine's on the same map`, async () => {
      const { y, n } = finalMap(dims)
      const bounds = boundsOf(y, n, dims)
      const width = Math.max(...Array.from({ length: dims }, (_, c) => bounds[2 * c + 1]! - bounds[2 * c]!))
      expect(n).toBe(10_000)
      // the widths where one unsplit grid of bounded size fails (MNIST-10k final maps: 120-180 units)
      expect(width).toBeGreaterThan(100)

      const exactForces = new Float64Array(n * dims)
      const pointZ = new Float64Array(n)
      exactRepulsion(y, n, dims, 1, exactForces, pointZ, single)
      const exact = { forces: exactForces, z: pointZ.reduce((a, b) => a + b) }

      const cpuForces = new Float64Array(n * dims)
      const cpuZ = new Float64Array(n)
      if (dims === 2) fftRepulsion(y, n, 1, bounds, createFftWorkspace(n), cpuForces, cpuZ, single)
      else fftRepulsion(y, n, 1, bounds, createFft3dWorkspace(n), cpuForces, cpuZ, single)
      const cpu = errors(cpuForces, cpuZ.reduce((a, b) => a + b), exact)

      const grid = new GridRepulsion(tf, dims, 1)
      const yt = tf.tensor2d(Float32Array.from(y), [n, dims])
      const started = performance.now()
      const result = await grid.compute(yt, bounds)
      const seconds = (performance.now() - started) / 1000
      const tfjs = errors(result.forces.dataSync(), result.z.dataSync()[0]!, exact)
      const { m, l, h, cutoff } = result.plan
      console.log(
        `${dims}D map ${width.toFixed(1)} wide: tfjs grid M=${m} L=${l} h=${h.toFixed(3)} cut-off ${cutoff.toFixed(2)} (${seconds.toFixed(1)} s on tfjs-cpu): ` +
          `force error ${(100 * tfjs.force).toFixed(2)}%, Z ${(100 * tfjs.z).toFixed(3)}%; CPU engine ${(100 * cpu.force).toFixed(2)}%, Z ${(100 * cpu.z).toFixed(3)}%`,
      )
      expect(cutoff).toBeGreaterThan(0)
      expect(tfjs.force).toBeLessThanOrEqual(Math.max(0.02, 1.2 * cpu.force))
      expect(tfjs.z).toBeLessThanOrEqual(Math.max(0.02, 1.2 * cpu.z))
      // the same approximation as the CPU engine's (same grid, split and near field), in float32
      expect(relativeError(Array.from(result.forces.dataSync(), (f) => f / result.z.dataSync()[0]!), Array.from(cpuForces, (f) => f / cpuZ.reduce((a, b) => a + b)))).toBeLessThan(1e-4)
      for (const t of [yt, result.forces, result.z]) t.dispose()
      grid.dispose()
    })
  }
})
