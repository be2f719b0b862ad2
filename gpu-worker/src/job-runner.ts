/**
 * @module Runs one leased job: read inputs, check them, embed with live frames, write results, complete.
 * User errors fail the job at once with a plain message; anything else is reported as retryable.
 */
import { WORKER_VERSION, reportFailure, sha256, startHeartbeat } from './run-support.ts'
import { encodeFrame, encodeNpyInt32, resolvePerplexity } from '@constellate/shared'
import { EMBED_DEFAULTS, TsneInputError, type EmbedFrame } from './engine.ts'
import { convergenceWarning, inputWarnings } from './map-warnings.ts'
import { ResultCheckError, checkFiniteResult } from './result-check.ts'
import { selectBackend } from './backends/select-backend.ts'
import type { BackendChoice } from './backends/backend.ts'
import { EdgeClient, StaleLeaseError, type LeasedJob } from './edge-client.ts'
import { InputError, metadataDocument } from './inputs/index.ts'
import { ObjectStore } from './object-store.ts'
import { embeddingCsv, embeddingNpy } from './results.ts'
import { computeMetrics } from './metrics.ts'
import { isModelJob, runModelJob } from './inference/model-job.ts'
import { loadMapInputs, type MapJobFields } from './map-inputs.ts'
import { writeMapExtras } from './map-extras.ts'

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
    const mapJob = job as typeof job & MapJobFields
    const inputBytes = (mapJob.featureFiles?.length ? mapJob.featureFiles : [job.features]).reduce((sum, file) => sum + file.size, 0)
    if (ctx.maxInputBytes && inputBytes > ctx.maxInputBytes) {
      throw new InputError(
        'input_too_large_for_worker',
        `The features ${mapJob.featureFiles && mapJob.featureFiles.length > 1 ? 'files are' : 'file is'} ${inputBytes} bytes; this deployment's workers take at most ${ctx.maxInputBytes}. Subsample, or ask the operator to raise MAX_INPUT_BYTES.`,
      )
    }
    let downloadSeconds = 0
    const download = async (key: string) => {
      const t0 = performance.now()
      try {
        return await ctx.store.get(key)
      } finally {
        downloadSeconds += (performance.now() - t0) / 1000
      }
    }
    const read = await time('parse', () => loadMapInputs(mapJob, download, checkShutdown))
    timings.download = downloadSeconds
    timings.parse = Math.max(0, timings.parse! - downloadSeconds)
    const features = { points: read.points, n: read.n, d: read.d }
    const labels = read.labels
    if (labels) await ctx.store.put(job.labelsKey, JSON.stringify({ classes: labels.classes, codes: Array.from(labels.codes) }), 'application/json')
    if (read.metadata) await ctx.store.put(mapJob.metadataKey ?? `jobs/${job.id}/metadata.json`, JSON.stringify(metadataDocument(read.metadata)), 'application/json')
    await ctx.edge.heartbeat(leased, { stage: 'pca', labelsReady: Boolean(labels), metadataReady: Boolean(read.metadata), points: read.n })

    let lastFrameIteration = -1
    const params = { ...job.params, perplexity: resolvePerplexity(job.params.perplexity, features.n) }
    const warnings = inputWarnings({ ...features, perplexity: params.perplexity, labels, subsample: read.subsample })
    const selection = await selectBackend(job.params.backend ?? ctx.backend)
    const result = await time('embed', () =>
      selection.backend.embed(features.points, features.n, features.d, params, {
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

    const prefix = job.resultsPrefix
    const extras = await time('neighbours', () => writeMapExtras(ctx.store, prefix, result, { points: features.points, d: features.d }))
    const metrics = await time('metrics', async () => computeMetrics(result.embedding, features.n, result.dims, labels, { points: features.points, d: features.d }))
    const metricsJson = { ...metrics, pointQuality: { k: extras.k, space: extras.space, mean: extras.meanQuality } }
    checkFiniteResult(result, metricsJson)
    const converged = convergenceWarning(result.klHistory, result.iterations, Math.min(result.iterations, EMBED_DEFAULTS.earlyExaggerationIterations))
    if (converged) warnings.push(converged)
    const first = read.inputs.files[0]!
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
        // n: the input rows of all files together (before any subsample); the map's points are `points`.
        // scale: the power of two the values were multiplied by to fit float32 arithmetic (1: as uploaded)
        features: { upload: first.upload, filename: first.filename, sha256: first.sha256, n: read.inputs.n, d: features.d, scale: read.scale },
        ...(read.inputs.files.length > 1 ? { featureFiles: read.inputs.files } : {}),
        labels: read.inputs.labels,
        metadata: read.inputs.metadata,
      },
      points: features.n,
      subsample: read.subsample,
      neighbours: extras,
      params: { ...job.params, ...result.resolved, ...(job.params.perplexity === 'auto' ? { perplexityRequested: 'auto' } : {}) },
      seed: job.params.seed,
      kl: result.kl,
      warnings,
      timings: { ...timings, ...result.timings, total: (Date.now() - started) / 1000 },
      createdAt: new Date().toISOString(),
    }
    await ctx.store.put(`${prefix}/embedding.npy`, embeddingNpy(result.embedding, features.n, result.dims), 'application/octet-stream')
    await ctx.store.put(`${prefix}/embedding.csv`, embeddingCsv(result.embedding, features.n, result.dims, labels), 'text/csv')
    await ctx.store.put(`${prefix}/indices.npy`, encodeNpyInt32(read.indices, [features.n]), 'application/octet-stream')
    await ctx.store.put(`${prefix}/metrics.json`, JSON.stringify(metricsJson, null, 2), 'application/json')
    await ctx.store.put(`${prefix}/manifest.json`, JSON.stringify(manifest, null, 2), 'application/json')
    heartbeat.stop()
    await ctx.edge.complete(leased, { kl: result.kl, iterations: result.iterations, warnings })
    ctx.log('job succeeded', { job: job.id, seconds: (Date.now() - started) / 1000 })
  } catch (err) {
    heartbeat.stop()
    if (err instanceof StaleLeaseError || heartbeat.lost()) return ctx.log('lease lost', { job: job.id })
    if (err instanceof ShuttingDown) {
      ctx.log('releasing job: shutting down', { job: job.id })
      await ctx.edge.release(leased).catch((releaseErr) => ctx.log('could not release job; its lease will expire', { error: String(releaseErr) }))
      return
    }
    await reportFailure(ctx, leased, err, err instanceof InputError || err instanceof TsneInputError || err instanceof ResultCheckError)
  } finally {
    heartbeat.stop()
    shutdown?.removeEventListener('abort', onShutdown)
  }
}
