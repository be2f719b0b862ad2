/** @module Test-only routes, mounted only when TEST_CLOCK=1: move the clock and reclaim leases now. */
import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../env.ts'
import { advanceClock } from '../clock.ts'

export const testing = new Hono<AppEnv>()

testing.post('/clock', async (c) => {
  const { advanceMs } = z.object({ advanceMs: z.number() }).parse(await c.req.json())
  const now = await advanceClock(c.env, advanceMs)
  const reclaimed = await c.env.JOB_QUEUE.get(c.env.JOB_QUEUE.idFromName('default')).reclaimExpired()
  return c.json({ now, reclaimed })
})
