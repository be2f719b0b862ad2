/**
 * @module JobQueue: the single Durable Object that hands out leases. D1 holds the job rows; this object
 * serialises leasing, parks long-polling workers until a job arrives, and reclaims expired leases with an alarm.
 */
import { DurableObject } from 'cloudflare:workers'
import type { Env } from '../env.ts'
import type { JobRow } from '../db.ts'
import { jobFromRow } from '../db.ts'
import { nowIso, randomId } from '../ids.ts'
import { now as clockNow } from '../clock.ts'
import { LIMITS } from '@constellate/shared'
import { publishStatus, roomFor } from '../live.ts'

export const DEFAULT_LEASE_SECONDS = 90

export interface Lease {
  leaseId: string
  fence: number
  expiresAt: number
  attempt: number
}

export class JobQueue extends DurableObject<Env> {
  private waiters = new Set<() => void>()
  private leasing: Promise<unknown> = Promise.resolve()

  private get leaseMs(): number {
    return Number(this.env.LEASE_SECONDS ?? DEFAULT_LEASE_SECONDS) * 1000
  }

  /** Wakes parked workers: a job was queued. */
  async notify(): Promise<void> {
    for (const wake of this.waiters) wake()
    this.waiters.clear()
  }

  /**
   * Leases the oldest queued job to `workerId`, waiting up to `waitMs` for one to arrive.
   * Returns the job row (with its new lease) or null when none arrived in time.
   */
  async lease(workerId: string, waitMs: number): Promise<JobRow | null> {
    const deadline = Date.now() + Math.min(Math.max(waitMs, 0), 30_000)
    for (;;) {
      const row = await this.serialised(() => this.tryLease(workerId))
      if (row) return row
      const remaining = deadline - Date.now()
      if (remaining <= 0) return null
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer)
          resolve()
        }
        const timer = setTimeout(() => {
          this.waiters.delete(wake)
          resolve()
        }, remaining)
        this.waiters.add(wake)
      })
    }
  }

  /** Extends a live lease; returns its new expiry. Caller has checked the lease matches. */
  async extend(jobId: string): Promise<number> {
    const expiresAt = (await clockNow(this.env)) + this.leaseMs
    await this.env.DB.prepare("UPDATE jobs SET lease_expires_at = ? WHERE id = ? AND status = 'running'").bind(expiresAt, jobId).run()
    await this.scheduleAlarm()
    return expiresAt
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const next = this.leasing.then(work, work)
    this.leasing = next.catch(() => undefined)
    return next
  }

  private async tryLease(workerId: string): Promise<JobRow | null> {
    const now = await clockNow(this.env)
    const leaseId = randomId('lease')
    const [, leased] = await this.env.DB.batch<JobRow>([
      this.env.DB.prepare("UPDATE counters SET value = value + 1 WHERE name = 'lease_fence'"),
      this.env.DB.prepare(
        `UPDATE jobs SET status = 'running', attempt = attempt + 1, lease_id = ?, worker_id = ?,
           lease_fence = (SELECT value FROM counters WHERE name = 'lease_fence'),
           lease_expires_at = ?, started_at = COALESCE(started_at, ?), progress = NULL, results_prefix = NULL
         WHERE id = (SELECT id FROM jobs WHERE status = 'queued' ORDER BY created_at, id LIMIT 1) AND status = 'queued'
         RETURNING *`,
      ).bind(leaseId, workerId, now + this.leaseMs, nowIso(now)),
    ])
    const row = leased?.results[0] ?? null
    if (!row) return null
    await this.scheduleAlarm()
    await roomFor(this.env, row.id).reset()
    await publishStatus(this.env, jobFromRow(row))
    return row
  }

  private async scheduleAlarm(): Promise<void> {
    const next = await this.env.DB.prepare("SELECT MIN(lease_expires_at) AS at FROM jobs WHERE status = 'running' AND lease_expires_at IS NOT NULL").first<{ at: number | null }>()
    if (next?.at != null) {
      // Lease times are on the (possibly offset) edge clock; alarms run on the real one.
      const offset = (await clockNow(this.env)) - Date.now()
      const at = Math.max(Date.now(), next.at - offset) + 50
      const current = await this.ctx.storage.getAlarm()
      if (current === null || current > at) await this.ctx.storage.setAlarm(at)
    }
  }

  override async alarm(): Promise<void> {
    await this.reclaimExpired()
  }

  /**
   * Reclaims expired leases (requeue while attempts remain, else fail with the last error) and fails jobs
   * past the wall-time cap. Returns how many jobs changed.
   */
  async reclaimExpired(): Promise<number> {
    const now = await clockNow(this.env)
    const overdue = await this.env.DB.prepare(
      `UPDATE jobs SET status = 'failed', lease_expires_at = NULL, finished_at = ?, error_code = 'job_timeout',
         error_message = 'The job ran longer than the ' || ? || ' s limit and was stopped. Try fewer points or iterations.'
       WHERE status = 'running' AND started_at IS NOT NULL AND started_at <= ? RETURNING *`,
    ).bind(nowIso(now), LIMITS.jobWallTimeSeconds, nowIso(now - LIMITS.jobWallTimeSeconds * 1000)).all<JobRow>()
    for (const row of overdue.results) await publishStatus(this.env, jobFromRow(row))
    const { results } = await this.env.DB.prepare("SELECT * FROM jobs WHERE status = 'running' AND lease_expires_at <= ?").bind(now).all<JobRow>()
    for (const row of results) {
      const exhausted = row.attempt >= row.max_attempts
      const updated = exhausted
        ? await this.env.DB.prepare(
            `UPDATE jobs SET status = 'failed', lease_expires_at = NULL, finished_at = ?,
               error_code = COALESCE(error_code, 'worker_lost'),
               error_message = COALESCE(error_message, 'The worker running this job stopped responding ' || attempt || ' times. Try again later.')
             WHERE id = ? AND lease_id = ? AND status = 'running' RETURNING *`,
          ).bind(nowIso(now), row.id, row.lease_id).first<JobRow>()
        : await this.env.DB.prepare(
            "UPDATE jobs SET status = 'queued', lease_expires_at = NULL WHERE id = ? AND lease_id = ? AND status = 'running' RETURNING *",
          ).bind(row.id, row.lease_id).first<JobRow>()
      if (updated) await publishStatus(this.env, jobFromRow(updated))
    }
    if (results.length) await this.notify()
    await this.scheduleAlarm()
    return results.length + overdue.results.length
  }
}
