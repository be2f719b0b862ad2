import { describe, expect, it } from 'vitest'
import { SeededRandom } from '../../compute/random.ts'
import { farKernel, forceKernel, splitKernel } from '../../methods/tsne/gradient/split-kernel.ts'
import { disposeSort, nearField, rowOffsets, sortByCell, type NearGeometry } from './near-field.ts'
import { clusteredMap, jsTf, relativeError } from './test-support.ts'
import type { Tensor2D } from './tf.ts'

/**
 * The near field by brute force in float64: every pair i != j closer than the cut-off, K2 minus its far
 * part; Z terms (that weight times 1 + s/dof) plus the n self terms.
 */
function directNearField(y: Float64Array, n: number, dims: number, cutoff: number, dof: number): { forces: Float64Array; z: number } {
  const kernel = splitKernel(cutoff, dof)
  const forces = new Float64Array(n * dims)
  let z = n * (1 - farKernel(0, kernel))
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (j === i) continue
      let s = 0
      for (let c = 0; c < dims; c++) s += (y[i * dims + c]! - y[j * dims + c]!) ** 2
      if (s >= cutoff * cutoff) continue
      const w = forceKernel(s, dof) - farKernel(s, kernel)
      for (let c = 0; c < dims; c++) forces[i * dims + c]! += w * (y[i * dims + c]! - y[j * dims + c]!)
      z += w * (1 + s / dof)
    }
  }
  return { forces, z }
}

/** Cells over the points' bounding box: `nodes` per side, the box centred in the node grid. */
function geometryFor(y: Float64Array, n: number, dims: 2 | 3, nodes: number, cutoffSpacings: number): NearGeometry {
  let extent = 0
  const centre: number[] = []
  for (let c = 0; c < dims; c++) {
    let lo = Infinity
    let hi = -Infinity
    for (let i = 0; i < n; i++) {
      lo = Math.min(lo, y[i * dims + c]!)
      hi = Math.max(hi, y[i * dims + c]!)
    }
    extent = Math.max(extent, hi - lo)
    centre.push((lo + hi) / 2)
  }
  const spacing = (extent * 1.001) / nodes
  return { dims, nodes, spacing, origin: centre.map((c) => c - (nodes * spacing) / 2), cutoff: cutoffSpacings * spacing }
}

describe('the near field of the split kernel as tensor ops', async () => {
  const tf = await jsTf()

  it('scans its own cell row, then the rows above (2D: reach + 1 rows; 3D: 3 own-plane rows and 2 planes of 5)', () => {
    expect(rowOffsets(2, 3)).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [0, 3],
    ])
    const offsets = rowOffsets(3, 2)
    expect(offsets).toHaveLength(3 + 2 * 5)
    expect(offsets.slice(0, 3)).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
    ])
    expect(offsets[3]).toEqual([1, -2])
  })

  for (const dims of [2, 3] as const) {
    for (const dof of [1, 0.6]) {
      it(`${dims}D, dof ${dof}: equals the brute-force sum over all pairs within the cut-off, whatever the chunk sizes`, async () => {
        const n = 700
        const y = clusteredMap(n, dims, dims === 2 ? 40 : 25, 3)
        // a few coincident points and points on the grid's edges
        for (let c = 0; c < dims; c++) y[dims * 5 + c] = y[dims * 4 + c]!
        const g = geometryFor(y, n, dims, dims === 2 ? 24 : 12, dims === 2 ? 3 : 2)
        const expected = directNearField(y, n, dims, g.cutoff, dof)
        const yt = tf.tensor2d(Float32Array.from(y), [n, dims]) as Tensor2D
        const sort = sortByCell(tf, yt, g)
        const order = sort.order.dataSync()
        // sorted by cell: ids ascending
        const cells = sort.cells.dataSync()
        for (let t = 1; t < n; t++) expect(cells[t]!).toBeGreaterThanOrEqual(cells[t - 1]!)
        const results: Array<{ forces: Float64Array; z: number }> = []
        for (const chunks of [
          { pointsPerChunk: 1 << 20, pairsPerChunk: 1 << 22 },
          { pointsPerChunk: 97, pairsPerChunk: 1009 },
        ]) {
          const near = await nearField(tf, sort, g, splitKernel(g.cutoff, dof), chunks)
          const sorted = near.forces.dataSync()
          const forces = new Float64Array(n * dims)
          for (let t = 0; t < n; t++) for (let c = 0; c < dims; c++) forces[order[t]! * dims + c] = sorted[t * dims + c]!
          results.push({ forces, z: near.z.dataSync()[0]! })
          near.forces.dispose()
          near.z.dispose()
        }
        for (const result of results) {
          expect(relativeError(result.forces, expected.forces)).toBeLessThan(1e-4)
          expect(Math.abs(result.z - expected.z) / expected.z).toBeLessThan(1e-5)
        }
        disposeSort(sort)
        yt.dispose()
      })
    }
  }
})
