/** @module How long to wait before reconnecting a dropped live connection (or re-reading a job that failed to load). */

export const RECONNECT = { baseMs: 500, maxMs: 15_000 } as const

/**
 * Delay before reconnect attempt `attempt` (0-based): doubles from 0.5 s up to 15 s, with up to 25 %
 * jitter from the injected `random()` so many viewers of one job do not reconnect in lockstep.
 */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(RECONNECT.maxMs, RECONNECT.baseMs * 2 ** Math.max(0, attempt))
  return Math.round(exponential * (0.75 + 0.25 * random()))
}
