/**
 * @module `GET /api/v1/metrics`: Prometheus text for autoscalers and dashboards: jobs by status (queue depth),
 * active leases, and the oldest queued job's age. Protected by the worker secret, like the worker routes.
 */
import type { Context } from 'hono'
import type { AppEnv } from './env.ts'
import { ApiError } from './errors.ts'
import { timingSafeEqual } from './crypto.ts'

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const

export async function metrics(c: Context<AppEnv>): Promise<Response> {
  const expected = `Bearer ${c.env.WORKER_SECRET}`
  if (!timingSafeEqual(c.req.header('authorization') ?? '', expected)) {
    throw new ApiError(401, 'worker_unauthorized', 'Metrics need Authorization: Bearer <WORKER_SECRET>.')
  }
  const now = c.get('now')
  const [byStatus, leases, oldest] = await c.env.DB.batch<Record<string, number | string | null>>([
    c.env.DB.prepare('SELECT status, COUNT(*) AS count FROM jobs GROUP BY status'),
    c.env.DB.prepare("SELECT COUNT(*) AS count FROM jobs WHERE status = 'running' AND lease_expires_at > ?").bind(now),
    c.env.DB.prepare("SELECT MIN(created_at) AS created FROM jobs WHERE status = 'queued'"),
  ])
  const counts = new Map((byStatus?.results ?? []).map((r) => [String(r.status), Number(r.count)]))
  const created = oldest?.results[0]?.created
  const lines = [
    '# HELP constellate_jobs Jobs by status.',
    '# TYPE constellate_jobs gauge',
    ...STATUSES.map((status) => `constellate_jobs{status="${status}"} ${counts.get(status) ?? 0}`),
    '# HELP constellate_leases_active Jobs held by a worker under an unexpired lease.',
    '# TYPE constellate_leases_active gauge',
    `constellate_leases_active ${Number(leases?.results[0]?.count ?? 0)}`,
    '# HELP constellate_oldest_queued_seconds Age of the oldest queued job (0 when none).',
    '# TYPE constellate_oldest_queued_seconds gauge',
    `constellate_oldest_queued_seconds ${created ? Math.max(0, (now - Date.parse(String(created))) / 1000) : 0}`,
  ]
  return c.text(lines.join('\n') + '\n', 200, { 'content-type': 'text/plain; version=0.0.4' })
}
