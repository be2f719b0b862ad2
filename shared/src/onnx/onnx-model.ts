/**
 * @module Reading an ONNX ModelProto without a runtime: checks that the bytes are an ONNX model (IR
 * version, opset, a graph with inputs, outputs and nodes), refuses tensors kept in external files, and
 * lists the graph's layers (every node output, with op type and the shape where it can be inferred).
 * Streams: large tensor payloads are skipped, never held, so the edge can check a model in a Worker.
 */
import { LIMITS } from '../limits.ts'
import { OnnxModelError } from './onnx-model-error.ts'
import { readFunction, readGraph, readOpset, readTrainingInfo, type GraphRecord, type OnnxValueInfo, type Walk } from './onnx-graph.ts'
import { ProtoFormatError, ProtoReader, WIRE_LEN, WIRE_VARINT, type ChunkSource } from './onnx-proto.ts'
import { inferShapes, type OnnxDim, type ShapeGraph } from './onnx-shapes.ts'

/** Largest ModelProto.ir_version accepted: far above any ONNX release, far below a corrupt varint. */
export const MAX_IR_VERSION = 100

/** One tensor a node produces: what a user picks as a layer. */
export interface OnnxLayer {
  /** Tensor name: what jobs name in `model.layers`. */
  output: string
  /** The producing node's name (may be empty in hand-made models). */
  node: string
  opType: string
  /** Position of the node in the graph (topological order). */
  index: number
  /** Inferred or declared shape, null where unknown. The job's manifest records the shape the run saw. */
  shape: OnnxDim[] | null
}

export interface OnnxModelSummary {
  irVersion: number
  /** Version of the default ("ai.onnx") operator set. */
  opsetVersion: number | null
  producer: string
  /** Graph inputs that are not initializers (what the user feeds). */
  inputs: OnnxValueInfo[]
  outputs: OnnxValueInfo[]
  nodeCount: number
  initializerCount: number
  layers: OnnxLayer[]
  /** The input of the last Gemm/MatMul (penultimate features), else the first model output. */
  defaultLayer: string
}

/**
 * Reads and checks a whole ONNX model from a chunk source of `totalBytes` bytes. O(totalBytes) time;
 * memory proportional to the graph's structure (names, shapes), never to its weights.
 * @throws OnnxModelError
 */
export async function readOnnxModel(source: ChunkSource, totalBytes: number): Promise<OnnxModelSummary> {
  if (totalBytes > LIMITS.maxModelBytes) {
    throw new OnnxModelError('onnx_too_large', `The model is ${formatMiB(totalBytes)}; at most ${formatMiB(LIMITS.maxModelBytes)} are accepted.`)
  }
  const walk: Walk = { reader: new ProtoReader(source, totalBytes), nodeCount: 0 }
  try {
    return await readModel(walk)
  } catch (err) {
    if (err instanceof ProtoFormatError) {
      throw new OnnxModelError('onnx_not_protobuf', `The file is not an ONNX model (not a valid protobuf ModelProto: ${err.message}). Export it with torch.onnx.export(model, example, "model.onnx") or onnx.save_model(model, "model.onnx").`)
    }
    throw err
  }
}

/** readOnnxModel over bytes in memory. */
export function readOnnxModelBytes(bytes: Uint8Array): Promise<OnnxModelSummary> {
  let done = false
  return readOnnxModel(async () => {
    if (done) return null
    done = true
    return bytes
  }, bytes.length)
}

function formatMiB(bytes: number): string {
  return `${Math.round((bytes / 1024 ** 2) * 10) / 10} MiB`
}

async function readModel(walk: Walk): Promise<OnnxModelSummary> {
  const r = walk.reader
  let irVersion: number | null = null
  let opsetVersion: number | null = null
  let producer = ''
  let graph: GraphRecord | null = null
  for (let t = await r.tag(); t; t = await r.tag()) {
    if (t.field === 1 && t.wire === WIRE_VARINT) irVersion = await r.varint()
    else if (t.field === 2 && t.wire === WIRE_LEN) producer = await r.string()
    else if (t.field === 8 && t.wire === WIRE_LEN) {
      const opset = await r.nested(await r.varint(), () => readOpset(r))
      if (opset.domain === '' || opset.domain === 'ai.onnx') opsetVersion = opset.version
    } else if (t.field === 7 && t.wire === WIRE_LEN) {
      if (graph) throw new ProtoFormatError('the model holds two graphs')
      graph = await r.nested(await r.varint(), () => readGraph(walk, 0, true))
    } else if (t.field === 20 && t.wire === WIRE_LEN) {
      await r.nested(await r.varint(), () => readTrainingInfo(walk))
    } else if (t.field === 25 && t.wire === WIRE_LEN) {
      await r.nested(await r.varint(), () => readFunction(walk))
    } else await r.skipValue(t.wire)
  }
  if (irVersion === null) {
    throw new OnnxModelError('onnx_no_ir_version', `The file does not declare an ONNX IR version (ModelProto.ir_version), so it is not an ONNX model. Export it with torch.onnx.export or save it with onnx.save_model.`)
  }
  if (irVersion < 1 || irVersion > MAX_IR_VERSION) {
    throw new OnnxModelError(
      'onnx_bad_ir_version',
      `The model declares ONNX IR version ${irVersion}, which no ONNX release has (they are small numbers: 3 to 11 from current exporters; at most ${MAX_IR_VERSION} is read), so the file is damaged or not an ONNX model. Export it again with torch.onnx.export or onnx.save_model.`,
    )
  }
  if (!graph) throw new OnnxModelError('onnx_no_graph', 'The ONNX file holds no graph (ModelProto.graph is missing). Export the whole model, not only its weights.')
  const inputs = graph.inputs.filter((v) => !graph!.initializers.has(v.name))
  if (inputs.length === 0) throw new OnnxModelError('onnx_no_graph', 'The ONNX graph has no inputs (every input is a stored weight). Export the model with an example input.')
  if (graph.outputs.length === 0) throw new OnnxModelError('onnx_no_graph', 'The ONNX graph declares no outputs.')
  if (graph.nodes.length === 0) throw new OnnxModelError('onnx_no_graph', 'The ONNX graph holds no nodes: there is nothing to compute.')
  const shapes = inferShapes(toShapeGraph(graph, inputs))
  const layers: OnnxLayer[] = []
  graph.nodes.forEach((node, index) => {
    for (const output of node.outputs) {
      if (output) layers.push({ output, node: node.name, opType: node.opType, index, shape: shapes.get(output) ?? null })
    }
  })
  return {
    irVersion,
    opsetVersion,
    producer,
    inputs,
    outputs: graph.outputs.map((o) => ({ ...o, shape: o.shape ?? shapes.get(o.name) ?? null })),
    nodeCount: graph.nodes.length,
    initializerCount: graph.initializers.size,
    layers,
    defaultLayer: defaultLayer(graph, inputs),
  }
}

/** The input of the last Gemm/MatMul that is computed (not a weight or a model input), else the first output. */
function defaultLayer(graph: GraphRecord, inputs: OnnxValueInfo[]): string {
  const modelInputs = new Set(inputs.map((i) => i.name))
  for (let k = graph.nodes.length - 1; k >= 0; k--) {
    const node = graph.nodes[k]!
    if (node.opType !== 'Gemm' && node.opType !== 'MatMul') continue
    const activation = node.inputs.slice(0, 2).find((name) => name && !graph.initializers.has(name))
    if (activation && !modelInputs.has(activation)) return activation
    break
  }
  return graph.outputs[0]!.name
}

function toShapeGraph(graph: GraphRecord, inputs: OnnxValueInfo[]): ShapeGraph {
  const known = new Map<string, OnnxDim[]>()
  for (const v of [...inputs, ...graph.valueInfo, ...graph.outputs]) if (v.shape) known.set(v.name, v.shape)
  const constants = new Map<string, { dims: number[]; values: number[] | null }>()
  for (const [name, t] of graph.initializers) constants.set(name, { dims: t.dims, values: t.values })
  return { nodes: graph.nodes, known, constants }
}
