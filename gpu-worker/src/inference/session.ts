/**
 * @module Opening an ONNX model in onnxruntime-node with chosen tensors exposed as outputs: CUDA execution
 * provider when the machine has a GPU (falling back to CPU), load errors translated into plain words.
 */
import { existsSync } from 'node:fs'
import os from 'node:os'
import * as ort from 'onnxruntime-node'
import { ModelError } from './errors.ts'
import { exposeOutputs } from './expose-outputs.ts'

export interface ModelInput {
  name: string
  /** Element type as ORT names it ("float32", "uint8", ...). */
  type: string
  /** Dimensions: numbers, symbolic names, or -1/null for unknown. */
  shape: (number | string | null)[]
}

export interface OpenModel {
  session: ort.InferenceSession
  input: ModelInput
  /** The exposed outputs, in the order asked. */
  outputs: string[]
  /** Execution providers in use, best first. */
  providers: string[]
}

export interface OpenOptions {
  /** 'auto' tries CUDA when a GPU device is visible, else CPU. */
  executionProvider?: 'auto' | 'cpu' | 'cuda'
  threads?: number
}

/** True when this machine shows an NVIDIA device (the GPU image ships ORT's CUDA provider). */
export function gpuVisible(): boolean {
  return existsSync('/dev/nvidia0') || Boolean(process.env.CUDA_VISIBLE_DEVICES && process.env.CUDA_VISIBLE_DEVICES !== '-1')
}

/**
 * Opens `model` with `layers` (tensor names) as its outputs.
 * @throws ModelError model_load_failed (corrupt, unsupported opset or operator), model_input_unsupported
 * (more than one input), model_layer_unknown
 */
export async function openModel(model: Uint8Array, layers: readonly string[], knownTensors: ReadonlySet<string>, options: OpenOptions = {}): Promise<OpenModel> {
  for (const layer of layers) {
    if (!knownTensors.has(layer)) {
      const names = [...knownTensors].slice(0, 12).map((n) => `"${n}"`).join(', ')
      throw new ModelError('model_layer_unknown', `The model has no layer (node output) named "${layer}". List its layers with GET /api/v1/uploads/<model>/layers; some are ${names}.`)
    }
  }
  const edited = exposeOutputs(model, layers)
  const wanted = options.executionProvider ?? 'auto'
  const cuda = wanted === 'cuda' || (wanted === 'auto' && gpuVisible())
  const sessionOptions = (providers: string[]): ort.InferenceSession.SessionOptions => ({
    executionProviders: providers,
    intraOpNumThreads: options.threads ?? Math.max(1, os.availableParallelism?.() ?? os.cpus().length),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  })
  let session: ort.InferenceSession | null = null
  let providers = ['cpu']
  if (cuda) {
    try {
      session = await ort.InferenceSession.create(edited, sessionOptions(['cuda', 'cpu']))
      providers = ['cuda', 'cpu']
    } catch {
      session = null // no CUDA provider in this build: fall through to CPU; a real model error recurs below
    }
  }
  if (!session) {
    try {
      session = await ort.InferenceSession.create(edited, sessionOptions(['cpu']))
    } catch (err) {
      throw new ModelError('model_load_failed', describeLoadError(String((err as Error).message ?? err)))
    }
  }
  const inputs = session.inputMetadata
  if (inputs.length !== 1) {
    await session.release()
    const names = inputs.map((i) => `"${i.name}"`).join(', ')
    throw new ModelError('model_input_unsupported', `The model takes ${inputs.length} inputs (${names}); model jobs feed exactly one. Export a model with a single input tensor.`)
  }
  const meta = inputs[0]!
  if (!meta.isTensor) {
    await session.release()
    throw new ModelError('model_input_unsupported', `The model's input "${meta.name}" is not a tensor; model jobs feed one tensor.`)
  }
  const input: ModelInput = { name: meta.name, type: meta.type, shape: meta.shape.map((d) => (typeof d === 'number' && d < 0 ? null : d)) }
  return { session, input, outputs: [...layers], providers }
}

/** ORT's load error in plain words, keeping its own text for the details. */
function describeLoadError(message: string): string {
  const detail = message.replace(/^Error:\s*/, '').split('\n')[0]!.trim()
  if (/protobuf parsing failed/i.test(message)) return `The model could not be loaded: the file is not a complete ONNX model (ONNX Runtime: ${detail}). Export it again and upload the whole file.`
  if (/opset|Unsupported model IR version|is under development/i.test(message)) {
    return `The model uses an ONNX version this worker's ONNX Runtime does not support (${detail}). Export it with a lower opset, e.g. torch.onnx.export(..., opset_version=17).`
  }
  if (/Could not find an implementation|not a registered function|No Op registered/i.test(message)) {
    return `The model uses an operator ONNX Runtime cannot run (${detail}). Export it without custom operators, or with a standard opset.`
  }
  return `The model could not be loaded by ONNX Runtime: ${detail}`
}
