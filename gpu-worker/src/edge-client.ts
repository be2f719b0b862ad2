/**
 * @module The worker's side of the edge's worker API (shared/src/contract/worker-api.ts): lease, heartbeat,
 * frames, complete, fail, release. Answers the worker reads are parsed with the contract's schemas.
 */
import {
  WORKER_API_BASE,
  framesQuery,
  parseHeartbeatAnswer,
  parseLease,
  workerRoutePath,
  type CompleteRequest,
  type FailRequest,
  type HeartbeatAnswer,
  type HeartbeatProgress,
  type HeartbeatRequest,
  type LeaseRequest,
  type LeasedJob,
  type ReleaseRequest,
} from '@constellate/shared'

/** The edge says this lease no longer holds the job: stop and publish nothing more. */
export class StaleLeaseError extends Error {
  override name = 'StaleLeaseError'
}

/** Transient answers (edge restarting, overloaded) that are safe to retry for the calls below. */
const TRANSIENT = new Set([502, 503, 504])

export const EDGE_RETRY = { attempts: 5, firstDelayMs: 250 }

/** What a run reports besides the lease: the final map's numbers and its warnings. */
export type CompleteSummary = Omit<CompleteRequest, 'leaseId' | 'fence'>

export class EdgeClient {
  constructor(private readonly baseUrl: string, private readonly secret: string) {}

  /**
   * Calls the worker API. Heartbeats, frames, complete and fail are idempotent on the edge, so transient
   * failures are retried with backoff; `retry: false` (leasing) leaves that to the caller's loop.
   */
  private async call(path: string, init: RequestInit, retry = true): Promise<Response> {
    let res: Response | undefined
    for (let attempt = 0; ; attempt++) {
      try {
        res = await fetch(`${this.baseUrl}${WORKER_API_BASE}${path}`, {
          ...init,
          headers: { authorization: `Bearer ${this.secret}`, ...(init.headers ?? {}) },
        })
        if (!retry || !TRANSIENT.has(res.status) || attempt + 1 >= EDGE_RETRY.attempts) break
        await res.body?.cancel()
      } catch (err) {
        if (!retry || attempt + 1 >= EDGE_RETRY.attempts) throw err
      }
      await new Promise((r) => setTimeout(r, EDGE_RETRY.firstDelayMs * 2 ** attempt))
    }
    if (res.status === 409) throw new StaleLeaseError(await res.text())
    if (!res.ok && res.status !== 204) throw new Error(`edge ${path} answered ${res.status}: ${await res.text()}`)
    return res
  }

  private json(path: string, body: unknown, retry = true): Promise<Response> {
    return this.call(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }, retry)
  }

  /**
   * Waits up to `waitSeconds` for a job; null when none came.
   * @throws WorkerAnswerError when the lease does not match this worker's API
   */
  async lease(workerId: string, waitSeconds: number): Promise<LeasedJob | null> {
    const res = await this.json(workerRoutePath('lease'), { workerId, waitSeconds } satisfies LeaseRequest, false)
    return res.status === 204 ? null : parseLease(await res.json())
  }

  async heartbeat(job: LeasedJob, progress?: HeartbeatProgress): Promise<HeartbeatAnswer> {
    const body: HeartbeatRequest = { leaseId: job.lease.leaseId, fence: job.lease.fence, progress }
    const res = await this.json(workerRoutePath('heartbeat', job.job.id), body)
    return parseHeartbeatAnswer(await res.json())
  }

  async frame(job: LeasedJob, bytes: Uint8Array): Promise<void> {
    await this.call(`${workerRoutePath('frames', job.job.id)}?${framesQuery(job.lease)}`, {
      method: 'POST',
      body: bytes as Uint8Array<ArrayBuffer>,
      headers: { 'content-type': 'application/octet-stream' },
    })
  }

  async complete(job: LeasedJob, summary: CompleteSummary): Promise<void> {
    await this.json(workerRoutePath('complete', job.job.id), { leaseId: job.lease.leaseId, fence: job.lease.fence, ...summary } satisfies CompleteRequest)
  }

  /** Hands the job back (shutting down): it is queued again and this attempt does not count. */
  async release(job: LeasedJob): Promise<void> {
    await this.json(workerRoutePath('release', job.job.id), { leaseId: job.lease.leaseId, fence: job.lease.fence } satisfies ReleaseRequest)
  }

  async fail(job: LeasedJob, error: FailRequest['error'], retryable: boolean): Promise<void> {
    await this.json(workerRoutePath('fail', job.job.id), { leaseId: job.lease.leaseId, fence: job.lease.fence, error, retryable } satisfies FailRequest)
  }
}
