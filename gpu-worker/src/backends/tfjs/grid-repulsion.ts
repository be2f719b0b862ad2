/**
 * @module backends/tfjs/grid-repulsion — the repulsive forces of t-SNE in O(n) per iteration by
 * interpolation on a grid (FIt-SNE, Linderman et al. 2019) with the CPU engine's kernel split
 * (split-kernel.ts: particle-particle / particle-mesh), as tensor ops:
 *
 * 1. plan (host, grid-plan.ts): the CPU engine's rules choose an M^dims FFT grid with L nodes per side
 *    (L = boxes * p, p Lagrange nodes per box) of spacing h over the map, and a cut-off radius: 0 on
 *    small maps (the grid carries the whole kernel), else a few node spacings;
 * 2. spread: each point puts its charges [1, y_1 .. y_dims] on its p^dims nodes with Lagrange
 *    weights (a scatter-add, tf.scatterND, over flattened node indices; tfjs' CPU unsortedSegmentSum is
 *    O(segments x values), so it is avoided);
 * 3. convolve (transforms.ts) every channel with the far part of K2(s) = (1 + s/dof)^-(dof+1) (K2 itself
 *    beyond the cut-off, its tangent in s inside);
 * 4. interpolate back (tf.gather) and combine: rep_i = y_i phi_0 - phi_y, and Z as the CPU engine
 *    does (fft2d.ts): a pair's Z weight is its K2 weight times (1 + s/dof), and the interpolated kernel is
 *    symmetric (same weights to spread and gather), so sum_ij K_ij |y_j|^2 = sum_i |y_i|^2 phi_0i and
 *    Z = sum_i phi_0i (1 + 2 |y_i|^2/dof) - 2 y_i . phi_yi / dof - n, with no charge for it;
 * 5. with a cut-off, add the near field (near-field.ts): K2 minus its far part summed exactly over the
 *    pairs within the cut-off, and its Z terms (weight times 1 + s/dof). The split lets a coarse grid
 *    cover wide final maps (120-180 units) as accurately as the CPU engine (~1-2% force error), where
 *    one unsplit grid of bounded size cannot (over 100% at 256^3 nodes in 3D).
 *
 * FIt-SNE's |y|^2 charge is not needed (in float32 it lost everything to cancellation on wide maps);
 * with coordinates taken relative to the grid centre, the float32 forces and Z above equal the CPU
 * engine's float64 ones to ~1e-6 on maps 175 units wide (measured, split-repulsion.test.ts). With a
 * cut-off every step runs on the points sorted by cell, and the forces are put back in point order
 * at the end. Points are processed in chunks, so the device memory of steps 2 and 4 is bounded by
 * `pointsPerChunk * p^dims * (dims + 1) * 4 bytes` (times ~3 for temporaries), whatever n is; the
 * grid by maxGrid (~4 (dims + 1) M^dims * 4 bytes); step 5 by its chunks (near-field.ts).
 */
import { FFT_DEFAULTS, FFT3D_DEFAULTS, type FftSettings } from '../../methods/tsne/gradient/grid-plan.ts'
import { farKernel, splitKernel } from '../../methods/tsne/gradient/split-kernel.ts'
import { GridPlanner, type GridPlan } from './grid-plan.ts'
import { disposeSort, nearField, sortByCell } from './near-field.ts'
import { convolve, disposeConvolution, planConvolution, type GridConvolution, type TransformKind } from './transforms.ts'
import type { Tensor, Tensor2D, Tf } from './tf.ts'

export type { GridPlan }

/**
 * The CPU engine's grid rules (interpolation points, node spacing of the unsplit grid, cut-off in node
 * spacings, grid sizes, pair cost: grid-plan.ts), and the device's own knobs.
 */
export interface GridSettings extends FftSettings {
  transform: TransformKind
  /** Points per spread / gather / near-field range chunk. */
  pointsPerChunk: number
  /** Near-field pairs per chunk. */
  pairsPerChunk: number
}

export const GRID_DEFAULTS_2D: GridSettings = { ...FFT_DEFAULTS, transform: 'hartley', pointsPerChunk: 1 << 20, pairsPerChunk: 1 << 21 }
export const GRID_DEFAULTS_3D: GridSettings = { ...FFT3D_DEFAULTS, transform: 'hartley', pointsPerChunk: 1 << 19, pairsPerChunk: 1 << 21 }

/** Lagrange basis on nodes at k + 0.5 (k < p) for positions u (any shape); returns [..., p]. */
function lagrangeWeights(tf: Tf, u: Tensor, p: number): Tensor {
  const basis: Tensor[] = []
  for (let k = 0; k < p; k++) {
    let w: Tensor = tf.onesLike(u)
    for (let j = 0; j < p; j++) if (j !== k) w = tf.mul(w, tf.div(tf.sub(u, j + 0.5), k - j))
    basis.push(w)
  }
  return tf.stack(basis, -1)
}

/**
 * The repulsion engine for one run: chooses the grid each call (grid-plan.ts) and keeps the
 * convolution plan (cas matrices, kernel spectra) while the grid size, spacing and cut-off do not change.
 */
export class GridRepulsion {
  private conv: GridConvolution | undefined
  private key = ''
  readonly settings: GridSettings
  private readonly planner: GridPlanner

  constructor(
    private readonly tf: Tf,
    readonly dims: 2 | 3,
    readonly dof: number,
    settings: Partial<GridSettings> = {},
  ) {
    this.settings = { ...(dims === 2 ? GRID_DEFAULTS_2D : GRID_DEFAULTS_3D), ...settings }
    this.planner = new GridPlanner(dims, dof, this.settings)
  }

  private convolution(plan: GridPlan): GridConvolution {
    const key = `${plan.m}|${plan.l}|${plan.h}|${plan.cutoff}`
    if (this.conv && this.key === key) return this.conv
    if (this.conv) disposeConvolution(this.conv)
    const dof = this.dof
    const kernel = splitKernel(plan.cutoff, dof)
    const channelKernel = Array.from({ length: this.dims + 1 }, () => 0)
    this.conv = planConvolution(this.tf, this.settings.transform, plan.m, plan.l, this.dims, plan.h, [(s) => farKernel(s, kernel)], channelKernel)
    this.key = key
    return this.conv
  }

  /**
   * Repulsion for y ([n, dims] float32) with its bounds [min_0, max_0, min_1, max_1, ...]: forces
   * [n, dims] = sum_j K2(y_i - y_j) (y_i - y_j) (not divided by Z) and z (scalar) = sum_{i != j}
   * w(y_i - y_j). The caller owns (and disposes) both. Reads y to the host when the grid is chosen
   * afresh (every REPLAN_EVERY calls) and one pair count per near-field chunk.
   */
  async compute(y: Tensor2D, bounds: ArrayLike<number>): Promise<{ forces: Tensor2D; z: Tensor; plan: GridPlan }> {
    const tf = this.tf
    const { dims } = this
    const n = y.shape[0]
    const plan = this.planner.next(n, bounds, () => Float64Array.from(y.dataSync()))
    const conv = this.convolution(plan)
    if (plan.cutoff <= 0) return { ...this.farField(y, plan, conv), plan }
    const geometry = { dims, nodes: plan.l, spacing: plan.h, origin: plan.origin, cutoff: plan.cutoff }
    const sort = sortByCell(tf, y, geometry)
    try {
      const far = this.farField(sort.positions, plan, conv)
      const near = await nearField(tf, sort, geometry, splitKernel(plan.cutoff, this.dof), this.settings)
      const [forces, z] = tf.tidy(() => [tf.scatterND(sort.order.reshape([-1, 1]), tf.add(far.forces, near.forces), [n, dims]), tf.add(far.z, near.z)])
      for (const t of [far.forces, far.z, near.forces, near.z]) t.dispose()
      return { forces: forces as Tensor2D, z: z!, plan }
    } finally {
      disposeSort(sort)
    }
  }

  /** Steps 2-4 for y in any order: forces [n, dims] in that order and Z of the grid (n self terms removed). */
  private farField(y: Tensor2D, plan: GridPlan, conv: GridConvolution): { forces: Tensor2D; z: Tensor } {
    const tf = this.tf
    const { dims } = this
    const p = this.settings.interpolationPoints
    const nodes = p ** dims
    const channels = dims + 1
    const n = y.shape[0]
    const chunk = Math.max(1, this.settings.pointsPerChunk)
    const cells = plan.l ** dims
    const centre = tf.tensor1d(plan.origin.map((o) => o + (plan.l * plan.h) / 2))

    // nodes and weights of a chunk of points: indices [c, p^dims] int32, weights [c, p^dims]
    const stencil = (local: Tensor2D): { index: Tensor; weight: Tensor } => {
      const scaled = tf.div(tf.add(local, (plan.l * plan.h) / 2), plan.h) // node units from the grid corner
      const box = tf.clipByValue(tf.floor(tf.div(scaled, p)), 0, plan.boxes - 1)
      const u = tf.sub(scaled, tf.mul(box, p)) // [c, dims] in [0, p]
      const basis = lagrangeWeights(tf, u, p) // [c, dims, p]
      const base = tf.cast(tf.mul(box, p), 'int32') // [c, dims]
      const offsets = tf.range(0, p, 1, 'int32')
      const rows = local.shape[0]
      const axis = (c: number) => tf.squeeze(tf.slice(basis, [0, c, 0], [-1, 1, -1]), [1]) // [rows, p]
      const node = (c: number) => tf.add(tf.slice(base, [0, c], [-1, 1]), offsets.reshape([1, p])) // [rows, p]
      let weight: Tensor = axis(0)
      let index: Tensor = node(0)
      for (let c = 1; c < dims; c++) {
        weight = tf.mul(weight.reshape([rows, -1, 1]), axis(c).reshape([rows, 1, p])).reshape([rows, -1])
        index = tf.add(tf.mul(index.reshape([rows, -1, 1]), tf.scalar(plan.l, 'int32')), node(c).reshape([rows, 1, p])).reshape([rows, -1])
      }
      return { index, weight }
    }

    // spread
    let grid: Tensor = tf.zeros([cells, channels])
    for (let from = 0; from < n; from += chunk) {
      const next = tf.tidy(() => {
        const rows = Math.min(chunk, n - from)
        const local = tf.sub(tf.slice(y, [from, 0], [rows, dims]), centre) as Tensor2D
        const { index, weight } = stencil(local)
        const ones = tf.ones([rows, 1])
        const charges = tf.concat([ones, local], 1) // [rows, C]
        const values = tf.mul(weight.reshape([rows, nodes, 1]), charges.reshape([rows, 1, channels])).reshape([rows * nodes, channels])
        return tf.add(grid, tf.scatterND(index.reshape([-1, 1]), values, [cells, channels]))
      })
      grid.dispose()
      grid = next
    }
    const potentials = tf.tidy(() => {
      const field = convolve(tf, conv, tf.transpose(grid).reshape([channels, ...Array(dims).fill(plan.l)]))
      return tf.transpose(field.reshape([channels, cells])) // [cells, C]
    })
    grid.dispose()

    // interpolate back and combine
    const forceParts: Tensor[] = []
    let z: Tensor = tf.scalar(-n)
    for (let from = 0; from < n; from += chunk) {
      const [force, zPart] = tf.tidy(() => {
        const rows = Math.min(chunk, n - from)
        const local = tf.sub(tf.slice(y, [from, 0], [rows, dims]), centre) as Tensor2D
        const { index, weight } = stencil(local)
        const phi = tf.sum(tf.mul(tf.gather(potentials, index.reshape([-1]) as Tensor).reshape([rows, nodes, channels]), weight.reshape([rows, nodes, 1])), 1) // [rows, C]
        const phi0 = tf.slice(phi, [0, 0], [-1, 1])
        const phiY = tf.slice(phi, [0, 1], [-1, dims])
        const zScale = 2 / this.dof
        const pointZ = tf.sub(tf.mul(phi0, tf.add(tf.mul(tf.sum(tf.square(local), 1, true), zScale), 1)), tf.mul(tf.sum(tf.mul(local, phiY), 1, true), zScale))
        return [tf.sub(tf.mul(local, phi0), phiY), tf.sum(pointZ)]
      })
      forceParts.push(force!)
      const total = tf.add(z, zPart!)
      z.dispose()
      zPart!.dispose()
      z = total
    }
    potentials.dispose()
    centre.dispose()
    const forces = (forceParts.length === 1 ? forceParts[0]! : tf.concat(forceParts, 0)) as Tensor2D
    if (forceParts.length > 1) for (const part of forceParts) part.dispose()
    return { forces, z }
  }

  dispose(): void {
    if (this.conv) disposeConvolution(this.conv)
    this.conv = undefined
  }
}
