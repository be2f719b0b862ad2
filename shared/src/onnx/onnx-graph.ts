/**
 * @module Reading the parts of an ONNX ModelProto below the model: graphs, nodes, attributes, tensors and value
 * infos, from the protobuf stream. Tensor payloads are skipped (small integer tensors kept for shape
 * inference); tensors kept in external files and graphs over LIMITS.maxModelNodes are refused.
 */
import { LIMITS } from '../limits.ts'
import { OnnxModelError } from './onnx-model-error.ts'
import { ProtoFormatError, WIRE_I32, WIRE_LEN, WIRE_VARINT, type ProtoReader } from './onnx-proto.ts'
import type { OnnxDim } from './onnx-shapes.ts'

/** A graph input or output as the model declares it. */
export interface OnnxValueInfo {
  name: string
  /** ONNX element type name ("float32", "int64", ...), null when the model does not say. */
  elemType: string | null
  /** Dimensions: numbers, symbolic names ("batch"), or null where unknown; null when no shape is declared. */
  shape: OnnxDim[] | null
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

export interface NodeRecord {
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

export interface TensorRecord {
  name: string
  dims: number[]
  dataType: number
  /** Values of small integer tensors; null otherwise. */
  values: number[] | null
}

export interface GraphRecord {
  nodes: NodeRecord[]
  initializers: Map<string, TensorRecord>
  inputs: OnnxValueInfo[]
  outputs: OnnxValueInfo[]
  valueInfo: OnnxValueInfo[]
}

export interface Walk {
  reader: ProtoReader
  /** Collect details (nodes, shapes) only for the main graph; subgraphs are only checked. */
  nodeCount: number
}

export async function readOpset(r: ProtoReader): Promise<{ domain: string; version: number }> {
  let domain = ''
  let version = 0
  for (let t = await r.tag(); t; t = await r.tag()) {
    if (t.field === 1 && t.wire === WIRE_LEN) domain = await r.string()
    else if (t.field === 2 && t.wire === WIRE_VARINT) version = await r.varint()
    else await r.skipValue(t.wire)
  }
  return { domain, version }
}

export async function readGraph(walk: Walk, depth: number, main: boolean): Promise<GraphRecord> {
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

export async function readTrainingInfo(walk: Walk): Promise<void> {
  const r = walk.reader
  for (let t = await r.tag(); t; t = await r.tag()) {
    if ((t.field === 1 || t.field === 2) && t.wire === WIRE_LEN) await r.nested(await r.varint(), () => readGraph(walk, 1, false))
    else await r.skipValue(t.wire)
  }
}

export async function readFunction(walk: Walk): Promise<void> {
  const r = walk.reader
  for (let t = await r.tag(); t; t = await r.tag()) {
    if (t.field === 7 && t.wire === WIRE_LEN) await r.nested(await r.varint(), () => readNode(walk, 1))
    else await r.skipValue(t.wire)
  }
}
