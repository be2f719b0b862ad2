/**
 * @module methods/tsne/gradient/fft2d-grid — the grid side of the 2D FFT repulsion (fft2d.ts): the workspace
 * and the SPMD passes over its L x L grids. Charges 1 and x ride in one complex grid (a), the y charge in a
 * real one convolved for half the work (fft-real.ts: node rows 2r and 2r + 1 packed into row r of b, their
 * spectra in the compact grid c); the kernel is real and even, so its transform is real and each part
 * convolves independently.
 */
import { rangeOf, type SpmdContext } from '../../../compute/barrier.ts'
import { forward, forwardColumns, forwardRows, inverse, inverseColumns, inverseRows, type FftTables } from './fft-core.ts'
import { packRows, spectrumOrder, unpackRows } from './fft-real.ts'
import { createParticles, type Geometry, type ParticleWorkspace } from './fft-particles.ts'
import { FFT_DEFAULTS, type FftSettings } from './grid-plan.ts'
import { farKernel, type SplitKernel } from './split-kernel.ts'

export interface FftWorkspace extends ParticleWorkspace {
  dims: 2
  aRe: Float64Array
  aIm: Float64Array
  /** The y charge, real: node rows 2r and 2r + 1 as the real and imaginary parts of row r (fft-real.ts). */
  bRe: Float64Array
  bIm: Float64Array
  /** Its spectra, L rows x (L/2 + 1) compact columns, and the kernel's transform in the same columns. */
  cRe: Float64Array
  cIm: Float64Array
  kernelCompact: Float64Array
  kernelHat: Float64Array
}

export function createFftWorkspace(n: number, settings: Partial<FftSettings> = {}): FftWorkspace {
  const s = { ...FFT_DEFAULTS, ...settings }
  const cells = s.maxGrid * s.maxGrid
  const grid = () => new Float64Array(new SharedArrayBuffer(cells * 8))
  const compact = () => new Float64Array(new SharedArrayBuffer(s.maxGrid * (s.maxGrid / 2 + 1) * 8))
  return {
    ...createParticles(n, 2, s),
    dims: 2,
    aRe: grid(),
    aIm: grid(),
    bRe: grid(),
    bIm: grid(),
    cRe: compact(),
    cIm: compact(),
    kernelCompact: compact(),
    kernelHat: grid(),
  }
}

/** Rows are L apart (no padding in 2D). */
export function strides2d(L: number): [number, number] {
  return [L, L * L]
}

/** SPMD: the far kernel at node offsets, circulant embedding, transformed once per (L, spacing, dof, cut-off). */
export function transformKernel2d(ws: FftWorkspace, g: Geometry, kernel: SplitKernel, tables: FftTables, ctx: SpmdContext): void {
  const { rank, size: threads, barrier } = ctx
  const { aRe, aIm, kernelHat } = ws
  const { L, nodes } = g
  // the node spacing as the box width over p: the transform the maps have always been computed with
  const spacing = g.boxWidth / g.p
  const [r0, r1] = rangeOf(L, rank, threads)
  for (let r = r0; r < r1; r++) {
    const dr = r < nodes ? r : r > L - nodes ? r - L : NaN
    for (let c = 0; c < L; c++) {
      const dc = c < nodes ? c : c > L - nodes ? c - L : NaN
      let value = 0
      if (dr === dr && dc === dc) value = farKernel((dr * dr + dc * dc) * spacing * spacing, kernel)
      aRe[r * L + c] = value
      aIm[r * L + c] = 0
    }
  }
  barrier()
  forwardRows(aRe, aIm, tables, r0, r1)
  barrier()
  const [c0, c1] = rangeOf(L, rank, threads)
  forwardColumns(aRe, aIm, tables, c0, c1)
  const scale = 1 / (L * L)
  for (let r = 0; r < L; r++) {
    for (let c = c0; c < c1; c++) kernelHat[r * L + c] = aRe[r * L + c]! * scale
    aRe.fill(0, r * L + c0, r * L + c1)
    aIm.fill(0, r * L + c0, r * L + c1)
  }
  barrier()
  const { width, half } = spectrumOrder(L)
  const [j0, j1] = rangeOf(width, rank, threads)
  for (let r = 0; r < L; r++) for (let j = j0; j < j1; j++) ws.kernelCompact[r * width + j] = kernelHat[r * L + half[j]!]!
  barrier()
}

/** Row transforms of the spread charges: the a grid's node rows, the packed y rows split into their spectra. */
export function forwardPass2d(ws: FftWorkspace, g: Geometry, tables: FftTables, rank: number, threads: number): void {
  const [r0, r1] = rangeOf(g.nodes, rank, threads)
  forwardRows(ws.aRe, ws.aIm, tables, r0, r1)
  const [q0, q1] = rangeOf(Math.ceil(g.nodes / 2), rank, threads)
  forwardRows(ws.bRe, ws.bIm, tables, q0, q1)
  unpackRows(ws.bRe, ws.bIm, ws.cRe, ws.cIm, spectrumOrder(g.L), q0, q1)
}

/** Column transforms, the product with the kernel and the inverse column transforms, for both grids. */
export function convolvePass2d(ws: FftWorkspace, g: Geometry, tables: FftTables, rank: number, threads: number): void {
  const [c0, c1] = rangeOf(g.L, rank, threads)
  convolveColumns(ws, tables, c0, c1)
  const width = spectrumOrder(g.L).width
  const [j0, j1] = rangeOf(width, rank, threads)
  convolveCompactColumns(ws, tables, width, j0, j1)
}

/** Inverse row transforms back to potentials on the nodes (the y spectra packed into rows first). */
export function inversePass2d(ws: FftWorkspace, g: Geometry, tables: FftTables, rank: number, threads: number): void {
  const [r0, r1] = rangeOf(g.nodes, rank, threads)
  inverseRows(ws.aRe, ws.aIm, tables, r0, r1)
  const [q0, q1] = rangeOf(Math.ceil(g.nodes / 2), rank, threads)
  packRows(ws.cRe, ws.cIm, ws.bRe, ws.bIm, spectrumOrder(g.L), q0, q1)
  inverseRows(ws.bRe, ws.bIm, tables, q0, q1)
}

/** Columns [c0, c1) of the a grid in slabs: transform, multiply by the kernel (both bit-reversed), transform back. */
function convolveColumns(ws: FftWorkspace, tables: FftTables, c0: number, c1: number): void {
  const { aRe, aIm, kernelHat } = ws
  const L = tables.size
  const slab = 32
  for (let s0 = c0; s0 < c1; s0 += slab) {
    const s1 = Math.min(c1, s0 + slab)
    forwardColumns(aRe, aIm, tables, s0, s1)
    for (let r = 0; r < L; r++) {
      const o = r * L
      for (let c = s0; c < s1; c++) {
        const k = kernelHat[o + c]!
        aRe[o + c]! *= k
        aIm[o + c]! *= k
      }
    }
    inverseColumns(aRe, aIm, tables, s0, s1)
  }
}

/** The same for compact columns [j0, j1) of the y charge's spectra (rows `width` apart). */
function convolveCompactColumns(ws: FftWorkspace, tables: FftTables, width: number, j0: number, j1: number): void {
  const { cRe, cIm, kernelCompact } = ws
  const L = tables.size
  const slab = 16
  for (let s0 = j0; s0 < j1; s0 += slab) {
    const count = Math.min(j1, s0 + slab) - s0
    forward(cRe, cIm, tables, s0, width, count)
    for (let r = 0; r < L; r++) {
      const o = r * width + s0
      for (let c = 0; c < count; c++) {
        const k = kernelCompact[o + c]!
        cRe[o + c]! *= k
        cIm[o + c]! *= k
      }
    }
    inverse(cRe, cIm, tables, s0, width, count)
  }
}

/** This rank's share of the grids of size L, zeroed. */
export function zeroGrids2d(ws: FftWorkspace, L: number, rank: number, threads: number): void {
  const [r0, r1] = rangeOf(L, rank, threads)
  ws.aRe.fill(0, r0 * L, r1 * L)
  ws.aIm.fill(0, r0 * L, r1 * L)
  const width = L / 2 + 1
  ws.cRe.fill(0, r0 * width, r1 * width)
  ws.cIm.fill(0, r0 * width, r1 * width)
  // the packed y charge uses at most L / 2 rows (nodes <= L / 2)
  const [q0, q1] = rangeOf(L / 2, rank, threads)
  ws.bRe.fill(0, q0 * L, q1 * L)
  ws.bIm.fill(0, q0 * L, q1 * L)
}
