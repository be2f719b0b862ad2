/**
 * @module compute/barrier — a reusable sense-counting barrier over a SharedArrayBuffer, for
 * SPMD kernels that run the same loop on every thread and meet between phases.
 */

/** Shared state of a barrier: Int32Array [arrived, generation]. */
export function createBarrierState(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(8))
}

/**
 * Spins this many checks (tens of microseconds) before sleeping: the optimiser meets a dozen times per
 * iteration and a sleeping thread takes tens of microseconds to wake.
 */
const SPIN = 20_000

/** Blocks until `size` threads have called it (spins briefly, then sleeps on Atomics.wait). */
export function makeBarrier(state: Int32Array, size: number): () => void {
  if (size <= 1) return () => {}
  return () => {
    const generation = Atomics.load(state, 1)
    if (Atomics.add(state, 0, 1) === size - 1) {
      Atomics.store(state, 0, 0)
      Atomics.add(state, 1, 1)
      Atomics.notify(state, 1)
      return
    }
    for (let spin = 0; spin < SPIN; spin++) {
      if (Atomics.load(state, 1) !== generation) return
    }
    while (Atomics.load(state, 1) === generation) Atomics.wait(state, 1, generation, 50)
  }
}

/** What every SPMD kernel receives: its rank, the thread count and the barrier. */
export interface SpmdContext {
  rank: number
  size: number
  barrier: () => void
}

/** Splits [0, count) into `size` contiguous ranges; returns this rank's [start, end). */
export function rangeOf(count: number, rank: number, size: number): [number, number] {
  const base = Math.floor(count / size)
  const extra = count % size
  const start = rank * base + Math.min(rank, extra)
  return [start, start + base + (rank < extra ? 1 : 0)]
}

/**
 * Splits [0, count) into `size` contiguous ranges holding about equal shares of a weight given by its
 * prefix sums (prefix(0) = 0 .. prefix(count) = total, non-decreasing); returns this rank's [start, end).
 * For static work whose cost follows the weight (points per box row) rather than the index.
 */
export function rangeByPrefix(count: number, prefix: (i: number) => number, rank: number, size: number): [number, number] {
  const total = prefix(count)
  const boundary = (r: number) => {
    if (r <= 0) return 0
    if (r >= size) return count
    const target = (total * r) / size
    let lo = 0
    let hi = count
    // first i with prefix(i) >= target
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (prefix(mid) < target) lo = mid + 1
      else hi = mid
    }
    return lo
  }
  return [boundary(rank), boundary(rank + 1)]
}

/** A shared work counter for dynamic scheduling: Int32Array of `slots` independent counters. */
export function createWorkCounters(slots: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * Math.max(1, slots)))
}

/**
 * Claims the next chunk of [0, total) from counter `slot`; returns its start, or -1 when all work
 * is handed out. Only for work whose per-item results do not depend on which thread computes them
 * (so the output stays identical for any thread count). The counter must be reset to 0 by one
 * thread on the far side of a barrier from every use.
 */
export function claimChunk(counters: Int32Array, slot: number, chunk: number, total: number): number {
  const start = Atomics.add(counters, slot, chunk)
  return start < total ? start : -1
}
