/**
 * @module Decisions of the "from an ONNX model" form before anything is sent: whether an `.npy` batch fits
 * the model's input, which layers are offered and picked, and the image preprocessing fields parsed into
 * the job's `model.preprocess` (with what the worker would read off the model when a field is left empty).
 */
import { ImagePreprocess, LIMITS, type ModelLayers } from '@constellate/shared'

type Dim = number | string | null
export interface ModelInput {
  name: string
  shape: Dim[] | null
}

const fixed = (dim: Dim | undefined): dim is number => typeof dim === 'number' && dim > 0

function shapeText(shape: readonly Dim[]): string {
  return `[${shape.map((dim) => (fixed(dim) ? String(dim) : typeof dim === 'string' && dim ? dim : '?')).join(', ')}]`
}

/**
 * Whether an `.npy` batch of `shape` (N first) can feed `input`: same rank, and every fixed dimension after
 * the batch equal. Returns the problem in plain words (expected vs given, and the reshape that fixes it), or
 * null when it fits or the model does not say.
 */
export function inputShapeProblem(shape: readonly number[], input: ModelInput | undefined, filename: string): string | null {
  if (!input?.shape || shape.length === 0) return null
  const expected = input.shape
  const given = `(${shape.join(', ')})`
  const wanted = ['N', ...expected.slice(1).map((dim) => (fixed(dim) ? String(dim) : '…'))].join(', ')
  const sameSize = expected.slice(1).every(fixed) && shape.slice(1).reduce((a, b) => a * b, 1) === expected.slice(1).reduce<number>((a, b) => a * (b as number), 1)
  const hint = sameSize ? ` Reshape it, e.g. x.reshape(${shape[0]}, ${expected.slice(1).join(', ')}).` : ''
  if (shape.length !== expected.length) {
    return `The model input "${input.name}" expects ${shapeText(expected)} (${expected.length}-D, batch first); ${filename} has shape ${given}. Save a batch of shape (${wanted}).${hint}`
  }
  for (let axis = 1; axis < expected.length; axis++) {
    const dim = expected[axis]
    if (fixed(dim) && dim !== shape[axis]) {
      return `The model input "${input.name}" expects ${shapeText(expected)}; ${filename} has shape ${given}: dimension ${axis} is ${shape[axis]}, not ${dim}.${hint}`
    }
  }
  return null
}

export type LayerEntry = ModelLayers['layers'][number] & { isDefault: boolean; isOutput: boolean }

/** The layers to offer, in graph order, with the default (penultimate features) and model outputs marked. */
export function layerEntries(model: ModelLayers): LayerEntry[] {
  const outputs = new Set(model.outputs.map((output) => output.name))
  return model.layers.map((layer) => ({ ...layer, isDefault: layer.output === model.defaultLayer, isOutput: outputs.has(layer.output) }))
}

/** Layers whose output, node name or op type contains every word of `query` (case-insensitive). */
export function filterLayers(entries: readonly LayerEntry[], query: string): LayerEntry[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  if (words.length === 0) return [...entries]
  return entries.filter((entry) => {
    const text = `${entry.output} ${entry.node} ${entry.opType}`.toLowerCase()
    return words.every((word) => text.includes(word))
  })
}

/** Picks or unpicks a layer, keeping graph order; refuses (returns null) past the per-job limit. */
export function toggleLayer(picked: readonly string[], output: string, order: readonly LayerEntry[]): string[] | null {
  if (picked.includes(output)) return picked.filter((name) => name !== output)
  if (picked.length >= LIMITS.maxModelLayers) return null
  const next = new Set([...picked, output])
  return order.map((entry) => entry.output).filter((name) => next.has(name))
}

/** A layer's shape for display: `[N, 128]` style with the batch as N. */
export function layerShapeText(shape: readonly Dim[] | null): string {
  if (!shape) return 'shape unknown'
  return shapeText(['N', ...shape.slice(1)])
}

/** The image preprocessing fields as typed (empty = read off the model). */
export interface PreprocessFields {
  size: string
  channels: '' | '1' | '3'
  layout: '' | 'NCHW' | 'NHWC'
  scale: string
  mean: string
  std: string
}

export type PreprocessErrors = Partial<Record<keyof PreprocessFields, string>>

export function emptyPreprocess(): PreprocessFields {
  return { size: '', channels: '', layout: '', scale: '', mean: '', std: '' }
}

/** ImageNet normalisation, the usual choice for torchvision models. */
export const IMAGENET_PREPROCESS: PreprocessFields = { size: '224', channels: '3', layout: 'NCHW', scale: '1/255', mean: '0.485, 0.456, 0.406', std: '0.229, 0.224, 0.225' }

function parseNumber(text: string): number {
  const fraction = /^\s*([0-9.eE+-]+)\s*\/\s*([0-9.eE+-]+)\s*$/.exec(text)
  if (fraction) return Number(fraction[1]) / Number(fraction[2])
  return text.trim() === '' ? Number.NaN : Number(text)
}

function parseList(text: string): number[] {
  return text
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map(parseNumber)
}

/** Parses the fields; `value` is undefined when every field is empty (the worker reads the model). */
export function parsePreprocess(fields: PreprocessFields): { value: ImagePreprocess | undefined; errors: PreprocessErrors } {
  const errors: PreprocessErrors = {}
  const value: ImagePreprocess = {}
  const size = fields.size.trim()
  if (size) {
    const sides = size.split(/\s*[x×,]\s*/i).map(Number)
    if (sides.length > 2 || sides.some((side) => !Number.isInteger(side) || side < 1 || side > 4096)) {
      errors.size = 'Give one side (e.g. 28) or height × width (e.g. 32x48), whole pixels from 1 to 4096.'
    } else value.size = sides.length === 1 ? sides[0]! : [sides[0]!, sides[1]!]
  }
  if (fields.channels) value.channels = Number(fields.channels) as 1 | 3
  if (fields.layout) value.layout = fields.layout
  if (fields.scale.trim()) {
    const scale = parseNumber(fields.scale)
    if (!(scale > 0) || !Number.isFinite(scale)) errors.scale = 'A positive number, e.g. 1/255 (pixels 0–255 become 0–1) or 1.'
    else value.scale = scale
  }
  const channels = value.channels
  for (const key of ['mean', 'std'] as const) {
    if (!fields[key].trim()) continue
    const list = parseList(fields[key])
    const example = key === 'mean' ? '0.5 or 0.485, 0.456, 0.406' : '0.5 or 0.229, 0.224, 0.225'
    if (list.length === 0 || list.length > 3 || list.some((v) => !Number.isFinite(v))) errors[key] = `One number or one per channel, e.g. ${example}.`
    else if (key === 'std' && list.some((v) => v === 0)) errors.std = 'A standard deviation of 0 would divide by zero.'
    else if (channels !== undefined && list.length !== 1 && list.length !== channels) errors[key] = `${list.length} values for ${channels} channel${channels === 1 ? '' : 's'}; give 1 or ${channels}.`
    else value[key] = list
  }
  if (Object.keys(errors).length > 0) return { value: undefined, errors }
  if (Object.keys(value).length === 0) return { value: undefined, errors }
  const checked = ImagePreprocess.safeParse(value)
  return checked.success ? { value: checked.data, errors } : { value: undefined, errors: { size: checked.error.issues[0]?.message ?? 'Invalid preprocessing.' } }
}

/** What the worker reads off the model input when a field is left empty, for the fields' placeholders. */
export function preprocessDefaults(input: ModelInput | undefined): { size: string; channels: string; layout: string } {
  const shape = input?.shape
  if (!shape || shape.length !== 4) return { size: 'from the model', channels: 'from the model', layout: 'NCHW' }
  const nhwc = shape[3] === 1 || shape[3] === 3
  const [h, w, c] = nhwc ? [shape[1], shape[2], shape[3]] : [shape[2], shape[3], shape[1]]
  return {
    size: fixed(h) && fixed(w) ? (h === w ? `${h}` : `${h}x${w}`) : 'needed: the model does not fix it',
    channels: fixed(c) ? String(c) : '3',
    layout: nhwc ? 'NHWC' : 'NCHW',
  }
}
