import { describe, expect, it } from 'vitest'
import { attraction } from '../../tsne/gradient/attraction.ts'
import { exactRepulsion } from '../../tsne/gradient/exact.ts'
import { attractionTfjs, disposeEdges, uploadEdges } from './attraction.ts'
import { exactRepulsionTfjs } from './exact-repulsion.ts'
import { GridRepulsion } from './grid-repulsion.ts'
import { blobs, clusteredMap, cpuAffinities, jsTf, relativeError } from './test-support.ts'
import type { Tensor2D } from './tf.ts'

const single = { rank: 0, size: 1, barrier: () => {} }

/** The CPU engine's exact gradient exaggeration * attraction - repulsion / Z, in float64. */
function cpuGradient(p: Parameters<typeof attraction>[0], y: Float64Array, n: number, dims: number, dof: number, exaggeration: number) {
  const rep = new Float64Array(n * dims)
  const pointZ = new Float64Array(n)
  exactRepulsion(y, n, dims, dof, rep, pointZ, single)
  const attr = new Float64Array(n * dims)
  attraction(p, y, dims, dof, 0, n, attr)
  const z = pointZ.reduce((a, b) => a + b)
  return { gradient: rep.map((r, t) => exaggeration * attr[t]! - r / z), z, attr, repulsion: rep.map((r) => r / z) }
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

describe('tfjs t-SNE gradient against the CPU engine (float64 exact)', async () => {
  const tf = await jsTf()
  const n = 400
  const { points } = blobs(n, 10, 8, 3)
  const { graph, conditional, p } = await cpuAffinities(points, n, 10, 20)

  for (const dims of [2, 3] as const) {
    for (const dof of [1, 0.6]) {
      it(`${dims}D, dof ${dof}: attraction within 1e-5 and exact repulsion within 1e-5 of the CPU`, () => {
        const y = clusteredMap(n, dims, 30, 11)
        const reference = cpuGradient(p, y, n, dims, dof, 1)
        const yt = tf.tensor2d(Float32Array.from(y), [n, dims])
        const edges = uploadEdges(tf, n, graph.k, graph.indices, conditional)
        const attr = attractionTfjs(tf, yt, edges, dof, false)
        const rep = exactRepulsionTfjs(tf, yt, dof)
        const z = rep.z.dataSync()[0]!
        expect(relativeError(attr.forces.dataSync(), reference.attr)).toBeLessThan(1e-5)
        expect(relativeError(Array.from(rep.forces.dataSync(), (f) => f / z), reference.repulsion)).toBeLessThan(1e-5)
        expect(Math.abs(z - reference.z) / reference.z).toBeLessThan(1e-5)
        for (const t of [yt, attr.forces, rep.forces, rep.z]) t.dispose()
        disposeEdges(edges)
      })
    }

    for (const [width, spacing] of (dims === 2 ? [[10, 1 / 3]] : [[5, 0.5]]) as Array<[number, number]>) {
      // measured: 2D (h 0.23) gradient 0.74%, Z 0.03%; 3D (h 0.42, coarser to keep the JS test fast) 3.2%, 0.3%
      const tolerance = dims === 2 ? { gradient: 0.01, z: 0.002 } : { gradient: 0.04, z: 0.005 }
      it(`${dims}D, a map ${width} wide, nodes at most ${spacing.toFixed(2)} apart: the grid-interpolated gradient is within ${tolerance.gradient * 100}% of the exact one, Z within ${tolerance.z * 100}%`, () => {
        const y = clusteredMap(n, dims, width, 5)
        const reference = cpuGradient(p, y, n, dims, 1, 1)
        const yt = tf.tensor2d(Float32Array.from(y), [n, dims]) as Tensor2D
        const edges = uploadEdges(tf, n, graph.k, graph.indices, conditional)
        const grid = new GridRepulsion(tf, dims, 1, { minGrid: 16, maxNodeSpacing: spacing })
        const started = performance.now()
        const rep = grid.compute(yt, boundsOf(y, n, dims))
        const attr = attractionTfjs(tf, yt, edges, 1, false)
        const z = rep.z.dataSync()[0]!
        const forces = rep.forces.dataSync()
        const attractive = attr.forces.dataSync()
        const gradient = Array.from(forces, (f, t) => attractive[t]! - f / z)
        const error = relativeError(gradient, reference.gradient)
        const repError = relativeError(Array.from(forces, (f) => f / z), reference.repulsion)
        console.log(`${dims}D width ${width}: grid M=${rep.plan.m} L=${rep.plan.l} h=${rep.plan.h.toFixed(3)} gradient error ${error.toExponential(2)} repulsion error ${repError.toExponential(2)} Z error ${(Math.abs(z - reference.z) / reference.z).toExponential(2)} (${(performance.now() - started).toFixed(0)} ms)`)
        expect(error).toBeLessThan(tolerance.gradient)
        expect(Math.abs(z - reference.z) / reference.z).toBeLessThan(tolerance.z)
        for (const t of [yt, attr.forces, rep.forces, rep.z]) t.dispose()
        disposeEdges(edges)
        grid.dispose()
      })
    }
  }
})
