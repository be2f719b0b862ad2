/**
 * @module compute/onnx-graph — hand-encodes the few ONNX protobuf messages needed to build tiny
 * dense graphs (Gemm, MatMul + TopK) for onnxruntime-node, without a protobuf dependency.
 */

/** ONNX TensorProto.DataType values used here. */
export const ONNX_FLOAT = 1
export const ONNX_INT64 = 7

class ProtoWriter {
  private bytes: number[] = []
  varint(value: number | bigint): this {
    let v = BigInt(value)
    if (v < 0n) v += 1n << 64n
    do {
      let byte = Number(v & 0x7fn)
      v >>= 7n
      if (v > 0n) byte |= 0x80
      this.bytes.push(byte)
    } while (v > 0n)
    return this
  }
  tag(field: number, wireType: number): this {
    return this.varint((field << 3) | wireType)
  }
  int(field: number, value: number): this {
    return this.tag(field, 0).varint(value)
  }
  float(field: number, value: number): this {
    this.tag(field, 5)
    const buf = new Uint8Array(new Float32Array([value]).buffer)
    for (const b of buf) this.bytes.push(b)
    return this
  }
  bytesField(field: number, data: Uint8Array): this {
    this.tag(field, 2).varint(data.length)
    for (const b of data) this.bytes.push(b)
    return this
  }
  string(field: number, value: string): this {
    return this.bytesField(field, new TextEncoder().encode(value))
  }
  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter()
    build(inner)
    return this.bytesField(field, inner.finish())
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.bytes)
  }
}

/** A graph attribute value: integers, floats, or integer lists. */
export type AttributeValue = { int: number } | { float: number } | { ints: number[] }

export interface GraphNode {
  op: string
  inputs: string[]
  outputs: string[]
  attributes?: Record<string, AttributeValue>
}

/** A graph input or output: element type and shape; strings are symbolic (dynamic) dimensions. */
export interface GraphValue {
  name: string
  type: typeof ONNX_FLOAT | typeof ONNX_INT64
  shape: (number | string)[]
}

export interface GraphSpec {
  nodes: GraphNode[]
  inputs: GraphValue[]
  outputs: GraphValue[]
  opset?: number
}

function writeValueInfo(w: ProtoWriter, value: GraphValue): void {
  w.string(1, value.name)
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, value.type)
      tensor.message(2, (shape) => {
        for (const dim of value.shape) {
          shape.message(1, (d) => (typeof dim === 'number' ? d.int(1, dim) : d.string(2, dim)))
        }
      })
    }),
  )
}

/** Serialises a graph to ONNX ModelProto bytes (IR version 8, default opset 17). */
export function encodeModel(spec: GraphSpec): Uint8Array {
  const model = new ProtoWriter()
  model.int(1, 8)
  model.string(2, 'constellate')
  model.message(7, (graph) => {
    spec.nodes.forEach((node, index) => {
      graph.message(1, (n) => {
        for (const input of node.inputs) n.string(1, input)
        for (const output of node.outputs) n.string(2, output)
        n.string(3, `${node.op.toLowerCase()}_${index}`)
        n.string(4, node.op)
        for (const [name, value] of Object.entries(node.attributes ?? {})) {
          n.message(5, (a) => {
            a.string(1, name)
            if ('int' in value) a.int(3, value.int).int(20, 2)
            else if ('float' in value) a.float(2, value.float).int(20, 1)
            else {
              for (const v of value.ints) a.int(8, v)
              a.int(20, 7)
            }
          })
        }
      })
    })
    graph.string(2, 'g')
    for (const input of spec.inputs) graph.message(11, (v) => writeValueInfo(v, input))
    for (const output of spec.outputs) graph.message(12, (v) => writeValueInfo(v, output))
  })
  model.message(8, (opset) => opset.string(1, '').int(2, spec.opset ?? 17))
  return model.finish()
}
