/**
 * @module Runs one leased model job: read the ONNX model and its inputs (.npy batch or image archive),
 * run inference in batches with the chosen layers exposed, store thumbnails of images, then embed every
 * layer with the job's parameters and seed (one map each; the first streams live frames), and complete.
 */
import { WORKER_VERSION, reportFailure, sha256, startHeartbeat } from '../run-support.ts'
import {
  LIMITS,
  OnnxModelError,
  encodeFrame,
  encodeNpyFloat32,
  encodeNpyInt32,
  perplexityProblem,
  readOnnxModelBytes,
  resolvePerplexity,
  type ImagePreprocess,
  type JobLayer,
  type JobLayers,
  type MapWarning,
  type UploadInfo,
} from '@constellate/shared'
import { EMBED_DEFAULTS, TsneInputError, type EmbedFrame } from '../engine.ts'
import { convergenceWarning, inputWarnings } from '../map-warnings.ts'
import { ResultCheckError, checkFiniteResult } from '../result-check.ts'
import { selectBackend } from '../backends/select-backend.ts'
import { StaleLeaseError, type LeasedJob, type UploadRef } from '../edge-client.ts'
import { InputError, checkLabelCount, compareLabels, loadLabels, normaliseMagnitude, validateFeatures } from '../inputs/index.ts'
import { computeMetrics } from '../metrics.ts'
import { computeMapExtras, type MapExtrasSummary } from '../map-extras.ts'
import { embeddingCsv, embeddingNpy } from '../results.ts'
import type { RunContext } from '../job-runner.ts'
import { ThumbnailSheets, imageSamples, readImageArchive, resolvePreprocess, type ThumbnailIndex } from '../images/index.ts'
import { ModelError } from './errors.ts'
import { readNpySamples } from './npy-samples.ts'
import { runInference, type SampleSource } from './run.ts'
import { openModel, type OpenModel } from './session.ts'

/** The `model` section of a leased job (the edge resolves upload ids to storage references). */
export interface LeasedModel {
  upload: UploadRef
  layers: string[] | null
  preprocess: ImagePreprocess | null
  batchSize: number | null
}

type ModelLeasedJob = LeasedJob & { job: LeasedJob['job'] & { model: LeasedModel } }

/** True when the leased job computes its features with a model. */
export function isModelJob(leased: LeasedJob): leased is ModelLeasedJob {
  return Boolean((leased.job as { model?: unknown }).model)
}

/** Heartbeats carrying inference progress are sent at most this often, ms. */
const PROGRESS_EVERY_MS = 1000



function extensionOf(upload: UploadRef): string {
  return (upload.info as UploadInfo | null)?.format ?? upload.filename.split('.').pop()?.toLowerCase() ?? ''
}

/**
 * Runs a model job end to end; failures the user can fix fail the job at once with their message.
 * `shutdown` aborting (SIGTERM) stops at the next batch or frame and hands the job back.
 */
export async function runModelJob(ctx: RunContext, leased: ModelLeasedJob, shutdown?: AbortSignal): Promise<void> {
  const { job } = leased
  const abort = new AbortController()
  const onShutdown = () => abort.abort(new Error('worker shutting down'))
  shutdown?.addEventListener('abort', onShutdown)
  const heartbeat = startHeartbeat(ctx, leased, abort)
  const started = Date.now()
  const timings: Record<string, number> = {}
  const time = async <T>(stage: string, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now()
    try {
      return await work()
    } finally {
      timings[stage] = (timings[stage] ?? 0) + (performance.now() - t0) / 1000
    }
  }
  const progress = (stage: string, extra: Record<string, unknown> = {}) => ctx.edge.heartbeat(leased, { stage, ...extra }).catch(() => undefined)
  const prefix = job.resultsPrefix
  let opened: OpenModel | null = null
  try {
    await ctx.edge.heartbeat(leased, { stage: 'reading model', iteration: 0, totalIterations: job.params.iterations })
    for (const upload of [job.model.upload, job.features]) {
      if (ctx.maxInputBytes && upload.size > ctx.maxInputBytes) {
        throw new InputError('input_too_large_for_worker', `"${upload.filename}" is ${upload.size} bytes; this deployment's workers take at most ${ctx.maxInputBytes}. Ask the operator to raise MAX_INPUT_BYTES.`)
      }
    }
    const modelBytes = await time('download', () => ctx.store.get(job.model.upload.key))
    const summary = await time('parse', () => readOnnxModelBytes(modelBytes))
    const layers = [...new Set(job.model.layers ?? [summary.defaultLayer])]
    const ops = new Map(summary.layers.map((l) => [l.output, l.opType]))
    const model = (opened = await time('load', () => openModel(modelBytes, layers, new Set(ops.keys()))))

    await progress('reading inputs')
    const inputBytes = await time('download', () => ctx.store.get(job.features.key))
    const format = extensionOf(job.features)
    let source: SampleSource
    let folderLabels: (string | null)[] | null = null
    let thumbnails: ThumbnailSheets | null = null
    let preprocess = null
    if (format === 'zip' || format === 'tar') {
      const images = readImageArchive(inputBytes, format, job.features.filename)
      if (images.length < LIMITS.minPoints) throw new ModelError('too_few_inputs', `"${job.features.filename}" holds ${images.length} images; a map needs at least ${LIMITS.minPoints}.`)
      folderLabels = images.map((i) => i.label)
      preprocess = resolvePreprocess(job.model.preprocess ?? {}, model.input.shape)
      thumbnails = new ThumbnailSheets((name, png) => ctx.store.put(`${prefix}/thumbnails/${name}`, png, 'image/png'))
      source = imageSamples(images, preprocess, thumbnails, job.features.filename)
    } else if (format === 'npy') {
      source = readNpySamples(inputBytes, job.features.filename)
    } else {
      throw new ModelError('model_input_unsupported', `Model inputs are read from .npy, .zip or .tar files; got "${job.features.filename}".`)
    }
    const n = source.n
    // the point count is known before inference: a perplexity it cannot carry fails now, not after it
    const params = { ...job.params, perplexity: resolvePerplexity(job.params.perplexity, n) }
    const problem = perplexityProblem(params.perplexity, n, { kind: 'inputs', filename: job.features.filename })
    if (problem) throw new InputError('perplexity_too_large', problem)

    let labels: { classes: string[]; codes: Int32Array } | undefined
    let labelHash: string | null = null
    if (job.labels) {
      const labelBytes = await ctx.store.get(job.labels.key)
      labelHash = sha256(labelBytes)
      labels = loadLabels(labelBytes, job.labels.info?.format ?? 'txt')
      checkLabelCount(labels.codes.length, n)
    } else if (folderLabels && folderLabels.some((l) => l !== null)) {
      labels = encodeLabels(folderLabels.map((l) => l ?? '(no folder)'))
    }
    if (labels) await ctx.store.put(job.labelsKey, JSON.stringify({ classes: labels.classes, codes: Array.from(labels.codes) }), 'application/json')

    let lastProgress = 0
    const deadline = Date.now() + LIMITS.inferenceTimeSeconds * 1000
    const outputs = await time('inference', () =>
      runInference(model, source, {
        batchSize: job.model.batchSize ?? undefined,
        signal: abort.signal,
        deadline,
        onBatch: async (done, total) => {
          if (done === total || Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
            lastProgress = Date.now()
            await progress(`inference ${done}/${total}`, { labelsReady: Boolean(labels) })
          }
        },
      }),
    )
    opened = null
    await model.session.release()
    if (!outputs) return await finishEarly(ctx, leased, heartbeat, shutdown)
    const thumbnailIndex: ThumbnailIndex | null = thumbnails ? await thumbnails.finish() : null
    if (thumbnailIndex) await ctx.store.put(`${prefix}/thumbnails/index.json`, JSON.stringify(thumbnailIndex), 'application/json')

    const api = `/api/v1/jobs/${job.id}`
    const results: JobLayer[] = []
    const layerTimings: Record<string, number>[] = []
    let first: { kl: number; iterations: number } | null = null
    let sharedStart: Float64Array | undefined
    const layerNeighbours: MapExtrasSummary[] = []
    const selection = await selectBackend(job.params.backend ?? ctx.backend)
    const warnings: MapWarning[] = []
    const layerScales: number[] = []
    for (const [index, layer] of outputs.entries()) {
      try {
        validateFeatures(layer.features, n, layer.d)
      } catch (err) {
        if (err instanceof InputError) throw new InputError(err.code, `Layer "${layer.name}": ${err.message}`)
        throw err
      }
      layerScales.push(normaliseMagnitude(layer.features))
      const layerWarnings = inputWarnings({ points: layer.features, n, d: layer.d, perplexity: params.perplexity, labels })
      // the perplexity and label warnings are the same for every layer: the first layer's stand for all
      const perLayer = index === 0 ? layerWarnings : layerWarnings.filter((w) => w.code === 'duplicate_points' || w.code === 'constant_columns')
      warnings.push(...perLayer.map((w) => (outputs.length > 1 ? { ...w, layer: layer.name } : w)))
      const stagePrefix = outputs.length > 1 ? `layer ${index + 1}/${outputs.length}: ` : ''
      let lastFrame = -1
      const result = await time('embed', () =>
        selection.backend.embed(layer.features, n, layer.d, params, {
          signal: abort.signal,
          // Every layer's map starts from the first layer's start layout, so differences between the maps
          // come from the layers, not from where the optimisation began.
          initial: sharedStart,
          onStage: (stage) => void progress(`${stagePrefix}${stage}`),
          // Live frames come from the first layer's map; the others are stored when done.
          onFrame: index > 0 ? undefined : async (frame: EmbedFrame) => {
            if (frame.iteration === lastFrame) return
            lastFrame = frame.iteration
            const bytes = encodeFrame({ iteration: frame.iteration, dims: job.params.dims, n, kl: frame.kl ?? Number.NaN, coords: frame.embedding })
            try {
              await ctx.edge.frame(leased, bytes)
            } catch (err) {
              if (err instanceof StaleLeaseError) abort.abort(err)
              else ctx.log('frame post failed', { error: String(err) })
            }
          },
        }),
      )
      if (heartbeat.lost() || result.cancelled) return await finishEarly(ctx, leased, heartbeat, shutdown)
      layerTimings.push(result.timings)
      const metrics = await computeMetrics(result.embedding, n, result.dims, labels, { points: layer.features, d: layer.d })
      // Each layer's map has its own neighbours (in that layer's feature space) and per-point quality.
      const extras = await time('neighbours', () => computeMapExtras(result, { points: layer.features, d: layer.d }))
      const metricsJson = { ...metrics, layer: layer.name, pointQuality: { k: extras.summary.k, space: extras.summary.space, mean: extras.summary.meanQuality } }
      checkFiniteResult(result, metricsJson, outputs.length > 1 ? `the map of layer "${layer.name}"` : 'the map')
      const converged = convergenceWarning(result.klHistory, result.iterations, Math.min(result.iterations, EMBED_DEFAULTS.earlyExaggerationIterations))
      if (converged) warnings.push(outputs.length > 1 ? { ...converged, layer: layer.name } : converged)
      layerNeighbours.push(extras.summary)
      const files: [string, Uint8Array | string, string][] = [
        ['embedding.npy', embeddingNpy(result.embedding, n, result.dims), 'application/octet-stream'],
        ['embedding.csv', embeddingCsv(result.embedding, n, result.dims, labels), 'text/csv'],
        ['metrics.json', JSON.stringify(metricsJson, null, 2), 'application/json'],
        ['neighbours.npy', encodeNpyInt32(extras.neighbours, [n, extras.summary.k]), 'application/octet-stream'],
        ['quality-points.npy', encodeNpyFloat32(extras.quality, [n]), 'application/octet-stream'],
      ]
      for (const [file, body, type] of files) await ctx.store.put(`${prefix}/layers/${index}/${file}`, body, type)
      if (index === 0) {
        first = { kl: result.kl, iterations: result.iterations }
        sharedStart = result.initial
        // The job's own result files are its first layer's; model jobs never subsample, so point i is input i.
        for (const [file, body, type] of files) await ctx.store.put(`${prefix}/${file}`, body, type)
        await ctx.store.put(`${prefix}/indices.npy`, encodeNpyInt32(Int32Array.from({ length: n }, (_, i) => i), [n]), 'application/octet-stream')
      }
      results.push({
        index,
        name: layer.name,
        opType: ops.get(layer.name) ?? null,
        shape: layer.shape,
        d: layer.d,
        kl: Number.isFinite(result.kl) ? result.kl : null,
        iterations: result.iterations,
        embeddingNpy: `${api}/layers/${index}/embedding.npy`,
        embeddingCsv: `${api}/layers/${index}/embedding.csv`,
        metrics: `${api}/layers/${index}/metrics.json`,
        neighboursNpy: `${api}/layers/${index}/neighbours.npy`,
        qualityPointsNpy: `${api}/layers/${index}/quality-points.npy`,
      })
    }
    const layersJson: JobLayers = { layers: results, thumbnails: thumbnailIndex ? `${api}/thumbnails` : null }
    await ctx.store.put(`${prefix}/layers.json`, JSON.stringify(layersJson, null, 2), 'application/json')
    const manifest = {
      job: job.id,
      attempt: job.attempt,
      worker: { id: ctx.workerId, version: WORKER_VERSION, node: process.version, backend: { name: selection.backend.name, runtime: selection.backend.runtime, device: selection.backend.device, requested: selection.requested, reason: selection.reason }, inference: { runtime: 'onnxruntime-node', providers: model.providers } },
      inputs: {
        model: { upload: job.model.upload.id, filename: job.model.upload.filename, sha256: sha256(modelBytes), irVersion: summary.irVersion, opset: summary.opsetVersion, producer: summary.producer },
        inputs: { upload: job.features.id, filename: job.features.filename, sha256: sha256(inputBytes), n, sampleShape: source.sampleShape, modelInput: model.input },
        labels: job.labels ? { upload: job.labels.id, filename: job.labels.filename, sha256: labelHash, classes: labels?.classes.length } : labels ? { from: 'folders', classes: labels.classes.length } : null,
      },
      model: {
        // scale: the power of two the layer's values were multiplied by to fit float32 arithmetic (1: as computed)
        layers: results.map(({ name, opType, shape, d }, i) => ({ name, opType, shape, d, scale: layerScales[i], neighbours: layerNeighbours[i] })),
        preprocess,
        batchSize: job.model.batchSize,
        // every map starts from the PCA layout of the first layer's features
        initialization: { method: 'pca', from: results[0]?.name ?? null, shared: results.length > 1 },
      },
      params: { ...job.params, perplexity: params.perplexity, ...(job.params.perplexity === 'auto' ? { perplexityRequested: 'auto' } : {}) },
      seed: job.params.seed,
      kl: first?.kl ?? null,
      warnings,
      timings: { ...timings, layers: layerTimings, total: (Date.now() - started) / 1000 },
      createdAt: new Date().toISOString(),
    }
    await ctx.store.put(`${prefix}/manifest.json`, JSON.stringify(manifest, null, 2), 'application/json')
    heartbeat.stop()
    await ctx.edge.complete(leased, { kl: first?.kl ?? null, iterations: first?.iterations ?? 0, warnings })
    ctx.log('model job succeeded', { job: job.id, layers: results.length, seconds: (Date.now() - started) / 1000 })
  } catch (err) {
    heartbeat.stop()
    if (err instanceof StaleLeaseError || heartbeat.lost()) return ctx.log('lease lost', { job: job.id })
    await reportFailure(ctx, leased, err, err instanceof ModelError || err instanceof OnnxModelError || err instanceof InputError || err instanceof TsneInputError || err instanceof ResultCheckError)
  } finally {
    heartbeat.stop()
    shutdown?.removeEventListener('abort', onShutdown)
    await opened?.session.release().catch(() => undefined)
  }
}

/** Stops without results: lease lost, job cancelled, or the worker shutting down (the job is handed back). */
async function finishEarly(ctx: RunContext, leased: LeasedJob, heartbeat: { stop(): void; lost(): boolean }, shutdown?: AbortSignal): Promise<void> {
  heartbeat.stop()
  if (heartbeat.lost()) return ctx.log('lease lost; dropping results', { job: leased.job.id })
  if (shutdown?.aborted) {
    ctx.log('shutting down; handing the job back', { job: leased.job.id })
    await ctx.edge.release(leased).catch((err) => ctx.log('could not release job; its lease will expire', { error: String(err) }))
    return
  }
  ctx.log('job cancelled', { job: leased.job.id })
}

/** Folder names as classes in sorted order, with a code per image. */
function encodeLabels(texts: string[]): { classes: string[]; codes: Int32Array } {
  const classes = [...new Set(texts)].sort(compareLabels)
  const codeOf = new Map(classes.map((c, k) => [c, k]))
  return { classes, codes: Int32Array.from(texts, (t) => codeOf.get(t)!) }
}
