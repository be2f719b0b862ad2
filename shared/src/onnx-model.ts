/**
 * @module Reading an ONNX ModelProto without a runtime: checks that the bytes are an ONNX model (IR
 * version, opset, a graph with inputs, outputs and nodes), refuses tensors kept in external files, and
 * lists the graph's layers (every node output, with op type and the shape where it can be inferred).
 * Streams: large tensor payloads are skipped, never held, so the edge can check a model in a Worker.
 */
import { LIMITS } from './limits.ts'
import { ProtoFormatError, ProtoReader, WIRE_I32, WIRE_LEN, WIRE_VARINT, type ChunkSource } from './onnx-proto.ts'
import { inferShapes, type OnnxDim, type ShapeGraph } from './onnx-shapes.ts'

export type { OnnxDim } from './onnx-shapes.ts'

export type OnnxModelErrorCode =
  | 'onnx_not_protobuf'
  | 'onnx_no_ir_version'
  | 'onnx_bad_ir_version'
  | 'onnx_no_graph'
  | 'onnx_external_data'
  | 'onnx_too_many_nodes'
  | 'onnx_too_large'

/** Largest ModelProto.ir_version accepted: far above any ONNX release, far below a corrupt varint. */
export const MAX_IR_VERSION = 100

/** A file that is not a usable ONNX model; the message says what is wrong and how to fix it. */
export class OnnxModelError extends Error {
  override name = 'OnnxModelError'
  constructor(
    readonly code: OnnxModelErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/** A graph input or output as the model declares it. */
export interface OnnxValueInfo {
  name: string
  /** ONNX element type name ("float32", "int64", ...), null when the model does not say. */
  elemType: string | null
  /** Dimensions: numbers, symbolic names ("batch"), or null where unknown; null when no shape is declared. */
  shape: OnnxDim[] | null
}

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

const ELEM_TYPES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
}

/** ONNX element type number to name ("float32"); "type N" for ones not listed. */
export function onnxElemTypeName(type: number): string {
  return ELEM_TYPES[type] ?? `type ${type}`
}

/** Subgraph nesting (If/Loop bodies) deeper than this is refused as malformed. */
const MAX_GRAPH_DEPTH = 16
/** Integer tensors up to this many values are kept (Reshape shapes, axes) for shape inference. */
const MAX_KEPT_VALUES = 64

interface NodeRecord {
  name: string
  opType: string
  domain: string
  inputs: string[]
  outputs: string[]
  attributes: Map<string, AttributeValue>
}

export interface AttributeValue {
  i?: number
  f?: number
  s?: string
  ints?: number[]
  /** A small integer tensor value (Constant nodes). */
  tensor?: { dims: number[]; values: number[] | null }
}

interface TensorRecord {
  name: string
  dims: number[]
  dataType: number
  /** Values of small integer tensors; null otherwise. */
  values: number[] | null
}

interface GraphRecord {
  nodes: NodeRecord[]
  initializers: Map<string, TensorRecord>
  inputs: OnnxValueInfo[]
  outputs: OnnxValueInfo[]
  valueInfo: OnnxValueInfo[]
}

interface Walk {
  reader: ProtoReader
  /** Collect details (nodes, shapes) only for the main graph; subgraphs are only checked. */
  nodeCount: number
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

async function readOpset(r: ProtoReader): Promise<{ domain: string; version: number }> {
  let domain = ''
  let version = 0
  for (let t = await r.tag(); t; t = await r.tag()) {
    if (t.field === 1 && t.wire === WIRE_LEN) domain = await r.string()
    else if (t.field === 2 && t.wire === WIRE_VARINT) version = await r.varint()
    else await r.skipValue(t.wire)
  }
  return { domain, version }
}

async function readGraph(walk: Walk, depth: number, main: boolean): Promise<GraphRecord> {
  if (depth > MAX_GRAPH_DEPTH) throw new ProtoFormatError(`subgraphs are nested more than ${MAX_GRAPH_DEPTH} deep`)
  const r = walk.reader
  const graph: GraphRecord = { nodes: [], initializers: new Map(), inputs: [], outputs: [], valueInfo: [] }
  for (let t = await r.tag(); t; t = await r.tag()) {
    if (t.wire !== WIRE_LEN) {
      await r.skipValue(t.wire)
      continue
    }
    const length = await r.varint()
    if (t.field === 1) {
      if (++walk.nodeCount > LIMITS.maxModelNodes) {
        throw new OnnxModelError('onnx_too_many_nodes', `The model has more than ${LIMITS.maxModelNodes} nodes; larger graphs are not accepted.`)
      }
      const node = await r.nested(length, () => readNode(walk, depth))
      if (main) graph.nodes.push(node)
    } else if (t.field === 5) {
      const tensor = await r.nested(length, () => readTensor(walk, 'initializer'))
      if (main) graph.initializers.set(tensor.name, tensor)
    } else if (t.field === 15) {
      await r.nested(length, () => readSparseTensor(walk, 'sparse initializer'))
    } else if ((t.field === 11 || t.field === 12 || t.field === 13) && main) {
      const info = await r.nested(length, () => readValueInfo(r))
      ;(t.field === 11 ? graph.inputs : t.field === 12 ? graph.outputs : graph.valueInfo).push(info)
    } else await r.skip(length)
  }
  return graph
}

async function readNode(walk: Walk, depth: number): Promise<NodeRecord> {
  const r = walk.reader
  const node: NodeRecord = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: new Map() }
  for (let t = await r.tag(); t; t = await r.tag()) {
    if (t.wire !== WIRE_LEN) {
      await r.skipValue(t.wire)
      continue
    }
    if (t.field === 1) node.inputs.push(await r.string())
    else if (t.field === 2) node.outputs.push(await r.string())
    else if (t.field === 3) node.name = await r.string()
    else if (t.field === 4) node.opType = await r.string()
    else if (t.field === 7) node.domain = await r.string()
    else if (t.field === 5) {
      const attribute = await r.nested(await r.varint(), () => readAttribute(walk, depth, node))
      if (attribute) node.attributes.set(attribute.name, attribute.value)
    } else await r.skip(await r.varint())
  }
  return node
}

async function readAttribute(walk: Walk, depth: number, node: NodeRecord): Promise<{ name: string; value: AttributeValue } | null> {
  const r = walk.reader
  let name = ''
  const value: AttributeValue = {}
  const where = () => `attribute "${name}" of node "${node.name || node.opType}"`
  for (let t = await r.tag(); t; t = await r.tag()) {
    if (t.field === 1 && t.wire === WIRE_LEN) name = await r.string()
    else if (t.field === 2 && t.wire === WIRE_I32) value.f = await r.float32()
    else if (t.field === 3 && t.wire === WIRE_VARINT) value.i = await r.varint()
    else if (t.field === 4 && t.wire === WIRE_LEN) {
      const length = await r.varint()
      if (length <= 1024) value.s = new TextDecoder().decode(await r.bytes(length))
      else await r.skip(length)
    } else if (t.field === 8) {
      value.ints ??= []
      await r.int64s(t.wire, value.ints)
    } else if ((t.field === 5 || t.field === 10) && t.wire === WIRE_LEN) {
      const tensor = await r.nested(await r.varint(), () => readTensor(walk, where()))
      if (t.field === 5) value.tensor = { dims: tensor.dims, values: tensor.values }
    } else if ((t.field === 6 || t.field === 11) && t.wire === WIRE_LEN) {
      await r.nested(await r.varint(), () => readGraph(walk, depth + 1, false))
    } else if ((t.field === 22 || t.field === 23) && t.wire === WIRE_LEN) {
      await r.nested(await r.varint(), () => readSparseTensor(walk, where()))
    } else await r.skipValue(t.wire)
  }
  return name ? { name, value } : null
}

/** Reads a TensorProto's header fields, skipping its data; refuses data kept in an external file. */
async function readTensor(walk: Walk, role: string): Promise<TensorRecord> {
  const r = walk.reader
  const tensor: TensorRecord = { name: '', dims: [], dataType: 0, values: null }
  let external = false
  let location = ''
  let raw: Uint8Array | null = null
  const ints: number[] = []
  let intsTooMany = false
  for (let t = await r.tag(); t; t = await r.tag()) {
    if (t.field === 1) await r.int64s(t.wire, tensor.dims)
    else if (t.field === 2 && t.wire === WIRE_VARINT) tensor.dataType = await r.varint()
    else if (t.field === 8 && t.wire === WIRE_LEN) tensor.name = await r.string()
    else if (t.field === 14 && t.wire === WIRE_VARINT) external = (await r.varint()) === 1 || external
    else if (t.field === 13 && t.wire === WIRE_LEN) {
      external = true
      const entry = await r.nested(await r.varint(), () => readStringEntry(r))
      if (entry.key === 'location') location = entry.value
    } else if (t.field === 9 && t.wire === WIRE_LEN) {
      const length = await r.varint()
      if (length <= MAX_KEPT_VALUES * 8) raw = await r.bytes(length)
      else await r.skip(length)
    } else if ((t.field === 7 || t.field === 5) && !intsTooMany) {
      if (t.wire === WIRE_LEN) {
        const length = await r.varint()
        if (length > MAX_KEPT_VALUES * 10) {
          intsTooMany = true
          await r.skip(length)
        } else {
          await r.nested(length, async () => {
            while (r.more()) ints.push(await r.varint())
          })
        }
      } else await r.int64s(t.wire, ints)
    } else await r.skipValue(t.wire)
  }
  if (external) {
    const file = location ? ` in the file "${location}"` : ' in a separate file'
    throw new OnnxModelError(
      'onnx_external_data',
      `The model keeps the ${role} "${tensor.name}" as external data${file}, which is not uploaded with it. Save the model as one file: onnx.save_model(onnx.load("model.onnx"), "single.onnx", save_as_external_data=False) (models under 2 GB), then upload that file.`,
    )
  }
  const count = tensor.dims.reduce((a, b) => a * b, 1)
  const integer = tensor.dataType === 7 || tensor.dataType === 6
  if (integer && count <= MAX_KEPT_VALUES) {
    if (raw && raw.length === count * (tensor.dataType === 7 ? 8 : 4)) {
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
      tensor.values = Array.from({ length: count }, (_, k) => (tensor.dataType === 7 ? Number(view.getBigInt64(k * 8, true)) : view.getInt32(k * 4, true)))
    } else if (!intsTooMany && ints.length === count) {
      tensor.values = tensor.dataType === 6 ? ints.map((v) => v | 0) : ints
    }
  }
  return tensor
}

async function readSparseTensor(walk: Walk, role: string): Promise<void> {
  const r = walk.reader
  for (let t = await r.tag(); t; t = await r.tag()) {
    if ((t.field === 1 || t.field === 2) && t.wire === WIRE_LEN) await r.nested(await r.varint(), () => readTensor(walk, role))
    else await r.skipValue(t.wire)
  }
}

async function readStringEntry(r: ProtoReader): Promise<{ key: string; value: string }> {
  let key = ''
  let value = ''
  for (let t = await r.tag(); t; t = await r.tag()) {
    if (t.field === 1 && t.wire === WIRE_LEN) key = await r.string()
    else if (t.field === 2 && t.wire === WIRE_LEN) value = await r.string()
    else await r.skipValue(t.wire)
  }
  return { key, value }
}

async function readValueInfo(r: ProtoReader): Promise<OnnxValueInfo> {
  const info: OnnxValueInfo = { name: '', elemType: null, shape: null }
  for (let t = await r.tag(); t; t = await r.tag()) {
    if (t.field === 1 && t.wire === WIRE_LEN) info.name = await r.string()
    else if (t.field === 2 && t.wire === WIRE_LEN) {
      await r.nested(await r.varint(), async () => {
        for (let u = await r.tag(); u; u = await r.tag()) {
          if (u.field === 1 && u.wire === WIRE_LEN) await r.nested(await r.varint(), () => readTensorType(r, info))
          else await r.skipValue(u.wire)
        }
      })
    } else await r.skipValue(t.wire)
  }
  return info
}

async function readTensorType(r: ProtoReader, info: OnnxValueInfo): Promise<void> {
  for (let t = await r.tag(); t; t = await r.tag()) {
    if (t.field === 1 && t.wire === WIRE_VARINT) info.elemType = onnxElemTypeName(await r.varint())
    else if (t.field === 2 && t.wire === WIRE_LEN) {
      const shape: OnnxDim[] = []
      await r.nested(await r.varint(), async () => {
        for (let u = await r.tag(); u; u = await r.tag()) {
          if (u.field === 1 && u.wire === WIRE_LEN) shape.push(await r.nested(await r.varint(), () => readDim(r)))
          else await r.skipValue(u.wire)
        }
      })
      info.shape = shape
    } else await r.skipValue(t.wire)
  }
}

async function readDim(r: ProtoReader): Promise<OnnxDim> {
  let dim: OnnxDim = null
  for (let t = await r.tag(); t; t = await r.tag()) {
    if (t.field === 1 && t.wire === WIRE_VARINT) dim = await r.varint()
    else if (t.field === 2 && t.wire === WIRE_LEN) dim = (await r.string(1024)) || null
    else await r.skipValue(t.wire)
  }
  return dim
}

async function readTrainingInfo(walk: Walk): Promise<void> {
  const r = walk.reader
  for (let t = await r.tag(); t; t = await r.tag()) {
    if ((t.field === 1 || t.field === 2) && t.wire === WIRE_LEN) await r.nested(await r.varint(), () => readGraph(walk, 1, false))
    else await r.skipValue(t.wire)
  }
}

async function readFunction(walk: Walk): Promise<void> {
  const r = walk.reader
  for (let t = await r.tag(); t; t = await r.tag()) {
    if (t.field === 7 && t.wire === WIRE_LEN) await r.nested(await r.varint(), () => readNode(walk, 1))
    else await r.skipValue(t.wire)
  }
}
