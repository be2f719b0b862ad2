/**
 * @module Batched inference: feeds N samples through an opened model in batches, checks the input shape
 * first (so a mismatch says expected vs given in plain words), and gathers each exposed layer flattened
 * to a row-major float32 [N, D] matrix. Cancellable, with a wall-time cap and per-batch progress.
 */
import { LIMITS } from '@constellate/shared'
import * as ort from 'onnxruntime-node'
import { ModelError } from './errors.ts'
import type { ModelInput, OpenModel } from './session.ts'

/** Where the samples come from: `fill` writes samples [start, start+count) into `out`, row-major. */
export interface SampleSource {
  n: number
  /** Shape of one sample (the model input without its batch dimension). */
  sampleShape: number[]
  /** Writes count * product(sampleShape) float32 values. */
  fill(start: number, count: number, out: Float32Array): void | Promise<void>
  /** Words for messages: "the .npy inputs", "the images (preprocess size 28x28, 1 channel)". */
  describe: string
  /** A hint added to shape-mismatch messages (e.g. which preprocess option to change). */
  mismatchHint?: (expected: (number | string | null)[]) => string
}

/** One exposed layer: `features` is row-major, length n*d; `shape` is one sample's shape. */
export interface LayerFeatures {
  name: string
  shape: number[]
  d: number
  features: Float32Array
}

export interface RunOptions {
  /** Samples per batch; default: the model's fixed batch size, else up to 256 within ~16 MB of input. */
  batchSize?: number
  signal?: AbortSignal
  /** Epoch milliseconds after which inference fails with inference_timeout. */
  deadline?: number
  onBatch?(done: number, total: number): void | Promise<void>
}

/** Largest flattened layer held in memory, values (2 GiB of float32). */
const MAX_LAYER_VALUES = 2 ** 29
const INPUT_VALUES_PER_BATCH = 4 * 1024 * 1024
const DEFAULT_BATCH = 256

export function shapeText(shape: readonly (number | string | null)[]): string {
  return `[${shape.map((d) => (d === null ? '?' : d)).join(', ')}]`
}

/**
 * Throws model_input_mismatch unless samples of `sampleShape` fit the model input (rank and every fixed
 * dimension after the batch one).
 */
export function checkInputShape(input: ModelInput, n: number, sampleShape: readonly number[], source: Pick<SampleSource, 'describe' | 'mismatchHint'>): void {
  const expected = input.shape
  const given = [n, ...sampleShape]
  const rankOk = expected.length === given.length
  const bad = rankOk ? expected.findIndex((d, k) => k > 0 && typeof d === 'number' && d !== given[k]) : -1
  if (rankOk && bad < 0) return
  const what = rankOk
    ? `dimension ${bad} is ${given[bad]} where the model wants ${expected[bad]}`
    : `the model wants ${expected.length}-D input and ${source.describe} are ${given.length}-D`
  const hint = source.mismatchHint?.(expected) ?? ''
  throw new ModelError(
    'model_input_mismatch',
    `The model expects input "${input.name}" of shape ${shapeText(expected)} but ${source.describe} have shape ${shapeText(given)}: ${what}.${hint ? ' ' + hint : ''}`,
  )
}

type InputArray = Float32Array | Float64Array | Uint8Array | Int8Array | Int32Array | BigInt64Array

function inputTensor(type: string, values: Float32Array, dims: number[]): ort.Tensor {
  let data: InputArray
  if (type === 'float32') data = values
  else if (type === 'float64') data = Float64Array.from(values)
  else if (type === 'uint8') data = Uint8Array.from(values, (v) => Math.min(255, Math.max(0, Math.round(v))))
  else if (type === 'int8') data = Int8Array.from(values, (v) => Math.min(127, Math.max(-128, Math.round(v))))
  else if (type === 'int32') data = Int32Array.from(values, (v) => Math.round(v))
  else if (type === 'int64') data = BigInt64Array.from(values, (v) => BigInt(Math.round(v)))
  else throw new ModelError('model_input_unsupported', `The model's input has element type ${type}; model jobs feed float32, float64, uint8, int8, int32 or int64.`)
  return new ort.Tensor(type as 'float32', data as Float32Array, dims)
}

/** Copies `count` rows of a tensor's data into out[at...] as float32. */
function copyRows(data: ort.Tensor['data'], values: number, out: Float32Array, at: number): void {
  if (data instanceof Float32Array) {
    out.set(data.subarray(0, values), at)
    return
  }
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let k = 0; k < values; k++) out[at + k] = Number(data[k]!)
    return
  }
  if (Array.isArray(data)) throw new ModelError('model_input_unsupported', 'A chosen layer holds strings; pick a numeric layer.')
  const numeric = data as ArrayLike<number>
  for (let k = 0; k < values; k++) out[at + k] = Number(numeric[k]!)
}

/**
 * Runs every sample through the model and returns each exposed layer as [N, D] float32, or null when
 * cancelled through `signal`. Peak memory: the outputs plus one batch.
 * @throws ModelError model_input_mismatch, model_run_failed, layer_too_wide, inference_timeout
 */
export async function runInference(model: OpenModel, source: SampleSource, options: RunOptions = {}): Promise<LayerFeatures[] | null> {
  const { session, input } = model
  const { n, sampleShape } = source
  checkInputShape(input, n, sampleShape, source)
  const sampleSize = sampleShape.reduce((a, b) => a * b, 1)
  const fixedBatch = typeof input.shape[0] === 'number' ? input.shape[0] : null
  const batchSize = fixedBatch ?? options.batchSize ?? Math.max(1, Math.min(DEFAULT_BATCH, Math.floor(INPUT_VALUES_PER_BATCH / sampleSize)))
  const batches = Math.ceil(n / batchSize)
  const buffer = new Float32Array(batchSize * sampleSize)
  const layers: (LayerFeatures | null)[] = model.outputs.map(() => null)
  for (let b = 0; b < batches; b++) {
    if (options.signal?.aborted) return null
    if (options.deadline !== undefined && Date.now() > options.deadline) {
      throw new ModelError('inference_timeout', `Inference took longer than ${LIMITS.inferenceTimeSeconds} s (stopped after ${b} of ${batches} batches). Upload fewer inputs or a smaller model.`)
    }
    const start = b * batchSize
    const count = Math.min(batchSize, n - start)
    // A fixed batch size is padded with zeros in the last batch; padded rows are dropped below.
    const rows = fixedBatch ?? count
    if (rows !== count) buffer.fill(0)
    await source.fill(start, count, buffer)
    const feeds = { [input.name]: inputTensor(input.type, buffer.subarray(0, rows * sampleSize), [rows, ...sampleShape]) }
    let results: ort.InferenceSession.ReturnType
    try {
      results = await session.run(feeds, model.outputs)
    } catch (err) {
      throw translateRunError(String((err as Error).message ?? err), b, batches, start, count, input, sampleShape, source)
    }
    model.outputs.forEach((name, k) => {
      const tensor = results[name]!
      const dims = tensor.dims.map(Number)
      if (dims[0] !== rows) {
        throw new ModelError('model_layer_unknown', `Layer "${name}" has shape ${shapeText(dims)} for a batch of ${rows}: it does not keep one row per input, so it cannot be embedded. Pick a layer whose first dimension is the batch.`)
      }
      let layer = layers[k]
      if (!layer) {
        const shape = dims.slice(1)
        const d = shape.reduce((a, c) => a * c, 1)
        if (d > LIMITS.maxDims || d * n > MAX_LAYER_VALUES) {
          throw new ModelError('layer_too_wide', `Layer "${name}" has ${d} values per input (shape ${shapeText(shape)}); at most ${LIMITS.maxDims} can be embedded${d * n > MAX_LAYER_VALUES ? ` and ${n} inputs x ${d} is too large to hold` : ''}. Pick a later layer (after pooling) or a smaller one.`)
        }
        layer = layers[k] = { name, shape, d, features: new Float32Array(n * d) }
      }
      copyRows(tensor.data, count * layer.d, layer.features, start * layer.d)
      tensor.dispose()
    })
    await options.onBatch?.(b + 1, batches)
  }
  return layers as LayerFeatures[]
}

function translateRunError(message: string, batch: number, batches: number, start: number, count: number, input: ModelInput, sampleShape: number[], source: SampleSource): ModelError {
  const detail = message.replace(/^Error:\s*/, '').replace(/\s+/g, ' ').trim()
  const dims = /Got invalid dimensions for input: (\S+) for the following indices index: (\d+) Got: (\d+) Expected: (\d+)/.exec(detail)
  if (dims) {
    const hint = source.mismatchHint?.(input.shape) ?? ''
    return new ModelError(
      'model_input_mismatch',
      `The model expects input "${dims[1]}" with ${dims[4]} at dimension ${dims[2]} but ${source.describe} give ${dims[3]} (shape ${shapeText([count, ...sampleShape])}).${hint ? ' ' + hint : ''}`,
    )
  }
  return new ModelError('model_run_failed', `The model failed on batch ${batch + 1} of ${batches} (inputs ${start} to ${start + count - 1}): ${detail}`)
}
