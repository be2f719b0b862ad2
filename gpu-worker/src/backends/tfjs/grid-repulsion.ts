/**
 * @module backends/tfjs/grid-repulsion — the repulsive forces of t-SNE in O(n) per iteration by
 * interpolation on a grid (FIt-SNE, Linderman et al. 2019), as tensor ops:
 *
 * 1. plan (host): a grid of L nodes per side (L = boxes * p, p Lagrange nodes per box) of spacing h
 *    over the map's bounding box, inside an M^dims FFT grid (M = power of two >= 2L);
 * 2. spread: each point puts its charges [1, y_1 .. y_dims, 1] on its p^dims nodes with Lagrange
 *    weights (a scatter-add, tf.scatterND, over flattened node indices; tfjs' CPU unsortedSegmentSum is
 *    O(segments x values), so it is avoided);
 * 3. convolve (transforms.ts): channels 0..dims with K2(s) = (1 + s/dof)^-(dof+1), the last with
 *    the Student-t kernel w(s) = (1 + s/dof)^-dof;
 * 4. interpolate back (tf.gather) and combine: rep_i = y_i phi_0 - phi_y, Z = sum_i phi_w - n.
 *
 * Z gets its own kernel instead of FIt-SNE's |y|^2 charge: that trick loses everything to
 * cancellation in float32 on wide maps. Coordinates are taken relative to the grid centre.
 * Points are processed in chunks, so the device memory of steps 2 and 4 is bounded by
 * `pointsPerChunk * p^dims * (dims + 2) * 4 bytes` (times ~3 for temporaries), whatever n is.
 */
import { convolve, disposeConvolution, planConvolution, type GridConvolution, type TransformKind } from './transforms.ts'
import type { Tensor, Tensor2D, Tf } from './tf.ts'

export interface GridSettings {
  /** Lagrange nodes per box side. */
  interpolationPoints: number
  /** Largest node spacing in map units; the grid grows (up to maxGrid) to keep it. */
  maxNodeSpacing: number
  /** Smallest and largest FFT grid side M (powers of two); maxGrid caps memory (see MEMORY). */
  minGrid: number
  maxGrid: number
  transform: TransformKind
  /** Points per spread / gather chunk. */
  pointsPerChunk: number
}

export const GRID_DEFAULTS_2D: GridSettings = { interpolationPoints: 3, maxNodeSpacing: 1 / 3, minGrid: 32, maxGrid: 4096, transform: 'hartley', pointsPerChunk: 1 << 20 }
export const GRID_DEFAULTS_3D: GridSettings = { interpolationPoints: 3, maxNodeSpacing: 1 / 2, minGrid: 16, maxGrid: 256, transform: 'hartley', pointsPerChunk: 1 << 19 }

export interface GridPlan {
  /** FFT grid side. */
  m: number
  /** Boxes per side and nodes per side (boxes * p). */
  boxes: number
  l: number
  /** Node spacing (map units), on a 2^(1/8) ladder so kernel spectra are reused between iterations. */
  h: number
  /** Lower corner of the grid per dimension (map units). */
  origin: number[]
}

function nextPowerOfTwo(x: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, x)))
}

/** Chooses the grid for a map with per-dimension bounds [min_0, max_0, min_1, max_1, ...]. */
export function planGrid(bounds: ArrayLike<number>, dims: number, s: GridSettings): GridPlan {
  const p = s.interpolationPoints
  let range = 0
  for (let c = 0; c < dims; c++) range = Math.max(range, bounds[2 * c + 1]! - bounds[2 * c]!)
  range = Math.max(range, 1e-6) * (1 + 1e-6)
  const nodesNeeded = Math.ceil(range / (p * s.maxNodeSpacing)) * p
  const m = Math.min(s.maxGrid, Math.max(s.minGrid, nextPowerOfTwo(2 * nodesNeeded)))
  const boxes = Math.floor(m / 2 / p)
  const l = boxes * p
  // the finest ladder spacing that still covers the range: the whole grid works for accuracy
  const h = 2 ** (Math.ceil(8 * Math.log2(range / l)) / 8)
  const origin = Array.from({ length: dims }, (_, c) => (bounds[2 * c]! + bounds[2 * c + 1]!) / 2 - (l * h) / 2)
  return { m, boxes, l, h, origin }
}

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
 * The repulsion engine for one run: keeps the convolution plan (cas matrices, kernel spectra)
 * while the grid size and spacing do not change.
 */
export class GridRepulsion {
  private conv: GridConvolution | undefined
  private key = ''
  readonly settings: GridSettings

  constructor(
    private readonly tf: Tf,
    readonly dims: 2 | 3,
    readonly dof: number,
    settings: Partial<GridSettings> = {},
  ) {
    this.settings = { ...(dims === 2 ? GRID_DEFAULTS_2D : GRID_DEFAULTS_3D), ...settings }
  }

  private convolution(plan: GridPlan): GridConvolution {
    const key = `${plan.m}|${plan.l}|${plan.h}`
    if (this.conv && this.key === key) return this.conv
    if (this.conv) disposeConvolution(this.conv)
    const dof = this.dof
    const k2 = (s: number) => (dof === 1 ? 1 / (1 + s) ** 2 : (1 + s / dof) ** -(dof + 1))
    const w = (s: number) => (dof === 1 ? 1 / (1 + s) : (1 + s / dof) ** -dof)
    const channelKernel = [...Array.from({ length: this.dims + 1 }, () => 0), 1]
    this.conv = planConvolution(this.tf, this.settings.transform, plan.m, plan.l, this.dims, plan.h, [k2, w], channelKernel)
    this.key = key
    return this.conv
  }

  /**
   * Repulsion for y ([n, dims] float32) with its bounds: forces [n, dims] = sum_j K2(y_i - y_j)
   * (y_i - y_j) (not divided by Z) and z (scalar) = sum_{i != j} w(y_i - y_j). The caller owns
   * (and disposes) both.
   */
  compute(y: Tensor2D, bounds: ArrayLike<number>): { forces: Tensor2D; z: Tensor; plan: GridPlan } {
    const tf = this.tf
    const { dims } = this
    const plan = planGrid(bounds, dims, this.settings)
    const conv = this.convolution(plan)
    const p = this.settings.interpolationPoints
    const nodes = p ** dims
    const channels = dims + 2
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
        const charges = tf.concat([ones, local, ones], 1) // [rows, C]
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
        const phiW = tf.slice(phi, [0, dims + 1], [-1, 1])
        return [tf.sub(tf.mul(local, phi0), phiY), tf.sum(phiW)]
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
    return { forces, z, plan }
  }

  dispose(): void {
    if (this.conv) disposeConvolution(this.conv)
    this.conv = undefined
  }
}
