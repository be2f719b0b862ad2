/**
 * @module The worker API (`/api/v1/worker/...`, behind the worker secret): the request and answer of every
 * route, as the edge parses and builds them and as the worker sends and reads them. Request bodies are
 * lenient toward fields they do not name (a newer worker may send some this edge does not know yet);
 * unknown fields are dropped.
 */
import { z } from 'zod'
import { Job, JobProgress, JobStatus, UploadInfo } from '../schemas.ts'
import { JobParams } from '../job-params.ts'
import { MapWarning } from '../warnings.ts'
import { ImagePreprocess } from '../onnx/onnx-job.ts'

/** Where the worker API is mounted; the route paths below follow it. */
export const WORKER_API_BASE = '/api/v1/worker'

/** An upload as the worker reads it: its storage key (the verified copy) and what the edge learned about it. */
export const UploadRef = z.object({
  id: z.string(),
  key: z.string(),
  filename: z.string(),
  size: z.number().int(),
  info: UploadInfo.nullable(),
})
export type UploadRef = z.infer<typeof UploadRef>

/** The `model` section of a leased model job: the job's `model` with the model upload resolved to a reference. */
export const LeasedModel = z.object({
  upload: UploadRef,
  layers: z.array(z.string()).nullable(),
  preprocess: ImagePreprocess.nullable(),
  batchSize: z.number().int().nullable(),
})
export type LeasedModel = z.infer<typeof LeasedModel>

/** The lease itself: name `leaseId` and `fence` in every later call; stale ones are answered 409. */
export const Lease = z.object({
  leaseId: z.string(),
  fence: z.number().int(),
  /** Edge clock, ms since the epoch; heartbeats extend it. */
  expiresAt: z.number(),
  attempt: z.number().int(),
})
export type Lease = z.infer<typeof Lease>

/** The job as the worker runs it; storage keys come from storage-keys.ts. */
export const LeasedJobSpec = z.object({
  id: z.string(),
  params: JobParams,
  attempt: z.number().int(),
  /** The (first) features file; for a model job, the model's inputs. */
  features: UploadRef,
  labels: UploadRef.nullable(),
  /** Where this attempt writes its result files (resultsPrefix). */
  resultsPrefix: z.string(),
  /** Where labels.json goes (labelsKey). */
  labelsKey: z.string(),
  /** Every features file in order (the first is also `features`). */
  featureFiles: z.array(UploadRef),
  metadata: UploadRef.nullable(),
  /** Where metadata.json goes (metadataKey), beside labels.json. */
  metadataKey: z.string(),
  /** Set for model jobs: their features are what the model computes on `features`. */
  model: LeasedModel.nullable(),
})
export type LeasedJobSpec = z.infer<typeof LeasedJobSpec>

/** `POST /lease` answer when a job came (204 with no body when none did). */
export const LeasedJob = z.object({ lease: Lease, job: LeasedJobSpec })
export type LeasedJob = z.infer<typeof LeasedJob>

/** `POST /lease`: long-polls up to `waitSeconds` for a queued job. */
export const LeaseRequest = z.object({ workerId: z.string().min(1).max(200), waitSeconds: z.number().min(0).max(30).default(20) })
export type LeaseRequest = z.input<typeof LeaseRequest>

/** What every call after the lease names. */
export const LeaseRef = z.object({ leaseId: z.string(), fence: z.number().int() })
export type LeaseRef = z.infer<typeof LeaseRef>

/** Progress a heartbeat may report; the edge counts frames itself. `points` becomes `job.n`. */
export const HeartbeatProgress = JobProgress.omit({ frames: true }).partial()
export type HeartbeatProgress = z.infer<typeof HeartbeatProgress>

/** `POST /jobs/{id}/heartbeat`: extends the lease, optionally merging progress into the job's. */
export const HeartbeatRequest = LeaseRef.extend({ progress: HeartbeatProgress.optional() })
export type HeartbeatRequest = z.input<typeof HeartbeatRequest>

/** `cancel: true` (and no new expiry) when the job stopped running (cancelled by its owner): stop. */
export const HeartbeatAnswer = z.object({ cancel: z.boolean(), status: JobStatus, leaseExpiresAt: z.number().optional() })
export type HeartbeatAnswer = z.infer<typeof HeartbeatAnswer>

/**
 * `POST /jobs/{id}/frames?leaseId=...&fence=...` with a CSTF frame as the body. Lenient on purpose: a
 * frame that does not name the current lease (a parameter missing or not a number) is answered 409
 * stale_lease like any other stale one, which makes the worker stop.
 */
export const FramesQuery = z.object({
  leaseId: z.string().default(''),
  fence: z
    .string()
    .optional()
    .transform((fence) => Number(fence)),
})

/** The query string of a frame post for this lease. */
export function framesQuery(lease: LeaseRef): URLSearchParams {
  return new URLSearchParams({ leaseId: lease.leaseId, fence: String(lease.fence) })
}

/** `seq`: the frame's place in the attempt; `viewers`: live sockets it went to (null for a repeated post, `duplicate`). */
export const FrameAnswer = z.object({ seq: z.number().int(), viewers: z.number().int().nullable(), duplicate: z.boolean().optional() })
export type FrameAnswer = z.infer<typeof FrameAnswer>

/** `POST /jobs/{id}/complete`: the result files are stored; `kl` and `iterations` of the final map. */
export const CompleteRequest = LeaseRef.extend({
  kl: z.number().nullable().optional(),
  iterations: z.number().int().optional(),
  warnings: z.array(MapWarning).max(100).default([]),
})
export type CompleteRequest = z.input<typeof CompleteRequest>

/** `POST /jobs/{id}/fail`: `retryable` failures are queued again while attempts remain. */
export const FailRequest = LeaseRef.extend({
  error: z.object({ code: z.string().max(100), message: z.string().max(4000) }),
  retryable: z.boolean().default(false),
})
export type FailRequest = z.input<typeof FailRequest>

/** `POST /jobs/{id}/release`: the worker shuts down and hands the job back; this attempt does not count. */
export const ReleaseRequest = LeaseRef
export type ReleaseRequest = z.input<typeof ReleaseRequest>

/** The answer of complete, fail and release: the job as it is now. */
export const WorkerJobAnswer = z.object({ job: Job })
export type WorkerJobAnswer = z.infer<typeof WorkerJobAnswer>

/** Every worker route: its path under WORKER_API_BASE (`{id}`: the job id) and what it takes and answers. */
export const WORKER_ROUTES = {
  lease: { path: '/lease', body: LeaseRequest, answer: LeasedJob },
  heartbeat: { path: '/jobs/{id}/heartbeat', body: HeartbeatRequest, answer: HeartbeatAnswer },
  frames: { path: '/jobs/{id}/frames', query: FramesQuery, answer: FrameAnswer },
  complete: { path: '/jobs/{id}/complete', body: CompleteRequest, answer: WorkerJobAnswer },
  fail: { path: '/jobs/{id}/fail', body: FailRequest, answer: WorkerJobAnswer },
  release: { path: '/jobs/{id}/release', body: ReleaseRequest, answer: WorkerJobAnswer },
} as const
export type WorkerRouteName = keyof typeof WORKER_ROUTES

/** The path of a worker route for a job, under WORKER_API_BASE (the id URL-encoded). */
export function workerRoutePath(route: WorkerRouteName, jobId = ''): string {
  return WORKER_ROUTES[route].path.replace('{id}', encodeURIComponent(jobId))
}

/** An edge answer the worker cannot use: it does not match the worker API this worker was built with. */
export class WorkerAnswerError extends Error {
  override name = 'WorkerAnswerError'
}

function parseAnswer<T extends z.ZodType>(schema: T, route: WorkerRouteName, json: unknown): z.infer<T> {
  const result = schema.safeParse(json)
  if (result.success) return result.data
  const issues = result.error.issues.map((issue) => (issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message)).join('; ')
  throw new WorkerAnswerError(`The edge's answer to ${WORKER_ROUTES[route].path} does not match this worker's API (${issues}). Run a worker and an edge of the same version.`)
}

/**
 * A `POST /lease` answer (its 200 body) as the worker reads it.
 * @throws WorkerAnswerError naming each field that does not match (so do the parsers below)
 */
export function parseLease(json: unknown): LeasedJob {
  return parseAnswer(LeasedJob, 'lease', json)
}

export function parseHeartbeatAnswer(json: unknown): HeartbeatAnswer {
  return parseAnswer(HeartbeatAnswer, 'heartbeat', json)
}

export function parseFrameAnswer(json: unknown): FrameAnswer {
  return parseAnswer(FrameAnswer, 'frames', json)
}

/** The answer of complete, fail or release. */
export function parseWorkerJobAnswer(route: 'complete' | 'fail' | 'release', json: unknown): WorkerJobAnswer {
  return parseAnswer(WorkerJobAnswer, route, json)
}
