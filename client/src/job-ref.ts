/**
 * @module Which job a read-only call reads: a job id (the caller's workspace, token or cookie), or
 * `{ shared: token }` for a share link's token (the part after `/v/`), which needs no credentials; and the
 * route of a job resource for either.
 */
import type { RouteSpec } from './routes.ts'

export type JobRef = string | { shared: string }

/** The route and path parameters of a read-only job resource, for a job id or a share-link token. */
export function jobRoute(job: JobRef, own: RouteSpec, shared: RouteSpec, extra: Record<string, string | number> = {}): { route: RouteSpec; params: Record<string, string | number> } {
  return typeof job === 'string' ? { route: own, params: { id: job, ...extra } } : { route: shared, params: { token: job.shared, ...extra } }
}
