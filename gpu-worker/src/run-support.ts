/** @module What every kind of job run shares: the lease heartbeat, input hashing and the worker's version. */
import { createHash } from 'node:crypto'
import { StaleLeaseError, type EdgeClient, type LeasedJob } from './edge-client.ts'

export const WORKER_VERSION = '0.1.0'

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

export interface Heartbeat {
  stop(): void
  /** True once the edge said this lease no longer holds the job. */
  lost(): boolean
}

/** Heartbeats at a third of the lease; aborts the run when the job is cancelled or the lease is lost. */
export function startHeartbeat(ctx: { edge: EdgeClient; log: (message: string, fields?: Record<string, unknown>) => void }, leased: LeasedJob, abort: AbortController): Heartbeat {
  let lost = false
  const intervalMs = Math.max(1000, Math.min(20_000, (leased.lease.expiresAt - Date.now()) / 3))
  const timer = setInterval(async () => {
    try {
      const { cancel } = await ctx.edge.heartbeat(leased)
      if (cancel) abort.abort(new Error('cancelled'))
    } catch (err) {
      if (err instanceof StaleLeaseError) {
        lost = true
        abort.abort(err)
      } else ctx.log('heartbeat failed', { error: String(err) })
    }
  }, intervalMs)
  return { stop: () => clearInterval(timer), lost: () => lost }
}

/**
 * Reports a failed run to the edge: user errors (bad input) fail the job at once with their own code and
 * message; anything else is retryable and says it was unexpected.
 */
export async function reportFailure(
  ctx: { edge: EdgeClient; log: (message: string, fields?: Record<string, unknown>) => void },
  leased: LeasedJob,
  err: unknown,
  userError: boolean,
): Promise<void> {
  const code = userError ? (err as { code: string }).code : 'worker_error'
  const message = userError ? (err as Error).message : `The worker hit an unexpected error: ${(err as Error).message}`
  ctx.log('job failed', { job: leased.job.id, code, message, retryable: !userError })
  try {
    await ctx.edge.fail(leased, { code, message }, !userError)
  } catch (failErr) {
    ctx.log('could not report failure', { error: String(failErr) })
  }
}
