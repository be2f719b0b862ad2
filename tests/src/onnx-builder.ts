/**
 * @module Building small ONNX models in tests: a graph builder that writes a ModelProto with the shared
 * protobuf writer, plus the two models the tests use (an MLP and a small CNN with seeded weights).
 */
import { ProtoWriter } from '../../shared/src/onnx/onnx-proto.ts'

type Dim = number | string
export type AttributeInput = number | number[] | string | { floats: number[] } | { tensor: TensorInput }

export interface TensorInput {
  dims: number[]
  /** float32 data, or int64 values (as numbers) when `int64` is set. */
  data: Float32Array | number[]
  int64?: boolean
  /** Write the tensor as external data (for refusal tests). */
  external?: { location: string } | 'data_location_only'
}

const ELEM: Record<string, number> = { float32: 1, int64: 7, uint8: 2 }

function valueInfo(name: string, elemType: string | null, shape: Dim[] | null): ProtoWriter {
  const w = new ProtoWriter().string(1, name)
  if (elemType === null) return w
  const tensorType = new ProtoWriter().varint(1, ELEM[elemType]!)
  if (shape) {
    const shapeProto = new ProtoWriter()
    for (const d of shape) shapeProto.message(1, typeof d === 'number' ? new ProtoWriter().varint(1, d) : new ProtoWriter().string(2, d))
    tensorType.message(2, shapeProto)
  }
  return w.message(2, new ProtoWriter().message(1, tensorType))
}

export function tensorProto(name: string, t: TensorInput): ProtoWriter {
  const w = new ProtoWriter().packedVarints(1, t.dims).varint(2, t.int64 ? 7 : 1).string(8, name)
  if (t.external) {
    w.varint(14, 1)
    if (t.external !== 'data_location_only') {
      w.message(13, new ProtoWriter().string(1, 'location').string(2, t.external.location))
      w.message(13, new ProtoWriter().string(1, 'offset').string(2, '0'))
    }
    return w
  }
  if (t.int64) {
    const raw = new Uint8Array(t.data.length * 8)
    const view = new DataView(raw.buffer)
    Array.from(t.data).forEach((v, k) => view.setBigInt64(k * 8, BigInt(v), true))
    return w.bytes(9, raw)
  }
  const f = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data)
  return w.bytes(9, new Uint8Array(f.buffer.slice(f.byteOffset, f.byteOffset + f.byteLength)))
}

export class GraphBuilder {
  private readonly graph = new ProtoWriter().string(2, 'test-graph')
  private nodeCount = 0

  input(name: string, shape: Dim[], elemType = 'float32'): this {
    this.graph.message(11, valueInfo(name, elemType, shape))
    return this
  }

  output(name: string, shape: Dim[] | null, elemType: string | null = 'float32'): this {
    this.graph.message(12, valueInfo(name, elemType, shape))
    return this
  }

  valueInfo(name: string, shape: Dim[]): this {
    this.graph.message(13, valueInfo(name, 'float32', shape))
    return this
  }

  initializer(name: string, tensor: TensorInput): this {
    this.graph.message(5, tensorProto(name, tensor))
    return this
  }

  node(opType: string, inputs: string[], outputs: string[], attributes: Record<string, AttributeInput> = {}, name = `${opType.toLowerCase()}_${this.nodeCount}`): this {
    this.nodeCount++
    const w = new ProtoWriter()
    for (const i of inputs) w.string(1, i)
    for (const o of outputs) w.string(2, o)
    w.string(3, name).string(4, opType)
    for (const [key, value] of Object.entries(attributes)) {
      const a = new ProtoWriter().string(1, key)
      if (typeof value === 'number') a.varint(3, value).varint(20, 2)
      else if (typeof value === 'string') a.string(4, value).varint(20, 3)
      else if (Array.isArray(value)) a.packedVarints(8, value).varint(20, 7)
      else if ('floats' in value) {
        for (const f of value.floats) a.float32(7, f)
        a.varint(20, 6)
      } else a.message(5, tensorProto('', value.tensor)).varint(20, 4)
      w.message(5, a)
    }
    this.graph.message(1, w)
    return this
  }

  /** ModelProto bytes: ir_version, producer, opset, graph. */
  model(options: { irVersion?: number | null; opset?: number } = {}): Uint8Array {
    const m = new ProtoWriter()
    if (options.irVersion !== null) m.varint(1, options.irVersion ?? 8)
    m.string(2, 'constellate-tests').string(3, '1')
    m.message(8, new ProtoWriter().string(1, '').varint(2, options.opset ?? 13))
    m.message(7, this.graph)
    return m.finish()
  }
}

/** Seeded uniform numbers in [-scale, scale). */
export function seededFloats(count: number, seed: number, scale = 1): Float32Array {
  let state = seed >>> 0
  const out = new Float32Array(count)
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    out[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale
  }
  return out
}

export interface Mlp {
  bytes: Uint8Array
  inputDims: number
  hidden: number
  classes: number
  w1: Float32Array
  b1: Float32Array
  w2: Float32Array
  b2: Float32Array
}

/**
 * x[N, inputDims] -> Gemm(W1, b1) -> h1 -> Relu -> "features" -> Gemm(W2, b2) -> "logits".
 * W1 is [inputDims, hidden] (row-major), W2 is [hidden, classes]. Weights given or seeded.
 */
export function buildMlp(options: { inputDims: number; hidden: number; classes: number; seed?: number; w1?: Float32Array; b1?: Float32Array; batch?: Dim }): Mlp {
  const { inputDims, hidden, classes, seed = 7 } = options
  const w1 = options.w1 ?? seededFloats(inputDims * hidden, seed, 0.5)
  const b1 = options.b1 ?? seededFloats(hidden, seed + 1, 0.1)
  const w2 = seededFloats(hidden * classes, seed + 2, 0.5)
  const b2 = seededFloats(classes, seed + 3, 0.1)
  const batch = options.batch ?? 'N'
  const bytes = new GraphBuilder()
    .input('x', [batch, inputDims])
    .initializer('W1', { dims: [inputDims, hidden], data: w1 })
    .initializer('b1', { dims: [hidden], data: b1 })
    .initializer('W2', { dims: [hidden, classes], data: w2 })
    .initializer('b2', { dims: [classes], data: b2 })
    .node('Gemm', ['x', 'W1', 'b1'], ['h1'], {}, 'fc1')
    .node('Relu', ['h1'], ['features'], {}, 'relu1')
    .node('Gemm', ['features', 'W2', 'b2'], ['logits'], {}, 'fc2')
    .output('logits', [batch, classes])
    .model()
  return { bytes, inputDims, hidden, classes, w1, b1, w2, b2 }
}

export interface Cnn {
  bytes: Uint8Array
  channels: number
  size: number
  filters: number
  kernel: Float32Array
  bias: Float32Array
}

/**
 * x[N, channels, size, size] -> Conv(filters, 3x3, pad 1) -> "conv" -> Relu -> "relu" -> MaxPool 2x2 -> "pool"
 * -> Flatten -> "flat" -> Gemm(Wfc) -> "logits". Conv weights seeded (or given).
 */
export function buildCnn(options: { channels: number; size: number; filters: number; classes?: number; seed?: number; layout?: 'NCHW' }): Cnn {
  const { channels, size, filters, seed = 11 } = options
  const classes = options.classes ?? 4
  const kernel = seededFloats(filters * channels * 9, seed, 0.5)
  const bias = seededFloats(filters, seed + 1, 0.1)
  const pooled = Math.floor(size / 2)
  const flat = filters * pooled * pooled
  const wfc = seededFloats(flat * classes, seed + 2, 0.2)
  const bytes = new GraphBuilder()
    .input('image', ['N', channels, size, size])
    .initializer('K', { dims: [filters, channels, 3, 3], data: kernel })
    .initializer('B', { dims: [filters], data: bias })
    .initializer('Wfc', { dims: [flat, classes], data: wfc })
    .node('Conv', ['image', 'K', 'B'], ['conv'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, 'conv1')
    .node('Relu', ['conv'], ['relu'], {}, 'relu1')
    .node('MaxPool', ['relu'], ['pool'], { kernel_shape: [2, 2], strides: [2, 2] }, 'pool1')
    .node('Flatten', ['pool'], ['flat'], { axis: 1 }, 'flatten')
    .node('MatMul', ['flat', 'Wfc'], ['logits'], {}, 'fc')
    .output('logits', ['N', classes])
    .model()
  return { bytes, channels, size, filters, kernel, bias }
}

/**
 * A CNN whose penultimate layer separates stripe orientations (see onnx-images.ts stripeImages):
 * image[N, 3, size, size] -> Conv with hand-made edge kernels (horizontal, vertical, two diagonals) and
 * two seeded ones -> Relu -> GlobalAveragePool -> Flatten ("features", [N, 6]) -> Gemm -> "logits" [N, 3].
 */
export function buildStripeCnn(size = 16): Uint8Array {
  const edges = [
    [1, 1, 1, 0, 0, 0, -1, -1, -1], // responds to horizontal stripes
    [1, 0, -1, 1, 0, -1, 1, 0, -1], // vertical stripes
    [0, 1, 1, -1, 0, 1, -1, -1, 0], // one diagonal
    [1, 1, 0, 1, 0, -1, 0, -1, -1], // the other
  ]
  const random = seededFloats(2 * 9, 5, 0.5)
  const filters = [...edges, Array.from(random.subarray(0, 9)), Array.from(random.subarray(9, 18))]
  const kernel = new Float32Array(filters.length * 3 * 9)
  filters.forEach((f, o) => {
    for (let c = 0; c < 3; c++) f.forEach((w, k) => (kernel[(o * 3 + c) * 9 + k] = w / 3))
  })
  return new GraphBuilder()
    .input('image', ['N', 3, size, size])
    .initializer('K', { dims: [filters.length, 3, 3, 3], data: kernel })
    .initializer('W', { dims: [3, filters.length], data: seededFloats(3 * filters.length, 9, 1) })
    .initializer('b', { dims: [3], data: new Float32Array(3) })
    .node('Conv', ['image', 'K'], ['edges'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, 'conv')
    .node('Relu', ['edges'], ['edges_relu'], {}, 'relu')
    .node('GlobalAveragePool', ['edges_relu'], ['pooled'], {}, 'gap')
    .node('Flatten', ['pooled'], ['features'], { axis: 1 }, 'flatten')
    .node('Gemm', ['features', 'W', 'b'], ['logits'], { transB: 1 }, 'classifier')
    .output('logits', ['N', 3])
    .model()
}
