/**
 * @module The inputs of a model job, read and opened: the ONNX model (checked, then loaded with the chosen
 * layers exposed), the samples it runs on (a .npy batch, or the images of a .zip/.tar archive, whose
 * thumbnails are stored as they are read and whose folders name them), and the labels of the samples.
 */
import {
  LIMITS,
  readOnnxModelBytes,
  thumbnailKey,
  type LeasedModel,
  type OnnxModelSummary,
  type UploadRef,
} from '@constellate/shared'
import { InputError, checkLabelCount, compareLabels, loadLabels, type Labels } from '../inputs/index.ts'
import { ThumbnailSheets, imageSamples, readImageArchive, resolvePreprocess, type Preprocess } from '../images/index.ts'
import { ModelError, openModel, readNpySamples, type OpenModel, type SampleSource } from '../inference/index.ts'
import type { Run } from './lifecycle.ts'
import { sha256 } from './manifest.ts'

/** A deployment may cap what one worker reads (MAX_INPUT_BYTES): the model and the inputs, each. */
export function checkModelInputSizes(uploads: readonly UploadRef[], maxInputBytes = 0): void {
  for (const upload of uploads) {
    if (maxInputBytes && upload.size > maxInputBytes) {
      throw new InputError('input_too_large_for_worker', `"${upload.filename}" is ${upload.size} bytes; this deployment's workers take at most ${maxInputBytes}. Ask the operator to raise MAX_INPUT_BYTES.`)
    }
  }
}

export interface JobModel {
  bytes: Uint8Array
  summary: OnnxModelSummary
  /** The outputs to embed, each once, in the order asked for (the model's default layer when none was). */
  layers: string[]
  /** Output name -> the op that computes it. */
  ops: Map<string, string>
  opened: OpenModel
}

/** Downloads, checks and loads the job's model with its layers exposed. */
export async function openJobModel(run: Run, model: LeasedModel): Promise<JobModel> {
  const bytes = await run.time('download', () => run.ctx.store.get(model.upload.key))
  const summary = await run.time('parse', () => readOnnxModelBytes(bytes))
  const layers = [...new Set(model.layers ?? [summary.defaultLayer])]
  const ops = new Map(summary.layers.map((l) => [l.output, l.opType]))
  const opened = await run.time('load', () => openModel(bytes, layers, new Set(ops.keys())))
  return { bytes, summary, layers, ops, opened }
}

export interface ModelSamples {
  bytes: Uint8Array
  source: SampleSource
  /** Each image's folder (null at the archive's top); null for a .npy batch. */
  folderLabels: (string | null)[] | null
  /** Sheets the images' thumbnails are stored in as inference reads them; null for a .npy batch. */
  thumbnails: ThumbnailSheets | null
  preprocess: Preprocess | null
}

/** Downloads the inputs and makes them the model's samples. */
export async function readModelSamples(run: Run, model: LeasedModel, opened: OpenModel): Promise<ModelSamples> {
  const { features } = run.job
  const bytes = await run.time('download', () => run.ctx.store.get(features.key))
  const format = extensionOf(features)
  if (format === 'zip' || format === 'tar') {
    const images = readImageArchive(bytes, format, features.filename)
    if (images.length < LIMITS.minPoints) throw new ModelError('too_few_inputs', `"${features.filename}" holds ${images.length} images; a map needs at least ${LIMITS.minPoints}.`)
    const preprocess = resolvePreprocess(model.preprocess ?? {}, opened.input.shape)
    const prefix = run.job.resultsPrefix
    const thumbnails = new ThumbnailSheets((name, png) => run.ctx.store.put(thumbnailKey(prefix, name), png, 'image/png'))
    const source = imageSamples(images, preprocess, thumbnails, features.filename)
    return { bytes, source, folderLabels: images.map((i) => i.label), thumbnails, preprocess }
  }
  if (format === 'npy') return { bytes, source: readNpySamples(bytes, features.filename), folderLabels: null, thumbnails: null, preprocess: null }
  throw new ModelError('model_input_unsupported', `Model inputs are read from .npy, .zip or .tar files; got "${features.filename}".`)
}

function extensionOf(upload: UploadRef): string {
  return upload.info?.format ?? upload.filename.split('.').pop()?.toLowerCase() ?? ''
}

/** The samples' labels: the uploaded labels file (with its hash for the manifest), else the image folders, else none. */
export async function readModelLabels(run: Run, samples: ModelSamples): Promise<{ labels: Labels | undefined; sha256: string | null }> {
  const upload = run.job.labels
  if (upload) {
    const bytes = await run.ctx.store.get(upload.key)
    const labels = loadLabels(bytes, upload.info?.format ?? 'txt')
    checkLabelCount(labels.codes.length, samples.source.n)
    return { labels, sha256: sha256(bytes) }
  }
  const folders = samples.folderLabels
  if (folders && folders.some((l) => l !== null)) return { labels: encodeLabels(folders.map((l) => l ?? '(no folder)')), sha256: null }
  return { labels: undefined, sha256: null }
}

/** Folder names as classes in sorted order, with a code per image. */
function encodeLabels(texts: string[]): Labels {
  const classes = [...new Set(texts)].sort(compareLabels)
  const codeOf = new Map(classes.map((c, k) => [c, k]))
  return { classes, codes: Int32Array.from(texts, (t) => codeOf.get(t)!) }
}
