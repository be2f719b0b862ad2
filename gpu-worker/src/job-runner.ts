/**
 * @module Runs one leased job: read inputs, check them, embed with live frames, write results, complete.
 * User errors fail the job at once with a plain message; anything else is reported as retryable.
 */
import { WORKER_VERSION, reportFailure, sha256, startHeartbeat } from './run-support.ts'
import { encodeFrame } from '@constellate/shared'
import { TsneInputError, type EmbedFrame } from './engine.ts'
import { selectBackend } from './backends/select-backend.ts'
import type { BackendChoice } from './backends/backend.ts'
import { EdgeClient, StaleLeaseError, type LeasedJob } from './edge-client.ts'
import { InputError, checkLabelCount, loadFeatures, loadLabels, validateFeatures } from './inputs/index.ts'
import { ObjectStore } from './object-store.ts'
import { embeddingCsv, embeddingNpy } from './results.ts'
import { computeMetrics } from './metrics.ts'
import { isModelJob, runModelJob } from './inference/model-job.ts'

export interface RunContext {
  edge: EdgeClient
  store: ObjectStore
  workerId: string
  backend: BackendChoice
  log: (message: string, fields?: Record<string, unknown>) => void
  /** Largest features file this worker accepts (0: no cap). */
  maxInputBytes?: number
}




/** Thrown inside a run when the worker is shutting down: the job is handed back, not failed. */
class ShuttingDown extends Error {
  override name = 'ShuttingDown'
}

/**
 * Runs one job to completion, failure, cancellation or hand-back. `shutdown` aborting (SIGTERM) stops the
 * run at the next frame and releases the lease so another worker picks the job up at once.
 */
export async function runJob(ctx: RunContext, leased: LeasedJob, shutdown?: AbortSignal): Promise<void> {
  if (isModelJob(leased)) return runModelJob(ctx, leased, shutdown)
  const { job } = leased
  const abort = new AbortController()
  const onShutdown = () => abort.abort(new ShuttingDown('worker shutting down'))
  shutdown?.addEventListener('abort', onShutdown)
  const checkShutdown = () => {
    if (shutdown?.aborted) throw new ShuttingDown('worker shutting down')
  }
  const heartbeat = startHeartbeat(ctx, leased, abort)
  const started = Date.now()
  const timings: Record<string, number> = {}
  const time = async <T>(stage: string, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now()
    try {
      return await work()
    } finally {
      timings[stage] = (performance.now() - t0) / 1000
    }
  }
  try {
    await ctx.edge.heartbeat(leased, { stage: 'reading inputs', iteration: 0, totalIterations: job.params.iterations })
    if (ctx.maxInputBytes && job.features.size > ctx.maxInputBytes) {
      throw new InputError(
        'input_too_large_for_worker',
        `The features file is ${job.features.size} bytes; this deployment's workers take at most ${ctx.maxInputBytes}. Subsample, or ask the operator to raise MAX_INPUT_BYTES.`,
      )
    }
    const featureBytes = await time('download', () => ctx.store.get(job.features.key))
    checkShutdown()
    const features = await time('parse', async () => loadFeatures(featureBytes, job.features.info?.format ?? formatOf(job.features.filename)))
    validateFeatures(features.points, features.n, features.d)
    let labels: { classes: string[]; codes: Int32Array } | undefined
    let labelHash: string | null = null
    if (job.labels) {
      const labelBytes = await ctx.store.get(job.labels.key)
      labelHash = sha256(labelBytes)
      labels = loadLabels(labelBytes, job.labels.info?.format ?? formatOf(job.labels.filename))
      checkLabelCount(labels.codes.length, features.n)
      await ctx.store.put(job.labelsKey, JSON.stringify({ classes: labels.classes, codes: Array.from(labels.codes) }), 'application/json')
    }
    await ctx.edge.heartbeat(leased, { stage: 'pca', labelsReady: Boolean(labels) })

    let lastFrameIteration = -1
    const selection = await selectBackend(job.params.backend ?? ctx.backend)
    const result = await time('embed', () =>
      selection.backend.embed(features.points, features.n, features.d, job.params, {
        signal: abort.signal,
        onStage: (stage) => {
          ctx.edge.heartbeat(leased, { stage }).catch(() => undefined)
        },
        onFrame: async (frame: EmbedFrame) => {
          if (frame.iteration === lastFrameIteration) return
          lastFrameIteration = frame.iteration
          const bytes = encodeFrame({ iteration: frame.iteration, dims: job.params.dims, n: features.n, kl: frame.kl ?? Number.NaN, coords: frame.embedding })
          try {
            await ctx.edge.frame(leased, bytes)
          } catch (err) {
            if (err instanceof StaleLeaseError) abort.abort(err)
            else ctx.log('frame post failed', { error: String(err) })
          }
        },
      }),
    )
    if (heartbeat.lost()) return ctx.log('lease lost; dropping results', { job: job.id })
    checkShutdown()
    if (result.cancelled) return ctx.log('job cancelled', { job: job.id, iterations: result.iterations })

    const metrics = await time('metrics', async () => computeMetrics(result.embedding, features.n, result.dims, labels, { points: features.points, d: features.d }))
    const manifest = {
      job: job.id,
      attempt: job.attempt,
      worker: {
        id: ctx.workerId,
        version: WORKER_VERSION,
        node: process.version,
        backend: { name: result.backend, runtime: selection.backend.runtime, device: selection.backend.device, requested: selection.requested, reason: selection.reason },
      },
      inputs: {
        features: { upload: job.features.id, filename: job.features.filename, sha256: sha256(featureBytes), n: features.n, d: features.d },
        labels: job.labels ? { upload: job.labels.id, filename: job.labels.filename, sha256: labelHash, classes: labels?.classes.length } : null,
      },
      params: { ...job.params, ...result.resolved },
      seed: job.params.seed,
      kl: result.kl,
      timings: { ...timings, ...result.timings, total: (Date.now() - started) / 1000 },
      createdAt: new Date().toISOString(),
    }
    const prefix = job.resultsPrefix
    await ctx.store.put(`${prefix}/embedding.npy`, embeddingNpy(result.embedding, features.n, result.dims), 'application/octet-stream')
    await ctx.store.put(`${prefix}/embedding.csv`, embeddingCsv(result.embedding, features.n, result.dims, labels), 'text/csv')
    await ctx.store.put(`${prefix}/metrics.json`, JSON.stringify(metrics, null, 2), 'application/json')
    await ctx.store.put(`${prefix}/manifest.json`, JSON.stringify(manifest, null, 2), 'application/json')
    heartbeat.stop()
    await ctx.edge.complete(leased, { kl: Number.isFinite(result.kl) ? result.kl : null, iterations: result.iterations })
    ctx.log('job succeeded', { job: job.id, seconds: (Date.now() - started) / 1000 })
  } catch (err) {
    heartbeat.stop()
    if (err instanceof StaleLeaseError || heartbeat.lost()) return ctx.log('lease lost', { job: job.id })
    if (err instanceof ShuttingDown) {
      ctx.log('releasing job: shutting down', { job: job.id })
      await ctx.edge.release(leased).catch((releaseErr) => ctx.log('could not release job; its lease will expire', { error: String(releaseErr) }))
      return
    }
    await reportFailure(ctx, leased, err, err instanceof InputError || err instanceof TsneInputError)
  } finally {
    heartbeat.stop()
    shutdown?.removeEventListener('abort', onShutdown)
  }
}

function formatOf(filename: string): 'npy' | 'csv' | 'tsv' | 'txt' {
  const ext = filename.split('.').pop()?.toLowerCase()
  return ext === 'npy' || ext === 'csv' || ext === 'tsv' ? ext : 'txt'
}
