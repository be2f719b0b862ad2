/** @module Test-only routes, mounted only when TEST_CLOCK=1: move the clock and reclaim leases now. */
import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../env.ts'
import { advanceClock } from '../clock.ts'
import { readJsonBody } from '../request-body.ts'
import { describeIssues } from '../validation.ts'
import { ApiError } from '../errors.ts'

export const testing = new Hono<AppEnv>()

testing.post('/clock', async (c) => {
  const parsed = z.object({ advanceMs: z.number() }).safeParse(await readJsonBody(c, { example: '{"advanceMs": 60000}' }))
  if (!parsed.success) throw new ApiError(400, 'invalid_request', `The request is not valid: ${describeIssues(parsed.error.issues)}.`)
  const { advanceMs } = parsed.data
  const now = await advanceClock(c.env, advanceMs)
  const reclaimed = await c.env.JOB_QUEUE.get(c.env.JOB_QUEUE.idFromName('default')).reclaimExpired()
  return c.json({ now, reclaimed })
})
