/** @module The worker's side of the edge's worker API: lease, heartbeat, frames, complete, fail. */
import type { JobParams, JobProgress, MapWarning, UploadInfo } from '@constellate/shared'
import type { LeasedModel } from './inference/model-job.ts'

export interface UploadRef { id: string; key: string; filename: string; size: number; info: UploadInfo | null }

export interface LeasedJob {
  lease: { leaseId: string; fence: number; expiresAt: number; attempt: number }
  /** `model` is set for model jobs (inference/model-job.ts); `features` then holds the model's inputs. */
  job: { id: string; params: JobParams; attempt: number; features: UploadRef; labels: UploadRef | null; resultsPrefix: string; labelsKey: string; model?: LeasedModel | null }
}

/** The edge says this lease no longer holds the job: stop and publish nothing more. */
export class StaleLeaseError extends Error {
  override name = 'StaleLeaseError'
}

/** Transient answers (edge restarting, overloaded) that are safe to retry for the calls below. */
const TRANSIENT = new Set([502, 503, 504])

export const EDGE_RETRY = { attempts: 5, firstDelayMs: 250 }

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
        res = await fetch(`${this.baseUrl}/api/v1/worker${path}`, {
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

  /** Waits up to `waitSeconds` for a job; null when none came. */
  async lease(workerId: string, waitSeconds: number): Promise<LeasedJob | null> {
    const res = await this.json('/lease', { workerId, waitSeconds }, false)
    return res.status === 204 ? null : ((await res.json()) as LeasedJob)
  }

  async heartbeat(job: LeasedJob, progress?: Partial<Omit<JobProgress, 'frames'>>): Promise<{ cancel: boolean }> {
    const res = await this.json(`/jobs/${job.job.id}/heartbeat`, { leaseId: job.lease.leaseId, fence: job.lease.fence, progress })
    return (await res.json()) as { cancel: boolean }
  }

  async frame(job: LeasedJob, bytes: Uint8Array): Promise<void> {
    const query = new URLSearchParams({ leaseId: job.lease.leaseId, fence: String(job.lease.fence) })
    await this.call(`/jobs/${job.job.id}/frames?${query}`, {
      method: 'POST',
      body: bytes as Uint8Array<ArrayBuffer>,
      headers: { 'content-type': 'application/octet-stream' },
    })
  }

  async complete(job: LeasedJob, summary: { kl: number | null; iterations: number; warnings: MapWarning[] }): Promise<void> {
    await this.json(`/jobs/${job.job.id}/complete`, { leaseId: job.lease.leaseId, fence: job.lease.fence, ...summary })
  }

  /** Hands the job back (shutting down): it is queued again and this attempt does not count. */
  async release(job: LeasedJob): Promise<void> {
    await this.json(`/jobs/${job.job.id}/release`, { leaseId: job.lease.leaseId, fence: job.lease.fence })
  }

  async fail(job: LeasedJob, error: { code: string; message: string }, retryable: boolean): Promise<void> {
    await this.json(`/jobs/${job.job.id}/fail`, { leaseId: job.lease.leaseId, fence: job.lease.fence, error, retryable })
  }
}
