/**
 * @module methods/tsne/gradient/fft3d-grid — the grid side of the 3D FFT repulsion (fft3d.ts): the workspace,
 * padded strides, and the SPMD passes over its L^3 grids (forward transforms of the occupied planes, z-line
 * convolution with the kernel's transform, inverse transforms, the kernel transform itself, zeroing). The four
 * charges ride in two complex grids (1 + ix, y + iz): the kernel is real and even, so its transform is real
 * and the real and imaginary parts convolve independently. Transforms skip the zero padding: forward x runs
 * on the nodes^2 occupied lines, forward y on the occupied planes, and the inverse mirrors it. Rows and
 * planes are padded so strided column passes do not alias in the caches.
 */
import { rangeOf, type SpmdContext } from '../../../compute/barrier.ts'
import { forward, inverse, type FftTables } from './fft-core.ts'
import { createParticles, type Geometry, type ParticleWorkspace } from './fft-particles.ts'
import { FFT3D_DEFAULTS, type FftSettings } from './grid-plan.ts'
import { farKernel, type SplitKernel } from './split-kernel.ts'

/** Shared buffers of the 3D repulsion. Grid cell (x, y, z) of size L sits at z * planeStride(L) + y * rowStride(L) + x. */
export interface Fft3dWorkspace extends ParticleWorkspace {
  dims: 3
  /** Two complex grids: (1, x), (y, z). */
  re: Float64Array[]
  im: Float64Array[]
  kernelHat: Float64Array
}

/** Row and plane strides of a size-L grid: padded by one cache line so column passes do not alias. */
export function rowStride(L: number): number {
  return L + 8
}
export function planeStride(L: number): number {
  return L * rowStride(L) + 8
}

export function createFft3dWorkspace(n: number, settings: Partial<FftSettings> = {}): Fft3dWorkspace {
  const s = { ...FFT3D_DEFAULTS, ...settings }
  const cells = s.maxGrid * planeStride(s.maxGrid)
  const grid = () => new Float64Array(new SharedArrayBuffer(cells * 8))
  return { ...createParticles(n, 3, s), dims: 3, re: [grid(), grid()], im: [grid(), grid()], kernelHat: grid() }
}

export function strides3d(L: number): [number, number] {
  return [rowStride(L), planeStride(L)]
}

/** Columns transformed together in strided passes. */
const SLAB = 16

/** Forward transforms of this rank's node planes after the spread (x on the occupied lines, then y). */
export function forwardPass3d(ws: Fft3dWorkspace, g: Geometry, tables: FftTables, rank: number, threads: number): void {
  const [z0, z1] = rangeOf(g.nodes, rank, threads)
  for (let z = z0; z < z1; z++) forwardPlane(ws, g, tables, z, g.nodes, 2)
}

/** z-line convolutions of this rank's rows. */
export function convolvePass3d(ws: Fft3dWorkspace, g: Geometry, tables: FftTables, rank: number, threads: number): void {
  const [c0, c1] = rangeOf(g.L, rank, threads)
  convolveLines(ws, g, tables, c0, c1, 2)
}

/** Inverse transforms of this rank's node planes. */
export function inversePass3d(ws: Fft3dWorkspace, g: Geometry, tables: FftTables, rank: number, threads: number): void {
  const [z0, z1] = rangeOf(g.nodes, rank, threads)
  for (let z = z0; z < z1; z++) inversePlane(ws, g, tables, z, g.nodes, 2)
}

/** Forward x on lines y < occupied of plane z, then forward y on every column of the plane. */
function forwardPlane(ws: Fft3dWorkspace, g: Geometry, tables: FftTables, z: number, occupied: number, grids: number): void {
  const { L, rows, planes } = g
  for (let k = 0; k < grids; k++) {
    const re = ws.re[k]!
    const im = ws.im[k]!
    for (let y = 0; y < occupied; y++) forward(re, im, tables, z * planes + y * rows, 1, 1)
    for (let c = 0; c < L; c += SLAB) forward(re, im, tables, z * planes + c, rows, Math.min(SLAB, L - c))
  }
}

/** Inverse y on every column of plane z, then inverse x on lines y < occupied. */
function inversePlane(ws: Fft3dWorkspace, g: Geometry, tables: FftTables, z: number, occupied: number, grids: number): void {
  const { L, rows, planes } = g
  for (let k = 0; k < grids; k++) {
    const re = ws.re[k]!
    const im = ws.im[k]!
    for (let c = 0; c < L; c += SLAB) inverse(re, im, tables, z * planes + c, rows, Math.min(SLAB, L - c))
    for (let y = 0; y < occupied; y++) inverse(re, im, tables, z * planes + y * rows, 1, 1)
  }
}

/** z-lines of rows [y0, y1) (all x): forward, multiply by the kernel, inverse. */
function convolveLines(ws: Fft3dWorkspace, g: Geometry, tables: FftTables, y0: number, y1: number, grids: number): void {
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
export function transformKernel3d(ws: Fft3dWorkspace, g: Geometry, kernel: SplitKernel, tables: FftTables, ctx: SpmdContext): void {
  const { rank, size: threads, barrier } = ctx
  const { L, rows, planes, spacing } = g
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
}

/** This rank's share of the size-L grids (planes z), zeroed. */
export function zeroGrids3d(ws: Fft3dWorkspace, L: number, rank: number, threads: number): void {
  const planes = planeStride(L)
  const [z0, z1] = rangeOf(L, rank, threads)
  for (let k = 0; k < ws.re.length; k++) {
    ws.re[k]!.fill(0, z0 * planes, z1 * planes)
    ws.im[k]!.fill(0, z0 * planes, z1 * planes)
  }
}
