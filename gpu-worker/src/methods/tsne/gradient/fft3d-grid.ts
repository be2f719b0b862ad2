/**
 * @module methods/tsne/gradient/fft3d-grid — the grid side of the 3D FFT repulsion (fft3d.ts): the shared
 * workspace, padded strides, and the SPMD passes over the L^3 grids (forward transforms of the
 * occupied planes, z-line convolution with the kernel's transform, inverse transforms, the kernel
 * transform itself, zeroing).
 */
import { createWorkCounters, rangeOf, type SpmdContext } from '../../../compute/barrier.ts'
import { forward, inverse, type FftTables } from './fft-core.ts'
import { farKernel, type SplitKernel } from './split-kernel.ts'
import { FFT3D_DEFAULTS, type Fft3dSettings } from './fft3d-plan.ts'

/** Shared buffers of the 3D repulsion. Grid cell (x, y, z) of size L sits at z * planeStride(L) + y * rowStride(L) + x. */
export interface Fft3dWorkspace {
  settings: Fft3dSettings
  /** Two complex grids: (1, x), (y, z). */
  re: Float64Array[]
  im: Float64Array[]
  kernelHat: Float64Array
  /** [grid size L, node spacing, dof, cut-off] the kernel was transformed for */
  header: Float64Array
  /** The current plan, written by rank 0 (see PLAN_* in fft3d.ts). */
  plan: Float64Array
  /** Point indices sorted by near-field cell (one node spacing wide, z-major), and their coordinates in that order. */
  order: Int32Array
  sorted: Float64Array
  /** Start of each cell in `order`, length nodes^3 + 1. */
  cellStart: Int32Array
  cellOf: Int32Array
  /** Dynamic scheduling: [gather, near-field even slabs, odd slabs] (reset by rank 0 while planning). */
  work: Int32Array
  /** Near-field sums per sorted position [fx, fy, fz, z], zeroed again as the gather reads them. */
  near: Float64Array
  /** [L of the grids' dirty region, 0 when clean] */
  dirty: Int32Array
}

/** Row and plane strides of a size-L grid: padded by one cache line so column passes do not alias. */
export function rowStride(L: number): number {
  return L + 8
}
export function planeStride(L: number): number {
  return L * rowStride(L) + 8
}

export function createFft3dWorkspace(n: number, settings: Partial<Fft3dSettings> = {}): Fft3dWorkspace {
  const s = { ...FFT3D_DEFAULTS, ...settings }
  const cells = s.maxGrid * planeStride(s.maxGrid)
  const grid = () => new Float64Array(new SharedArrayBuffer(cells * 8))
  const maxNodes = Math.floor(s.maxGrid / 2 / s.interpolationPoints) * s.interpolationPoints
  return {
    settings: s,
    re: [grid(), grid()],
    im: [grid(), grid()],
    kernelHat: grid(),
    header: new Float64Array(new SharedArrayBuffer(32)),
    plan: new Float64Array(new SharedArrayBuffer(16 * 8)),
    order: new Int32Array(new SharedArrayBuffer(n * 4)),
    sorted: new Float64Array(new SharedArrayBuffer(n * 3 * 8)),
    cellStart: new Int32Array(new SharedArrayBuffer((maxNodes * maxNodes * maxNodes + 1) * 4)),
    cellOf: new Int32Array(new SharedArrayBuffer(n * 4)),
    work: createWorkCounters(3),
    near: new Float64Array(new SharedArrayBuffer(n * 4 * 8)),
    dirty: new Int32Array(new SharedArrayBuffer(4)),
  }
}

/** Geometry of the current plan, shared by the grid passes and the particle passes. */
export interface Geometry {
  L: number
  rows: number
  planes: number
  boxes: number
  nodes: number
  p: number
  spacing: number
  boxWidth: number
  originX: number
  originY: number
  originZ: number
  centreX: number
  centreY: number
  centreZ: number
  cutoff: number
  dof: number
}

/** Columns transformed together in strided passes. */
const SLAB = 16

/** Forward x on lines y < occupied of plane z, then forward y on every column of the plane. */
export function forwardPlane(ws: Fft3dWorkspace, g: Geometry, tables: FftTables, z: number, occupied: number, grids: number): void {
  const { L, rows, planes } = g
  for (let k = 0; k < grids; k++) {
    const re = ws.re[k]!
    const im = ws.im[k]!
    for (let y = 0; y < occupied; y++) forward(re, im, tables, z * planes + y * rows, 1, 1)
    for (let c = 0; c < L; c += SLAB) forward(re, im, tables, z * planes + c, rows, Math.min(SLAB, L - c))
  }
}

/** Inverse y on every column of plane z, then inverse x on lines y < occupied. */
export function inversePlane(ws: Fft3dWorkspace, g: Geometry, tables: FftTables, z: number, occupied: number, grids: number): void {
  const { L, rows, planes } = g
  for (let k = 0; k < grids; k++) {
    const re = ws.re[k]!
    const im = ws.im[k]!
    for (let c = 0; c < L; c += SLAB) inverse(re, im, tables, z * planes + c, rows, Math.min(SLAB, L - c))
    for (let y = 0; y < occupied; y++) inverse(re, im, tables, z * planes + y * rows, 1, 1)
  }
}

/** z-lines of rows [y0, y1) (all x): forward, multiply by the kernel, inverse. */
export function convolveLines(ws: Fft3dWorkspace, g: Geometry, tables: FftTables, y0: number, y1: number, grids: number): void {
  const { L, rows, planes } = g
  const kernelHat = ws.kernelHat
  for (let y = y0; y < y1; y++) {
    for (let c = 0; c < L; c += SLAB) {
      const offset = y * rows + c
      const count = Math.min(SLAB, L - c)
      for (let k = 0; k < grids; k++) forward(ws.re[k]!, ws.im[k]!, tables, offset, planes, count)
      for (let k = 0; k < grids; k++) {
        const re = ws.re[k]!
        const im = ws.im[k]!
        for (let z = 0; z < L; z++) {
          const o = z * planes + offset
          for (let v = 0; v < count; v++) {
            const h = kernelHat[o + v]!
            re[o + v]! *= h
            im[o + v]! *= h
          }
        }
      }
      for (let k = 0; k < grids; k++) inverse(ws.re[k]!, ws.im[k]!, tables, offset, planes, count)
    }
  }
}

/** SPMD: the far kernel at node offsets (circulant embedding), transformed once per (L, spacing, dof, cut-off). */
export function transformKernel(ws: Fft3dWorkspace, g: Geometry, spacing: number, kernel: SplitKernel, tables: FftTables, ctx: SpmdContext): void {
  const { rank, size: threads, barrier } = ctx
  const { L, rows, planes } = g
  const nodes = g.boxes * g.p
  const re = ws.re[0]!
  const im = ws.im[0]!
  const offset = (r: number) => (r < nodes ? r : r > L - nodes ? r - L : NaN)
  const [z0, z1] = rangeOf(L, rank, threads)
  for (let z = z0; z < z1; z++) {
    const dz = offset(z)
    for (let y = 0; y < L; y++) {
      const dy = offset(y)
      const at = z * planes + y * rows
      for (let x = 0; x < L; x++) {
        const dx = offset(x)
        re[at + x] = dx === dx && dy === dy && dz === dz ? farKernel((dx * dx + dy * dy + dz * dz) * spacing * spacing, kernel) : 0
        im[at + x] = 0
      }
    }
  }
  for (let z = z0; z < z1; z++) {
    for (let y = 0; y < L; y++) forward(re, im, tables, z * planes + y * rows, 1, 1)
    for (let c = 0; c < L; c += SLAB) forward(re, im, tables, z * planes + c, rows, Math.min(SLAB, L - c))
  }
  barrier()
  const [y0, y1] = rangeOf(L, rank, threads)
  const scale = 1 / (L * L * L)
  for (let y = y0; y < y1; y++) {
    for (let c = 0; c < L; c += SLAB) forward(re, im, tables, y * rows + c, planes, Math.min(SLAB, L - c))
    for (let z = 0; z < L; z++) {
      const at = z * planes + y * rows
      for (let x = 0; x < L; x++) ws.kernelHat[at + x] = re[at + x]! * scale
      re.fill(0, at, at + L)
      im.fill(0, at, at + L)
    }
  }
  barrier()
  if (rank === 0) {
    ws.header[0] = L
    ws.header[1] = spacing
    ws.header[2] = g.dof
    ws.header[3] = g.cutoff
  }
}

export function zeroGrids(ws: Fft3dWorkspace, L: number, rank: number, threads: number): void {
  const planes = planeStride(L)
  const [z0, z1] = rangeOf(L, rank, threads)
  for (let k = 0; k < ws.re.length; k++) {
    ws.re[k]!.fill(0, z0 * planes, z1 * planes)
    ws.im[k]!.fill(0, z0 * planes, z1 * planes)
  }
}
