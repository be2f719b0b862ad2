/**
 * @module The one lifecycle of a leased job, whatever its kind: the lease heartbeat (cancellation, lost
 * lease), shutdown (the job is handed back), per-stage timings, progress and live frames (deduplicated; a
 * stale lease stops the run), and the end: complete with the map's numbers, fail (user errors at once,
 * anything else retryable), or stop without results. A job kind supplies only its steps (map-job.ts,
 * model-job.ts).
 */
import { OnnxModelError, encodeFrame, type HeartbeatAnswer, type HeartbeatProgress, type LeasedJob } from '@constellate/shared'
import { TsneInputError, type EmbedFrame, type EmbedHooks } from '../engine.ts'
import type { BackendChoice } from '../backends/index.ts'
import { StaleLeaseError, type CompleteSummary, type EdgeClient } from '../edge-client.ts'
import type { ObjectStore } from '../object-store.ts'
import { InputError } from '../inputs/index.ts'
import { ModelError } from '../inference/errors.ts'
import { ResultCheckError } from '../result-check.ts'

export type Log = (message: string, fields?: Record<string, unknown>) => void

export interface RunContext {
  edge: Pick<EdgeClient, 'heartbeat' | 'frame' | 'complete' | 'fail' | 'release'>
  store: Pick<ObjectStore, 'get' | 'put'>
  workerId: string
  /** The backend for jobs that do not name one. */
  backend: BackendChoice
  log: Log
  /** Largest input file this worker accepts (0 or absent: no cap). */
  maxInputBytes?: number
}

/** What a job's steps end with: the summary the edge records, and fields for the success log line. */
export interface Completion extends CompleteSummary {
  logFields?: Record<string, unknown>
}

/** A job kind: the steps from reading its inputs to writing its results. */
export type JobSteps = (run: Run) => Promise<Completion>

/**
 * Errors whose message tells the user what to fix: the job fails at once, not retried. Each has a `code`
 * that becomes the job's error code.
 */
const USER_ERRORS = [InputError, TsneInputError, ResultCheckError, ModelError, OnnxModelError] as const

/** The log lines scripts/worker-pool.ts reads (WORKER_LOG there) are these two: keep them as they are. */
export const LIFECYCLE_LOG = { releasing: 'releasing job: shutting down', releaseFailed: 'could not release job; its lease will expire' } as const

/** Why a run stops without results, in the order they win when several hold. */
type StopReason = 'lease lost' | 'shutting down' | 'cancelled'

/** Thrown by a run's steps where they notice the run must stop (run.checkpoint(), run.stop()). */
class RunStopped extends Error {
  override name = 'RunStopped'
}

/** One run of a leased job, as its steps see it. */
export interface Run {
  readonly ctx: RunContext
  readonly leased: LeasedJob
  readonly job: LeasedJob['job']
  /** Seconds per stage (summed when a stage runs more than once), for manifest.json. */
  readonly timings: Record<string, number>
  /** Aborts on cancellation, a lost lease or shutdown: pass it to long work (embedding, inference). */
  readonly signal: AbortSignal
  /** Seconds since the run started. */
  seconds(): number
  /** Stops the run here if it must stop (cancelled, lease lost, shutting down). */
  checkpoint(): void
  /** Stops the run: for steps that saw long work end early (inference or a map cut short by the signal). */
  stop(): never
  /** Runs `work` and adds its seconds to `timings[stage]`. */
  time<T>(stage: string, work: () => Promise<T>): Promise<T>
  /** A heartbeat with progress, awaited: the edge must have it before the run goes on. */
  report(progress: HeartbeatProgress): Promise<HeartbeatAnswer>
  /** Progress for the job page; it may be lost (the timer's heartbeats keep the lease). */
  progress(stage: string, extra?: HeartbeatProgress): Promise<void>
  /**
   * The hooks of one embedding: the run's signal, stage progress (prefixed, e.g. `layer 2/3: `), live frames
   * of the map's `frames` points (none when absent), and the start layout `initial`.
   */
  embedHooks(options?: { stagePrefix?: string; frames?: number; initial?: Float64Array }): EmbedHooks
}

/** The run's state: the heartbeat timer, why it stops, its clock and timings. */
class LeaseRun implements Run {
  readonly job: LeasedJob['job']
  readonly timings: Record<string, number> = {}
  private readonly abort = new AbortController()
  private readonly started = Date.now()
  private lost = false
  private cancelled = false
  private heartbeat: ReturnType<typeof setInterval> | undefined

  constructor(
    readonly ctx: RunContext,
    readonly leased: LeasedJob,
    private readonly shutdown?: AbortSignal,
  ) {
    this.job = leased.job
  }

  get signal(): AbortSignal {
    return this.abort.signal
  }

  /** Why the run must stop now, or null. */
  get stopReason(): StopReason | null {
    if (this.lost) return 'lease lost'
    if (this.shutdown?.aborted) return 'shutting down'
    return this.cancelled ? 'cancelled' : null
  }

  seconds(): number {
    return (Date.now() - this.started) / 1000
  }

  checkpoint(): void {
    if (this.stopReason) this.stop()
  }

  stop(): never {
    throw new RunStopped(this.stopReason ?? 'stopped')
  }

  async time<T>(stage: string, work: () => Promise<T>): Promise<T> {
    const t0 = performance.now()
    try {
      return await work()
    } finally {
      this.timings[stage] = (this.timings[stage] ?? 0) + (performance.now() - t0) / 1000
    }
  }

  report(progress: HeartbeatProgress): Promise<HeartbeatAnswer> {
    return this.ctx.edge.heartbeat(this.leased, progress)
  }

  async progress(stage: string, extra: HeartbeatProgress = {}): Promise<void> {
    await this.ctx.edge.heartbeat(this.leased, { stage, ...extra }).catch(() => undefined)
  }

  embedHooks(options: { stagePrefix?: string; frames?: number; initial?: Float64Array } = {}): EmbedHooks {
    const { stagePrefix = '', frames, initial } = options
    return {
      signal: this.signal,
      initial,
      onStage: (stage) => void this.progress(`${stagePrefix}${stage}`),
      onFrame: frames === undefined ? undefined : this.framePoster(frames),
    }
  }

  /** Posts each new iteration's frame once; a stale lease stops the run, other failures only lose the frame. */
  private framePoster(n: number): (frame: EmbedFrame) => Promise<void> {
    let lastIteration = -1
    return async (frame) => {
      if (frame.iteration === lastIteration) return
      lastIteration = frame.iteration
      const bytes = encodeFrame({ iteration: frame.iteration, dims: this.job.params.dims, n, kl: frame.kl ?? Number.NaN, coords: frame.embedding })
      try {
        await this.ctx.edge.frame(this.leased, bytes)
      } catch (err) {
        if (err instanceof StaleLeaseError) this.loseLease()
        else this.ctx.log('frame post failed', { error: String(err) })
      }
    }
  }

  /** The worker is shutting down: long work stops at its next batch or frame. */
  readonly onShutdown = (): void => this.abort.abort(new RunStopped('shutting down'))

  private loseLease(): void {
    this.lost = true
    this.abort.abort(new RunStopped('lease lost'))
  }

  /** Heartbeats at a third of the lease; the edge's answer may cancel the run, or say the lease is gone. */
  startHeartbeat(): void {
    const intervalMs = Math.max(1000, Math.min(20_000, (this.leased.lease.expiresAt - Date.now()) / 3))
    this.heartbeat = setInterval(async () => {
      try {
        const { cancel } = await this.ctx.edge.heartbeat(this.leased)
        if (cancel) {
          this.cancelled = true
          this.abort.abort(new RunStopped('cancelled'))
        }
      } catch (err) {
        if (err instanceof StaleLeaseError) this.loseLease()
        else this.ctx.log('heartbeat failed', { error: String(err) })
      }
    }, intervalMs)
  }

  stopHeartbeat(): void {
    clearInterval(this.heartbeat)
  }

  /** True when `err` means the lease no longer holds the job. */
  leaseLostBy(err: unknown): boolean {
    return this.lost || err instanceof StaleLeaseError
  }
}

/**
 * Runs one leased job to completion, failure, cancellation or hand-back. `shutdown` aborting (SIGTERM)
 * stops the run at its next checkpoint, batch or frame and releases the lease, so that another worker
 * picks the job up at once; a job leased after the signal is handed back without starting.
 */
export async function runLifecycle(ctx: RunContext, leased: LeasedJob, steps: JobSteps, shutdown?: AbortSignal): Promise<void> {
  const run = new LeaseRun(ctx, leased, shutdown)
  const { job } = leased
  shutdown?.addEventListener('abort', run.onShutdown)
  run.startHeartbeat()
  try {
    // a job leased as the worker was told to stop is handed back before it starts
    run.checkpoint()
    const { logFields, ...summary } = await steps(run)
    run.stopHeartbeat()
    await ctx.edge.complete(leased, summary)
    ctx.log('job succeeded', { job: job.id, ...logFields, seconds: run.seconds() })
  } catch (err) {
    run.stopHeartbeat()
    await finishEarly(run, err)
  } finally {
    run.stopHeartbeat()
    shutdown?.removeEventListener('abort', run.onShutdown)
  }
}

/** Ends a run that threw: drop everything (lease lost), hand the job back, note the cancellation, or fail it. */
async function finishEarly(run: LeaseRun, err: unknown): Promise<void> {
  const { ctx, leased } = run
  const job = leased.job.id
  if (run.leaseLostBy(err)) return ctx.log('lease lost; dropping results', { job })
  if (err instanceof RunStopped && run.stopReason === 'shutting down') {
    ctx.log(LIFECYCLE_LOG.releasing, { job })
    await ctx.edge.release(leased).catch((releaseErr) => ctx.log(LIFECYCLE_LOG.releaseFailed, { error: String(releaseErr) }))
    return
  }
  if (err instanceof RunStopped) return ctx.log('job cancelled', { job })
  await reportFailure(ctx, leased, err)
}

/**
 * Reports a failed run to the edge: user errors (bad input, a model that does not fit, a map that is not
 * finite) fail the job at once with their own code and message; anything else is retryable and says it
 * was unexpected.
 */
async function reportFailure(ctx: RunContext, leased: LeasedJob, err: unknown): Promise<void> {
  const userError = userErrorOf(err)
  const code = userError ? userError.code : 'worker_error'
  const message = userError ? userError.message : `The worker hit an unexpected error: ${err instanceof Error ? err.message : String(err)}`
  ctx.log('job failed', { job: leased.job.id, code, message, retryable: !userError })
  try {
    await ctx.edge.fail(leased, { code, message }, !userError)
  } catch (failErr) {
    ctx.log('could not report failure', { error: String(failErr) })
  }
}

function userErrorOf(err: unknown): InstanceType<(typeof USER_ERRORS)[number]> | null {
  for (const type of USER_ERRORS) if (err instanceof type) return err
  return null
}
