/**
 * @module backends/tfjs/near-field — the short-range part of the split kernel (split-kernel.ts) as tensor
 * ops: exact K2 minus its far part, summed over the pairs closer than the cut-off, each pair once, as the
 * CPU engine's nearBand / nearSlab do.
 *
 * 1. sort (device): each point's cell (one node spacing wide, x fastest, as the CPU engine's), the points
 *    ordered by cell with tf.topk, and the first sorted position of each cell (cellStart);
 * 2. ranges: a point takes the points after it in its own cell row, and in the `reach` rows above (2D) /
 *    the rows above in its plane and the (2 reach + 1) rows of each of the `reach` planes above (3D),
 *    each row clipped to the cut-off circle / sphere: R contiguous ranges of sorted positions per point;
 * 3. pairs: the ranges are expanded into pairs k = 0 .. P-1 without a search: range r owns pair k when
 *    ends[r-1] <= k < ends[r] (ends: inclusive prefix sum of the range lengths), so the owner of every
 *    pair of a chunk is a prefix sum of marks put at the range ends (a scatter-add);
 * 4. per pair: the remainder weight w = K2(s) - far(s) (0 beyond the cut-off), forces +w d to the point
 *    and -w d to its partner (one scatter-add), Z gets 2 w (1 + s/dof).
 *
 * Device memory: ~10 R int32/float32 per point of a chunk of `pointsPerChunk` points and ~(10 + 5 dims)
 * values per pair of a chunk of `pairsPerChunk` pairs (times ~2 for temporaries); the pair count is read
 * to the host once per point chunk.
 */
import { nearFieldTerms, type SplitKernel } from '../../methods/tsne/gradient/split-kernel.ts'
import type { Tensor, Tensor1D, Tensor2D, Tf } from './tf.ts'

/** Where the cells lie: nodes per side, spacing and lower corner of the node grid, the cut-off. */
export interface NearGeometry {
  dims: 2 | 3
  nodes: number
  spacing: number
  origin: number[]
  cutoff: number
}

/** The points sorted by cell: order (sorted position -> point), positions and cell ids in that order, cellStart. */
export interface CellSort {
  order: Tensor1D
  positions: Tensor2D
  cells: Tensor1D
  /** First sorted position of each cell, length cells + 1 (int32). */
  cellStart: Tensor1D
}

/** Cell of each point along each axis, row-major [n] int32 ids (x fastest, then y, then z). */
function cellIds(tf: Tf, y: Tensor2D, g: NearGeometry): Tensor1D {
  const last = g.nodes - 1
  const origin = tf.tensor1d(g.origin.slice(0, g.dims))
  const axes = tf.cast(tf.clipByValue(tf.floor(tf.div(tf.sub(y, origin), g.spacing)), 0, last), 'int32') // [n, dims]
  let id: Tensor = tf.slice(axes, [0, g.dims - 1], [-1, 1])
  for (let c = g.dims - 2; c >= 0; c--) id = tf.add(tf.mul(id, tf.scalar(g.nodes, 'int32')), tf.slice(axes, [0, c], [-1, 1]))
  return id.reshape([-1]) as Tensor1D
}

/** Sorts the points by cell (see the module comment); the caller disposes the result (disposeSort). */
export function sortByCell(tf: Tf, y: Tensor2D, g: NearGeometry): CellSort {
  return tf.tidy(() => {
    const n = y.shape[0]
    const cellCount = g.nodes ** g.dims
    const ids = cellIds(tf, y, g)
    // topk of -id: ascending ids (ties by point index on the CPU runtimes); float32 holds ids below 2^24 exactly
    const order = tf.topk(tf.neg(tf.cast(ids, 'float32')), n, true).indices as Tensor1D
    const counts = tf.scatterND(ids.reshape([-1, 1]), tf.ones([n]), [cellCount])
    const cellStart = tf.concat([tf.zeros([1], 'int32'), tf.cumsum(tf.cast(counts, 'int32'))]) as Tensor1D
    return { order, positions: tf.gather(y, order) as Tensor2D, cells: tf.gather(ids, order) as Tensor1D, cellStart }
  })
}

export function disposeSort(sort: CellSort): void {
  for (const t of [sort.order, sort.positions, sort.cells, sort.cellStart]) t.dispose()
}

/** Row offsets [dz, dy] a point scans: its own row first, then those above (see the module comment). */
export function rowOffsets(dims: 2 | 3, reach: number): Array<[number, number]> {
  const offsets: Array<[number, number]> = []
  for (let dy = 0; dy <= reach; dy++) offsets.push([0, dy])
  if (dims === 3) for (let dz = 1; dz <= reach; dz++) for (let dy = -reach; dy <= reach; dy++) offsets.push([dz, dy])
  return offsets
}

/**
 * The near field of the sorted points: forces [n, dims] in sorted order and the scalar sum of its Z terms,
 * n self terms included (K2(0) minus the far part the grid adds at distance 0). The caller disposes both.
 */
export async function nearField(
  tf: Tf,
  sort: CellSort,
  g: NearGeometry,
  kernel: SplitKernel,
  chunks: { pointsPerChunk: number; pairsPerChunk: number },
): Promise<{ forces: Tensor2D; z: Tensor }> {
  const { dims, nodes, spacing, origin, cutoff } = g
  const n = sort.positions.shape[0]
  const { sc, ka, kb, heavy, inverseDof, self } = nearFieldTerms(kernel)
  const reach = Math.max(1, Math.ceil(cutoff / spacing))
  const offsets = rowOffsets(dims, reach)
  const rangesPerPoint = offsets.length
  const last = nodes - 1
  let forces: Tensor = tf.zeros([n, dims])
  let z: Tensor = tf.scalar(n * self)
  const pointChunk = Math.max(1, chunks.pointsPerChunk)
  // integer arithmetic needs int32 scalars: a plain number would promote the result to float32
  const int = (value: number) => tf.scalar(value, 'int32')
  const pairChunk = Math.max(1, chunks.pairsPerChunk)

  for (let t0 = 0; t0 < n; t0 += pointChunk) {
    const rows = Math.min(pointChunk, n - t0)
    // ranges [from, from + count) of partner positions, [rows * R] with r = point * R + offset
    const [from, count, ends] = tf.tidy(() => {
      const own = tf.slice(sort.positions, [t0, 0], [rows, dims])
      const ids = tf.slice(sort.cells, [t0], [rows])
      const coordinate = (c: number) => tf.squeeze(tf.slice(own, [0, c], [-1, 1]), [1])
      const node = int(nodes)
      const cy = tf.mod(tf.floorDiv(ids, node), node)
      const cz = dims === 3 ? tf.floorDiv(ids, int(nodes * nodes)) : tf.zerosLike(ids)
      const [px, py] = [coordinate(0), coordinate(1)]
      const pz = dims === 3 ? coordinate(2) : undefined
      const cellX = (v: Tensor) => tf.cast(tf.clipByValue(tf.floor(tf.div(tf.sub(v, origin[0]!), spacing)), 0, last), 'int32')
      // distance from a coordinate to the slab of cells `index` (0 inside it)
      const gap = (v: Tensor, index: Tensor, axisOrigin: number) => {
        const low = tf.add(tf.mul(tf.cast(index, 'float32'), spacing), axisOrigin)
        return tf.maximum(tf.maximum(tf.sub(low, v), tf.sub(v, tf.add(low, spacing))), 0)
      }
      const positions = tf.range(t0, t0 + rows, 1, 'int32')
      const froms: Tensor[] = []
      const counts: Tensor[] = []
      for (const [dz, dy] of offsets) {
        const ny = tf.add(cy, int(dy))
        const nz = tf.add(cz, int(dz))
        let inside = tf.logicalAnd(tf.greaterEqual(ny, 0), tf.lessEqual(ny, last))
        if (dims === 3) inside = tf.logicalAnd(inside, tf.lessEqual(nz, last))
        const clampedY = tf.clipByValue(ny, 0, last)
        const clampedZ = tf.clipByValue(nz, 0, last)
        const rowBase = tf.mul(tf.add(tf.mul(clampedZ, node), clampedY), node)
        let rest: Tensor = tf.sub(sc, tf.square(gap(py, clampedY, origin[1]!)))
        if (dims === 3) rest = tf.sub(rest, tf.square(gap(pz!, clampedZ, origin[2]!)))
        const extent = tf.sqrt(tf.maximum(rest, 0))
        const to = tf.gather(sort.cellStart, tf.add(tf.add(rowBase, cellX(tf.add(px, extent))), int(1)))
        const start = dz === 0 && dy === 0 ? tf.add(positions, int(1)) : tf.gather(sort.cellStart, tf.add(rowBase, cellX(tf.sub(px, extent))))
        const valid = tf.logicalAnd(inside, tf.greater(rest, 0))
        froms.push(start)
        counts.push(tf.where(valid, tf.maximum(tf.sub(to, start), int(0)), tf.zerosLike(start)))
      }
      const count = tf.stack(counts, 1).reshape([-1])
      return [tf.stack(froms, 1).reshape([-1]), count, tf.cumsum(count)]
    })
    const lastEnd = tf.slice(ends!, [rows * rangesPerPoint - 1], [1])
    const total = (await lastEnd.data())[0]!
    lastEnd.dispose()
    // partner of pair k in range r: from[r] + (k - (ends[r] - count[r]))
    const shift = tf.tidy(() => tf.sub(from!, tf.sub(ends!, count!)))
    for (let k0 = 0; k0 < total; k0 += pairChunk) {
      const length = Math.min(pairChunk, total - k0)
      const [nextForces, nextZ] = tf.tidy(() => {
        // owner range of pair k: #{r: ends[r] <= k} = #{r: ends[r] < k0} + #{r: k0 <= ends[r] <= k}
        const local = tf.sub(ends!, int(k0))
        const inChunk = tf.logicalAnd(tf.greaterEqual(local, 0), tf.less(local, length))
        const slot = tf.where(inChunk, local, tf.fill([rows * rangesPerPoint], length, 'int32'))
        const marks = tf.slice(tf.scatterND(slot.reshape([-1, 1]), tf.ones([rows * rangesPerPoint]), [length + 1]), [0], [length])
        const before = tf.sum(tf.cast(tf.less(ends!, int(k0)), 'int32'))
        const owner = tf.add(tf.cast(tf.cumsum(marks), 'int32'), before)
        const k = tf.range(k0, k0 + length, 1, 'int32')
        const partner = tf.add(tf.gather(shift, owner), k)
        const point = tf.add(tf.floorDiv(owner, int(rangesPerPoint)), int(t0))
        const d = tf.sub(tf.gather(sort.positions, point), tf.gather(sort.positions, partner)) // [length, dims]
        const s = tf.sum(tf.square(d), 1)
        const base = tf.reciprocal(tf.add(tf.mul(s, inverseDof), 1))
        const k2 = heavy ? tf.pow(base, kernel.dof + 1) : tf.square(base)
        const far = tf.add(tf.mul(tf.sub(s, sc), kb), ka)
        const w = tf.where(tf.less(s, sc), tf.sub(k2, far), tf.zerosLike(s))
        const pull = tf.mul(d, w.reshape([-1, 1]))
        const indices = tf.concat([point, partner]).reshape([-1, 1])
        const added = tf.scatterND(indices, tf.concat([pull, tf.neg(pull)], 0), [n, dims])
        const zPart = tf.mul(tf.sum(tf.mul(w, tf.add(tf.mul(s, inverseDof), 1))), 2)
        return [tf.add(forces, added), tf.add(z, zPart)]
      })
      forces.dispose()
      z.dispose()
      forces = nextForces!
      z = nextZ!
    }
    for (const t of [from!, count!, ends!, shift]) t.dispose()
  }
  return { forces: forces as Tensor2D, z }
}
