/**
 * @module methods/tsne/gradient/fft3d — FFT-accelerated interpolation for 3D repulsion (the 3D analogue of
 * fft2d.ts, as FIt-SNE does 3D), the point side: charges [1, x, y, z] of every point are spread onto p^3
 * Lagrange nodes of its box on an equispaced L^3 grid, convolved by FFT with the smooth far part of the
 * squared Cauchy kernel (split-kernel.ts; fft3d-grid.ts), interpolated back, and the short-range remainder is
 * summed exactly over the pairs within the cut-off, found through cells one node spacing wide (sorted
 * z-major, rows of cells clipped to the cut-off sphere). FIt-SNE's fifth charge |y_j|^2 (for Z) is not
 * needed: only the total Z enters the gradient, and by the symmetry of the interpolated kernel
 * sum_i sum_j K_ij |y_j|^2 = sum_i |y_i|^2 phi0_i, so pointZ[i] carries
 * phi0_i (1 + 2|y_i|^2/dof) - 2 y_i.phi_i/dof, whose sum is Z (per-point values differ from the exact ones;
 * their sum does not). The passes run in the order fft-repulsion.ts gives both dimensions.
 * Per iteration O(n p^3 + L^3 log L + near pairs); every sum has a fixed order, independent of the thread
 * count.
 */
import { lagrangeDenominators } from './lagrange.ts'
import { boxAndWeights, type Geometry, type GridPasses } from './fft-particles.ts'
import { convolvePass3d, forwardPass3d, inversePass3d, strides3d, transformKernel3d, zeroGrids3d, type Fft3dWorkspace } from './fft3d-grid.ts'
import { cellIndex } from './replan.ts'
import { nearFieldTerms, type SplitKernel } from './split-kernel.ts'

/** The 3D repulsion's passes, in the shared order (fft-repulsion.ts). */
export const GRID_3D: GridPasses<Fft3dWorkspace> = {
  strides: strides3d,
  transformKernel: transformKernel3d,
  zeroGrids: zeroGrids3d,
  spread,
  near: nearSlab,
  forward: forwardPass3d,
  convolve: convolvePass3d,
  inverse: inversePass3d,
  gather,
}

/** Spreads charges [1, x, y, z] (relative to the grid centre) of sorted points [from, to). */
function spread(ws: Fft3dWorkspace, g: Geometry, from: number, to: number): void {
  const { sorted } = ws
  const [re0, re1] = ws.re as [Float64Array, Float64Array]
  const [im0, im1] = ws.im as [Float64Array, Float64Array]
  const { rows, planes, p, originX, originY, originZ, centreX, centreY, centreZ } = g
  const denominators = lagrangeDenominators(p)
  const wx = new Float64Array(p)
  const wy = new Float64Array(p)
  const wz = new Float64Array(p)
  for (let t = from; t < to; t++) {
    const px = sorted[3 * t]!
    const py = sorted[3 * t + 1]!
    const pz = sorted[3 * t + 2]!
    const bx = boxAndWeights(px, originX, g, denominators, wx)
    const by = boxAndWeights(py, originY, g, denominators, wy)
    const bz = boxAndWeights(pz, originZ, g, denominators, wz)
    const x = px - centreX
    const yy = py - centreY
    const z = pz - centreZ
    for (let kz = 0; kz < p; kz++) {
      const planeOffset = (bz * p + kz) * planes + by * p * rows + bx * p
      const wzk = wz[kz]!
      for (let ky = 0; ky < p; ky++) {
        const rowOffset = planeOffset + ky * rows
        const wyz = wzk * wy[ky]!
        for (let kx = 0; kx < p; kx++) {
          const w = wyz * wx[kx]!
          const at = rowOffset + kx
          re0[at]! += w
          im0[at]! += w * x
          re1[at]! += w * yy
          im1[at]! += w * z
        }
      }
    }
  }
}

/** Interpolated far field plus the near-field sums (see nearSlab) for sorted positions [start, end). */
function gather(ws: Fft3dWorkspace, g: Geometry, start: number, end: number, forces: Float64Array, pointZ: Float64Array): void {
  const { order, sorted, near } = ws
  const [re0, re1] = ws.re as [Float64Array, Float64Array]
  const [im0, im1] = ws.im as [Float64Array, Float64Array]
  const { rows, planes, p, originX, originY, originZ, centreX, centreY, centreZ, cutoff, dof } = g
  const denominators = lagrangeDenominators(p)
  const wx = new Float64Array(p)
  const wy = new Float64Array(p)
  const wz = new Float64Array(p)
  for (let t = start; t < end; t++) {
    const px = sorted[3 * t]!
    const py = sorted[3 * t + 1]!
    const pz = sorted[3 * t + 2]!
    const bx = boxAndWeights(px, originX, g, denominators, wx)
    const by = boxAndWeights(py, originY, g, denominators, wy)
    const bz = boxAndWeights(pz, originZ, g, denominators, wz)
    let phi0 = 0
    let phiX = 0
    let phiY = 0
    let phiZ = 0
    for (let kz = 0; kz < p; kz++) {
      const planeOffset = (bz * p + kz) * planes + by * p * rows + bx * p
      const wzk = wz[kz]!
      for (let ky = 0; ky < p; ky++) {
        const rowOffset = planeOffset + ky * rows
        const wyz = wzk * wy[ky]!
        for (let kx = 0; kx < p; kx++) {
          const w = wyz * wx[kx]!
          const at = rowOffset + kx
          phi0 += w * re0[at]!
          phiX += w * im0[at]!
          phiY += w * re1[at]!
          phiZ += w * im1[at]!
        }
      }
    }
    const x = px - centreX
    const yy = py - centreY
    const z = pz - centreZ
    let forceX = x * phi0 - phiX
    let forceY = yy * phi0 - phiY
    let forceZ = z * phi0 - phiZ
    // sum_j K2 (1 + s_ij/dof) with sum_j K2 |y_j|^2 replaced by its symmetric partner |y_i|^2 phi0_i
    let zSum = phi0 + (2 * (x * x + yy * yy + z * z) * phi0 - 2 * (x * phiX + yy * phiY + z * phiZ)) / dof - 1
    if (cutoff > 0) {
      forceX += near[4 * t]!
      forceY += near[4 * t + 1]!
      forceZ += near[4 * t + 2]!
      zSum += near[4 * t + 3]!
      near.fill(0, 4 * t, 4 * t + 4)
    }
    const i = order[t]!
    forces[3 * i] = forceX
    forces[3 * i + 1] = forceY
    forces[3 * i + 2] = forceZ
    pointZ[i] = zSum
  }
}


/**
 * Near field of the points in cell planes [slab * slabPlanes, (slab + 1) * slabPlanes): exact K2 minus its
 * far part over the pairs closer than the cut-off, each pair once. A point takes the pairs with the points
 * after it in its own cell row, every point in the rows above it in its plane and in the `reach` planes
 * above (rows skipped or clipped to the cut-off sphere; pairs beyond it get weight exactly 0, branch-free),
 * adding to its own sums and subtracting from its partner's. Partners lie in this slab or the next, so
 * slabs of one parity never touch the same sums, and each sum is built in an order fixed by the slabs
 * alone: the result does not depend on the thread count.
 */
function nearSlab(ws: Fft3dWorkspace, g: Geometry, kernel: SplitKernel, slab: number, slabPlanes: number): void {
  const { sorted, cellStart, near } = ws
  const { nodes, spacing, originX, originY, originZ, dof } = g
  const last = nodes - 1
  const planeFrom = slab * slabPlanes
  const planeTo = Math.min(nodes, planeFrom + slabPlanes)
  const { sc, ka, kb, heavy, inverseDof, self } = nearFieldTerms(kernel)
  for (let t = cellStart[planeFrom * nodes * nodes]!; t < cellStart[planeTo * nodes * nodes]!; t++) {
    const px = sorted[3 * t]!
    const py = sorted[3 * t + 1]!
    const pz = sorted[3 * t + 2]!
    const cy = cellIndex(py, originY, spacing, last)
    const cz = cellIndex(pz, originZ, spacing, last)
    let forceX = 0
    let forceY = 0
    let forceZ = 0
    let zSum = self
    for (let nz = cz; nz <= Math.min(last, cz + slabPlanes); nz++) {
      const slabZ = originZ + nz * spacing
      const gapZ = pz < slabZ ? slabZ - pz : pz > slabZ + spacing ? pz - slabZ - spacing : 0
      const restZ = sc - gapZ * gapZ
      if (restZ <= 0) break
      for (let ny = nz === cz ? cy : Math.max(0, cy - slabPlanes); ny <= Math.min(last, cy + slabPlanes); ny++) {
        const slabY = originY + ny * spacing
        const gapY = py < slabY ? slabY - py : py > slabY + spacing ? py - slabY - spacing : 0
        const rest = restZ - gapY * gapY
        if (rest <= 0) continue
        const extent = Math.sqrt(rest)
        const row = (nz * nodes + ny) * nodes
        const to = cellStart[row + cellIndex(px + extent, originX, spacing, last) + 1]!
        const from = nz === cz && ny === cy ? t + 1 : cellStart[row + cellIndex(px - extent, originX, spacing, last)]!
        for (let u = from; u < to; u++) {
          const dx = px - sorted[3 * u]!
          const dy = py - sorted[3 * u + 1]!
          const dz = pz - sorted[3 * u + 2]!
          const s = dx * dx + dy * dy + dz * dz
          const e = s < sc ? s - sc : 0
          const base = 1 / (1 + s * inverseDof)
          const k2 = s < sc ? (heavy ? base ** (dof + 1) : base * base) : ka
          const w = k2 - (ka + e * kb)
          const wx = w * dx
          const wy = w * dy
          const wz = w * dz
          const wZ = w * (1 + s * inverseDof)
          forceX += wx
          forceY += wy
          forceZ += wz
          zSum += wZ
          near[4 * u]! -= wx
          near[4 * u + 1]! -= wy
          near[4 * u + 2]! -= wz
          near[4 * u + 3]! += wZ
        }
      }
    }
    near[4 * t]! += forceX
    near[4 * t + 1]! += forceY
    near[4 * t + 2]! += forceZ
    near[4 * t + 3]! += zSum
  }
}
