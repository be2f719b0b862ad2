/** @module A leased job's run: the lifecycle (lifecycle.ts) with the steps of the job's kind. */
import type { LeasedJob } from '@constellate/shared'
import { runLifecycle, type RunContext } from './lifecycle.ts'
import { runMapJob } from './map-job.ts'
import { runModelJob } from './model-job.ts'

/**
 * Runs one leased job to completion, failure, cancellation or hand-back: a model job when the lease names
 * a model, else a map job on uploaded features. `shutdown` aborting (SIGTERM) hands the job back.
 */
export function runJob(ctx: RunContext, leased: LeasedJob, shutdown?: AbortSignal): Promise<void> {
  const { model } = leased.job
  return runLifecycle(ctx, leased, model ? (run) => runModelJob(run, model) : runMapJob, shutdown)
}
