/** @module Bindings and variables the edge Worker receives (wrangler.toml). */
import type { JobQueue } from './objects/job-queue.ts'
import type { JobRoom } from './objects/job-room.ts'
import type { RateLimiter } from './objects/rate-limiter.ts'

export interface Env {
  DB: D1Database
  JOB_QUEUE: DurableObjectNamespace<JobQueue>
  JOB_ROOM: DurableObjectNamespace<JobRoom>
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>
  ASSETS?: Fetcher
  /** S3-compatible endpoint the edge itself calls (path-style), e.g. http://127.0.0.1:9000 or R2's S3 URL. */
  S3_ENDPOINT: string
  /** Endpoint browsers and CLIs use in presigned URLs; defaults to S3_ENDPOINT. */
  S3_PUBLIC_ENDPOINT?: string
  S3_BUCKET: string
  S3_REGION: string
  S3_ACCESS_KEY_ID: string
  S3_SECRET_ACCESS_KEY: string
  /** Shared secret GPU workers present as `Authorization: Bearer <secret>`. */
  WORKER_SECRET: string
  /** Key for signing workspace cookies. */
  COOKIE_SECRET: string
  /** Lease length in seconds (default 90). */
  LEASE_SECONDS?: string
  /** "1" enables the test clock and `/api/v1/_test/*` routes. Never set in production. */
  TEST_CLOCK?: string
  /** Override of LIMITS.multipartThresholdBytes and LIMITS.minPartBytes (tests use small files). */
  MULTIPART_THRESHOLD_BYTES?: string
  MIN_PART_BYTES?: string
  /** Requests per minute per client on public routes (default 600). */
  RATE_LIMIT_PER_MINUTE?: string
}

export type Scope = 'read' | 'write'

export type AppEnv = {
  Bindings: Env
  Variables: {
    workspaceId: string
    /** What the caller may do: a browser session has both; a token has its scopes. */
    scopes: Scope[]
    /** The API token's id when the caller used one. */
    tokenId: string | null
    /** This request's time (ms since epoch), from the injectable clock. */
    now: number
  }
}
