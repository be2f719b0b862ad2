/**
 * @module A model job, as the lifecycle's steps: read and load the ONNX model and its inputs (.npy batch
 * or image archive), check the perplexity against the number of inputs, run inference in batches with the
 * chosen layers exposed (storing thumbnails of images), then embed every layer with the job's parameters
 * and seed (one map each, all from the first layer's start layout; the first streams live frames), check
 * and judge each map, and write every layer's files (the first layer's are also the job's own), the layer
 * list and the manifest.
 */
import {
  LIMITS,
  THUMBNAIL_INDEX_FILE,
  layerResultLinks,
  layersListKey,
  perplexityProblem,
  resolvePerplexity,
  thumbnailKey,
  type JobLayer,
  type JobLayers,
  type JobParams,
  type LeasedModel,
  type MapWarning,
} from '@constellate/shared'
import { selectBackend, type BackendSelection } from '../backends/index.ts'
import { InputError, normaliseMagnitude, validateFeatures, type Labels } from '../inputs/index.ts'
import { runInference, type LayerFeatures } from '../inference/index.ts'
import { computeMapExtras, type MapExtrasSummary } from '../map-extras.ts'
import { inputWarnings } from '../map-warnings.ts'
import { computeMetrics } from '../metrics.ts'
import type { Completion, Run } from './lifecycle.ts'
import { paramsSection, sha256, workerSection } from './manifest.ts'
import { checkModelInputSizes, openJobModel, readModelLabels, readModelSamples, type JobModel, type ModelSamples } from './model-inputs.ts'
import { checkedMap, writeIndices, writeLabels, writeManifest, writeMapFiles } from './results.ts'

/** Heartbeats carrying inference progress are sent at most this often, ms. */
const PROGRESS_EVERY_MS = 1000

export async function runModelJob(run: Run, model: LeasedModel): Promise<Completion> {
  const { ctx, job } = run
  await run.report({ stage: 'reading model', iteration: 0, totalIterations: job.params.iterations })
  checkModelInputSizes([model.upload, job.features], ctx.maxInputBytes)
  const jobModel = await openJobModel(run, model)
  const { samples, params, labels, labelsHash, outputs } = await infer(run, model, jobModel)
  if (!outputs) run.stop()
  const prefix = job.resultsPrefix
  const thumbnailIndex = samples.thumbnails ? await samples.thumbnails.finish() : null
  if (thumbnailIndex) await ctx.store.put(thumbnailKey(prefix, THUMBNAIL_INDEX_FILE), JSON.stringify(thumbnailIndex), 'application/json')

  const selection = await selectBackend(job.params.backend ?? ctx.backend)
  const n = samples.source.n
  const maps = await embedLayers(run, outputs, { n, params, labels, selection, ops: jobModel.ops })
  const api = `/api/v1/jobs/${job.id}`
  const layersJson: JobLayers = { layers: maps.layers, thumbnails: thumbnailIndex ? `${api}/thumbnails` : null }
  await ctx.store.put(layersListKey(prefix), JSON.stringify(layersJson, null, 2), 'application/json')
  const { opened, summary } = jobModel
  const manifest = {
    job: job.id,
    attempt: job.attempt,
    worker: { ...workerSection(ctx.workerId, selection), inference: { runtime: 'onnxruntime-node', providers: opened.providers } },
    inputs: {
      model: { upload: model.upload.id, filename: model.upload.filename, sha256: sha256(jobModel.bytes), irVersion: summary.irVersion, opset: summary.opsetVersion, producer: summary.producer },
      inputs: { upload: job.features.id, filename: job.features.filename, sha256: sha256(samples.bytes), n, sampleShape: samples.source.sampleShape, modelInput: opened.input },
      labels: job.labels ? { upload: job.labels.id, filename: job.labels.filename, sha256: labelsHash, classes: labels?.classes.length } : labels ? { from: 'folders', classes: labels.classes.length } : null,
    },
    model: {
      // scale: the power of two the layer's values were multiplied by to fit float32 arithmetic (1: as computed)
      layers: maps.layers.map(({ name, opType, shape, d }, i) => ({ name, opType, shape, d, scale: maps.scales[i], neighbours: maps.neighbours[i] })),
      preprocess: samples.preprocess,
      batchSize: model.batchSize,
      // every map starts from the PCA layout of the first layer's features
      initialization: { method: 'pca', from: maps.layers[0]?.name ?? null, shared: maps.layers.length > 1 },
    },
    params: paramsSection(job.params, { perplexity: params.perplexity }),
    seed: job.params.seed,
    kl: maps.first?.kl ?? null,
    warnings: maps.warnings,
    timings: { ...run.timings, layers: maps.timings, total: run.seconds() },
    createdAt: new Date().toISOString(),
  }
  await writeManifest(ctx.store, prefix, manifest)
  return { kl: maps.first?.kl ?? null, iterations: maps.first?.iterations ?? 0, warnings: maps.warnings, logFields: { layers: maps.layers.length } }
}

/**
 * Reads the inputs and their labels, checks the perplexity, and runs the model; its session is released
 * either way. Null outputs: the run stopped during inference.
 */
async function infer(run: Run, model: LeasedModel, jobModel: JobModel) {
  const { session } = jobModel.opened
  try {
    const { ctx, job } = run
    await run.progress('reading inputs')
    const samples = await readModelSamples(run, model, jobModel.opened)
    const n = samples.source.n
    // the point count is known before inference: a perplexity it cannot carry fails now, not after it
    const params = { ...job.params, perplexity: resolvePerplexity(job.params.perplexity, n) }
    const problem = perplexityProblem(params.perplexity, n, { kind: 'inputs', filename: job.features.filename })
    if (problem) throw new InputError('perplexity_too_large', problem)
    const { labels, sha256: labelsHash } = await readModelLabels(run, samples)
    if (labels) await writeLabels(ctx.store, job.labelsKey, labels)

    let lastProgress = 0
    const deadline = Date.now() + LIMITS.inferenceTimeSeconds * 1000
    const outputs = await run.time('inference', () =>
      runInference(jobModel.opened, samples.source, {
        batchSize: model.batchSize ?? undefined,
        signal: run.signal,
        deadline,
        onBatch: async (done, total) => {
          if (done === total || Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
            lastProgress = Date.now()
            await run.progress(`inference ${done}/${total}`, { labelsReady: Boolean(labels) })
          }
        },
      }),
    )
    await session.release()
    return { samples: samples satisfies ModelSamples, params, labels, labelsHash, outputs }
  } catch (err) {
    await session.release().catch(() => undefined)
    throw err
  }
}

/** Every layer's map, its place in layers.json and the manifest, and the warnings of all of them. */
interface LayerMaps {
  layers: JobLayer[]
  /** Per layer: the power of two its features were scaled by. */
  scales: number[]
  neighbours: MapExtrasSummary[]
  /** Per layer: seconds per stage of its embedding. */
  timings: Record<string, number>[]
  /** The first layer's map: the job's own. */
  first: { kl: number; iterations: number } | null
  warnings: MapWarning[]
}

interface LayerJob {
  /** Samples, the points of every map. */
  n: number
  params: JobParams & { perplexity: number }
  labels: Labels | undefined
  selection: BackendSelection
  ops: Map<string, string>
}

/** Embeds each layer's features in turn, checks the map and stores its files (the first layer's twice: also as the job's). */
async function embedLayers(run: Run, outputs: LayerFeatures[], { n, params, labels, selection, ops }: LayerJob): Promise<LayerMaps> {
  const { ctx, job } = run
  const prefix = job.resultsPrefix
  const api = `/api/v1/jobs/${job.id}`
  const maps: LayerMaps = { layers: [], scales: [], neighbours: [], timings: [], first: null, warnings: [] }
  const several = outputs.length > 1
  let sharedStart: Float64Array | undefined
  for (const [index, layer] of outputs.entries()) {
    const named = (warning: MapWarning): MapWarning => (several ? { ...warning, layer: layer.name } : warning)
    try {
      validateFeatures(layer.features, n, layer.d)
    } catch (err) {
      if (err instanceof InputError) throw new InputError(err.code, `Layer "${layer.name}": ${err.message}`)
      throw err
    }
    maps.scales.push(normaliseMagnitude(layer.features))
    const layerWarnings = inputWarnings({ points: layer.features, n, d: layer.d, perplexity: params.perplexity, labels })
    // the perplexity and label warnings are the same for every layer: the first layer's stand for all
    const perLayer = index === 0 ? layerWarnings : layerWarnings.filter((w) => w.code === 'duplicate_points' || w.code === 'constant_columns')
    maps.warnings.push(...perLayer.map(named))
    // Every layer's map starts from the first layer's start layout, so differences between the maps come
    // from the layers, not from where the optimisation began. Live frames come from the first layer's map.
    const hooks = run.embedHooks({ stagePrefix: several ? `layer ${index + 1}/${outputs.length}: ` : '', initial: sharedStart, frames: index === 0 ? n : undefined })
    const result = await run.time('embed', () => selection.backend.embed(layer.features, n, layer.d, params, hooks))
    if (result.cancelled) run.stop()
    run.checkpoint()
    maps.timings.push(result.timings)
    const input = { points: layer.features, d: layer.d }
    const metrics = await computeMetrics(result.embedding, n, result.dims, labels, input)
    // Each layer's map has its own neighbours (in that layer's feature space) and per-point quality.
    const extras = await run.time('neighbours', () => computeMapExtras(result, input))
    const map = checkedMap(result, { ...metrics, layer: layer.name }, extras, labels, several ? `the map of layer "${layer.name}"` : 'the map')
    if (map.converged) maps.warnings.push(named(map.converged))
    maps.neighbours.push(extras.summary)
    await writeMapFiles(ctx.store, prefix, map.files, index)
    if (index === 0) {
      maps.first = { kl: result.kl, iterations: result.iterations }
      sharedStart = result.initial
      // The job's own result files are its first layer's; model jobs never subsample, so point i is input i.
      await writeMapFiles(ctx.store, prefix, map.files)
      await writeIndices(ctx.store, prefix, Int32Array.from({ length: n }, (_, i) => i))
    }
    maps.layers.push({
      index,
      name: layer.name,
      opType: ops.get(layer.name) ?? null,
      shape: layer.shape,
      d: layer.d,
      kl: Number.isFinite(result.kl) ? result.kl : null,
      iterations: result.iterations,
      ...layerResultLinks(api, index),
    })
  }
  return maps
}
