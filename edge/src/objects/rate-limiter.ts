/**
 * @module RateLimiter: one Durable Object per client key counting requests in fixed one-minute windows.
 * Fixed windows allow a short burst at a boundary (at most twice the limit), which is fine for abuse control.
 */
import { DurableObject } from 'cloudflare:workers'
import type { Env } from '../env.ts'

export class RateLimiter extends DurableObject<Env> {
  private windowStart = 0
  private count = 0

  /** Counts one request; returns 0 when allowed, else the seconds until the window resets. */
  async hit(limit: number, windowMs: number, now: number): Promise<number> {
    const start = now - (now % windowMs)
    if (start !== this.windowStart) {
      this.windowStart = start
      this.count = 0
    }
    this.count++
    return this.count <= limit ? 0 : Math.max(1, Math.ceil((start + windowMs - now) / 1000))
  }
}
