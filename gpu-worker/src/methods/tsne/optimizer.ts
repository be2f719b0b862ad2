/**
 * @module methods/tsne/optimizer — gradient descent with momentum and per-coordinate gains (Jacobs 1988,
 * as in bhtsne / FIt-SNE), run as an SPMD kernel: every rank owns a contiguous slice of points,
 * the repulsion backend shares work through barriers, and all reductions (Z, KL, mean) are summed
 * over fixed chunks in a fixed order so the result never depends on the thread count.
 */
import { claimChunk, createWorkCounters, rangeOf, type SpmdContext } from '../../compute/barrier.ts'
import type { SparseAffinities } from './affinities.ts'
import type { Segment } from './kernels.ts'
import type { GradientMethod } from './options.ts'
import { attraction } from './gradient/attraction.ts'
import { bhRepulsion, buildTree, createBhWorkspace, type BhWorkspace } from './gradient/bh.ts'
import { exactRepulsion } from './gradient/exact.ts'
import { clearGrids, createFft3dWorkspace, createFftWorkspace, fftRepulsion, planFftRepulsion, type FftSettings, type InterpolationWorkspace } from './gradient/fft-repulsion.ts'

const CHUNK = 4096
const MAX_RANKS = 64

/** Everything the optimisation kernel touches, all in shared memory. */
export interface OptimizerState {
  n: number
  dims: number
  method: GradientMethod
  dof: number
  theta: number
  affinities: SparseAffinities
  /** Embedding, row-major n x dims. */
  y: Float64Array
  update: Float64Array
  gains: Float64Array
  repulsion: Float64Array
  attractionForces: Float64Array
  pointZ: Float64Array
  klTerms: Float64Array
  /** Per row sum_j p_ij log p_ij, NaN until the first KL report computes it. */
  rowEntropy: Float64Array
  /** Per chunk: [sum z, sum kl, sum y_0 .. y_dims-1] */
  chunkSums: Float64Array
  /** Per rank: [min_0, max_0, min_1, max_1, ...] */
  rankBounds: Float64Array
  /** Latest frame, row-major n x dims float32. */
  frame: Float32Array
  /** [Z, KL] after the last segment */
  status: Float64Array
  /** [requested, decided]: the caller sets requested = 1 to stop after the current iteration. */
  abort: Int32Array
  /** Dynamic-scheduling counters (see WORK_SLOTS). */
  work: Int32Array
  bh?: BhWorkspace
  /** FFT interpolation workspace (2D or 3D). */
  fft?: InterpolationWorkspace
}

const shared64 = (length: number) => new Float64Array(new SharedArrayBuffer(Math.max(1, length) * 8))

export function createOptimizerState(
  affinities: SparseAffinities,
  initial: Float64Array,
  dims: number,
  method: GradientMethod,
  { dof = 1, theta = 0.5, fft = {}, fft3d = {} }: { dof?: number; theta?: number; fft?: Partial<FftSettings>; fft3d?: Partial<FftSettings> } = {},
): OptimizerState {
  const n = affinities.n
  const y = shared64(n * dims)
  y.set(initial.subarray(0, n * dims))
  const gains = shared64(n * dims)
  gains.fill(1)
  return {
    n,
    dims,
    method,
    dof,
    theta,
    affinities,
    y,
    update: shared64(n * dims),
    gains,
    repulsion: shared64(n * dims),
    attractionForces: shared64(n * dims),
    pointZ: shared64(n),
    klTerms: shared64(n),
    rowEntropy: shared64(n).fill(NaN),
    chunkSums: shared64(Math.ceil(n / CHUNK) * (2 + dims)),
    rankBounds: shared64(MAX_RANKS * 2 * dims),
    frame: new Float32Array(new SharedArrayBuffer(n * dims * 4)),
    status: shared64(2),
    abort: new Int32Array(new SharedArrayBuffer(8)),
    work: createWorkCounters(WORK_SLOTS),
    bh: method === 'bh' ? createBhWorkspace(n, dims) : undefined,
    fft: method !== 'fft' ? undefined : dims === 3 ? createFft3dWorkspace(n, fft3d) : createFftWorkspace(n, { ...fft, maxGrid: fft.maxGrid ?? (n > 200_000 ? 2048 : 1024) }),
  }
}

/** Resets momentum state between phases (as openTSNE does between its two optimise calls). */
export function resetMomentum(state: OptimizerState): void {
  state.update.fill(0)
  state.gains.fill(1)
}

/** Rows of attraction (or Barnes-Hut points) handed out per claim. */
const ROW_CHUNK = 128

/** Work-counter slots: attraction and repulsion, one of each per iteration parity. */
const WORK_SLOTS = 4

/** Per-rank [min, max] of every coordinate over its own rows into rankBounds. */
function ownBounds(y: Float64Array, dims: number, start: number, end: number, rankBounds: Float64Array, rank: number): void {
  for (let c = 0; c < dims; c++) {
    let lo = Infinity
    let hi = -Infinity
    for (let i = start; i < end; i++) {
      const v = y[i * dims + c]!
      if (v < lo) lo = v
      if (v > hi) hi = v
    }
    rankBounds[rank * 2 * dims + 2 * c] = lo
    rankBounds[rank * 2 * dims + 2 * c + 1] = hi
  }
}

/** Bounds of the map [min_0, max_0, ...] from every rank's own (see ownBounds). */
function fftBounds(rankBounds: Float64Array, dims: number, size: number, out: Float64Array): void {
  for (let c = 0; c < dims; c++) {
    let lo = Infinity
    let hi = -Infinity
    for (let r = 0; r < size; r++) {
      lo = Math.min(lo, rankBounds[r * 2 * dims + 2 * c]!)
      hi = Math.max(hi, rankBounds[r * 2 * dims + 2 * c + 1]!)
    }
    out[2 * c] = lo
    out[2 * c + 1] = hi
  }
}

/** Sum of values[0 .. n) over fixed chunks in a fixed order (the same bits for any thread count). */
function chunkedSum(values: Float64Array, n: number): number {
  let total = 0
  for (let c = 0; c < n; c += CHUNK) {
    let sum = 0
    const to = Math.min(n, c + CHUNK)
    for (let i = c; i < to; i++) sum += values[i]!
    total += sum
  }
  return total
}

/**
 * SPMD kernel: runs `segment.iterations` iterations; returns the iterations completed. Per
 * iteration the ranks meet after the forces and after the update (plus inside the repulsion);
 * the map is re-centred once, at the end of the segment (the gradient does not depend on it).
 */
export function optimizeKernel(payload: { state: OptimizerState; segment: Segment }, ctx: SpmdContext): number {
  const { state, segment } = payload
  const { n, dims, dof, y, update, gains, repulsion, attractionForces, pointZ, klTerms, chunkSums, rankBounds, work } = state
  const { rank, size, barrier } = ctx
  const [start, end] = rangeOf(n, rank, size)
  const chunks = Math.ceil(n / CHUNK)
  const [chunk0, chunk1] = rangeOf(chunks, rank, size)
  const stride = 2 + dims
  const bounds = new Float64Array(2 * dims)
  if (rank === 0) work.fill(0)
  ownBounds(y, dims, start, end, rankBounds, rank)
  barrier()
  let done = 0
  for (let iteration = 0; iteration < segment.iterations; iteration++) {
    const last = iteration === segment.iterations - 1
    const reportKl = segment.reportKl && last
    const parity = iteration & 1

    // rank 0 prepares the repulsion (the grid plan and point sort, or the tree) while the others start
    // on the attraction; its dynamic chunks even out the difference
    if (state.method === 'fft') fftBounds(rankBounds, dims, size, bounds)
    if (rank === 0) {
      if (state.method === 'fft') planFftRepulsion(y, n, dof, bounds, state.fft!)
      else if (state.method === 'bh') buildTree(y, n, dims, state.bh!)
    }
    for (let from = claimChunk(work, parity, ROW_CHUNK, n); from >= 0; from = claimChunk(work, parity, ROW_CHUNK, n)) {
      attraction(state.affinities, y, dims, dof, from, Math.min(n, from + ROW_CHUNK), attractionForces, reportKl ? { terms: klTerms, rowEntropy: state.rowEntropy } : undefined)
    }
    barrier()
    if (state.method === 'fft') {
      fftRepulsion(y, n, dof, bounds, state.fft!, repulsion, pointZ, ctx, true)
    } else if (state.method === 'bh') {
      for (let from = claimChunk(work, 2 + parity, ROW_CHUNK, n); from >= 0; from = claimChunk(work, 2 + parity, ROW_CHUNK, n)) {
        bhRepulsion(n, dims, dof, state.theta, state.bh!, repulsion, pointZ, from, Math.min(n, from + ROW_CHUNK))
      }
    } else {
      exactRepulsion(y, n, dims, dof, repulsion, pointZ, ctx)
    }
    barrier()
    if (state.fft) clearGrids(state.fft, ctx)
    // every rank sums all of pointZ itself (fixed chunks, fixed order): no extra meeting
    const sumZ = chunkedSum(pointZ, n)
    if (reportKl && rank === 0) {
      state.status[0] = sumZ
      state.status[1] = chunkedSum(klTerms, n) + Math.log(sumZ)
    }
    const inverseZ = 1 / sumZ
    const { exaggeration, momentum, learningRate, minGain } = segment
    for (let t = start * dims; t < end * dims; t++) {
      const gradient = exaggeration * attractionForces[t]! - repulsion[t]! * inverseZ
      const u = update[t]!
      let gain = gains[t]!
      gain = (gradient > 0) !== (u > 0) ? gain + 0.2 : gain * 0.8
      if (gain < minGain) gain = minGain
      gains[t] = gain
      const next = momentum * u - learningRate * gain * gradient
      update[t] = next
      y[t]! += next
    }
    ownBounds(y, dims, start, end, rankBounds, rank)
    if (rank === 0) {
      // the other parity's counters were last used before this iteration's first meeting
      work[1 - parity] = 0
      work[3 - parity] = 0
      // rank 0 decides whether to stop so every rank leaves the loop at the same iteration
      Atomics.store(state.abort, 1, Atomics.load(state.abort, 0))
    }
    barrier()
    done++
    if (Atomics.load(state.abort, 1) !== 0) break
  }
  // re-centre: chunk sums of the positions
  for (let c = chunk0; c < chunk1; c++) {
    const to = Math.min(n, (c + 1) * CHUNK)
    for (let k = 0; k < dims; k++) {
      let sum = 0
      for (let i = c * CHUNK; i < to; i++) sum += y[i * dims + k]!
      chunkSums[c * stride + 2 + k] = sum
    }
  }
  barrier()
  for (let k = 0; k < dims; k++) {
    let sum = 0
    for (let c = 0; c < chunks; c++) sum += chunkSums[c * stride + 2 + k]!
    const mean = sum / n
    for (let i = start; i < end; i++) y[i * dims + k]! -= mean
  }
  for (let t = start * dims; t < end * dims; t++) state.frame[t] = y[t]!
  return done
}
