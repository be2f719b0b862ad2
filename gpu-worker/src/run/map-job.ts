/**
 * @module A map job on uploaded features, as the lifecycle's steps: read and check the inputs (storing the
 * job's labels and metadata), embed with live frames, check the map and judge it (warnings), write the
 * results, and return what the job completes with.
 */
import { resolvePerplexity, type UploadRef } from '@constellate/shared'
import { selectBackend } from '../backends/index.ts'
import { computeMapExtras } from '../map-extras.ts'
import { inputWarnings } from '../map-warnings.ts'
import { computeMetrics } from '../metrics.ts'
import { InputError } from '../inputs/index.ts'
import type { Completion, Run } from './lifecycle.ts'
import { loadMapInputs, type MapInputs } from './map-inputs.ts'
import { paramsSection, workerSection } from './manifest.ts'
import { checkedMap, writeIndices, writeLabels, writeManifest, writeMapFiles, writeMetadata } from './results.ts'

export async function runMapJob(run: Run): Promise<Completion> {
  const { ctx, job } = run
  await run.report({ stage: 'reading inputs', iteration: 0, totalIterations: job.params.iterations })
  checkInputSize(job.featureFiles, ctx.maxInputBytes)
  const read = await readInputs(run)
  const { points, n, d, labels } = read
  if (labels) await writeLabels(ctx.store, job.labelsKey, labels)
  if (read.metadata) await writeMetadata(ctx.store, job.metadataKey, read.metadata)
  await run.report({ stage: 'pca', labelsReady: Boolean(labels), metadataReady: Boolean(read.metadata), points: n })

  const params = { ...job.params, perplexity: resolvePerplexity(job.params.perplexity, n) }
  const warnings = inputWarnings({ points, n, d, perplexity: params.perplexity, labels, subsample: read.subsample })
  const selection = await selectBackend(job.params.backend ?? ctx.backend)
  const result = await run.time('embed', () => selection.backend.embed(points, n, d, params, run.embedHooks({ frames: n })))
  if (result.cancelled) run.stop()
  run.checkpoint()

  const input = { points, d }
  const extras = await run.time('neighbours', () => computeMapExtras(result, input))
  const metrics = await run.time('metrics', () => computeMetrics(result.embedding, n, result.dims, labels, input))
  const map = checkedMap(result, metrics, extras, labels)
  if (map.converged) warnings.push(map.converged)
  const first = read.inputs.files[0]!
  const manifest = {
    job: job.id,
    attempt: job.attempt,
    worker: workerSection(ctx.workerId, selection, result.backend),
    inputs: {
      // n: the input rows of all files together (before any subsample); the map's points are `points`.
      // scale: the power of two the values were multiplied by to fit float32 arithmetic (1: as uploaded)
      features: { upload: first.upload, filename: first.filename, sha256: first.sha256, n: read.inputs.n, d, scale: read.scale },
      ...(read.inputs.files.length > 1 ? { featureFiles: read.inputs.files } : {}),
      labels: read.inputs.labels,
      metadata: read.inputs.metadata,
    },
    points: n,
    subsample: read.subsample,
    neighbours: extras.summary,
    params: paramsSection(job.params, result.resolved),
    seed: job.params.seed,
    kl: result.kl,
    warnings,
    timings: { ...run.timings, ...result.timings, total: run.seconds() },
    createdAt: new Date().toISOString(),
  }
  const prefix = job.resultsPrefix
  await writeMapFiles(ctx.store, prefix, map.files)
  await writeIndices(ctx.store, prefix, read.indices)
  await writeManifest(ctx.store, prefix, manifest)
  return { kl: result.kl, iterations: result.iterations, warnings }
}

/** A deployment may cap what one worker reads (MAX_INPUT_BYTES): the features files together. */
function checkInputSize(files: readonly UploadRef[], maxInputBytes = 0): void {
  const inputBytes = files.reduce((sum, file) => sum + file.size, 0)
  if (maxInputBytes && inputBytes > maxInputBytes) {
    throw new InputError(
      'input_too_large_for_worker',
      `The features ${files.length > 1 ? 'files are' : 'file is'} ${inputBytes} bytes; this deployment's workers take at most ${maxInputBytes}. Subsample, or ask the operator to raise MAX_INPUT_BYTES.`,
    )
  }
}

/** Reads the inputs, stopping between files if the run must stop; downloading is timed apart from parsing. */
async function readInputs(run: Run): Promise<MapInputs> {
  let downloadSeconds = 0
  const download = async (key: string) => {
    const t0 = performance.now()
    try {
      return await run.ctx.store.get(key)
    } finally {
      downloadSeconds += (performance.now() - t0) / 1000
    }
  }
  const read = await run.time('parse', () => loadMapInputs(run.job, download, () => run.checkpoint()))
  run.timings.download = downloadSeconds
  run.timings.parse = Math.max(0, run.timings.parse! - downloadSeconds)
  return read
}
