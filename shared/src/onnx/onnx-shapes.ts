/**
 * @module Best-effort static shape inference for the ONNX operators classifiers are made of (Conv, Gemm,
 * MatMul, pooling, Flatten, Reshape, element-wise ops, ...), so a layer list can show shapes without
 * running the model. Unknown ops or inputs give no shape (null), never a wrong one.
 */

/** A dimension: a number, a symbolic name ("batch"), or null when unknown. */
export type OnnxDim = number | string | null

export interface ShapeNode {
  opType: string
  domain: string
  inputs: string[]
  outputs: string[]
  attributes: Map<string, { i?: number; f?: number; s?: string; ints?: number[]; tensor?: { dims: number[]; values: number[] | null } }>
}

export interface ShapeGraph {
  /** Nodes in topological order. */
  nodes: readonly ShapeNode[]
  /** Shapes the model declares (inputs, value_info, outputs). */
  known: Map<string, OnnxDim[]>
  /** Initializers: dims, and values for small integer tensors. */
  constants: Map<string, { dims: number[]; values: number[] | null }>
}

const UNARY = new Set([
  'Relu', 'Sigmoid', 'Tanh', 'LeakyRelu', 'Elu', 'Selu', 'Celu', 'Gelu', 'Softplus', 'Softsign', 'HardSigmoid', 'HardSwish', 'Mish',
  'Dropout', 'Identity', 'BatchNormalization', 'InstanceNormalization', 'LayerNormalization', 'GroupNormalization', 'Softmax',
  'LogSoftmax', 'Erf', 'Sqrt', 'Exp', 'Log', 'Neg', 'Abs', 'Clip', 'Cast', 'Sign', 'Floor', 'Ceil', 'Round', 'Reciprocal', 'LRN',
  'PRelu', 'Not', 'ThresholdedRelu', 'Swish', 'Sin', 'Cos', 'LpNormalization', 'MeanVarianceNormalization',
])
const BROADCAST = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'Where', 'Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor', 'Mod'])
const POOL = new Set(['MaxPool', 'AveragePool', 'LpPool'])
const GLOBAL_POOL = new Set(['GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool'])
const REDUCE = new Set(['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSumExp', 'ReduceSumSquare'])

/**
 * Shapes of every tensor it can work out, by name. Declared shapes win over inferred ones.
 * O(nodes * rank) time.
 */
export function inferShapes(graph: ShapeGraph): Map<string, OnnxDim[]> {
  const shapes = new Map<string, OnnxDim[]>(graph.known)
  const values = new Map<string, number[]>()
  for (const [name, c] of graph.constants) {
    if (!shapes.has(name)) shapes.set(name, c.dims)
    if (c.values) values.set(name, c.values)
  }
  for (const node of graph.nodes) {
    if (node.domain && node.domain !== 'ai.onnx') continue
    let out: OnnxDim[] | null = null
    try {
      out = inferNode(node, (name) => shapes.get(name) ?? null, (name) => values.get(name) ?? null)
    } catch {
      out = null
    }
    if (node.opType === 'Constant') {
      const tensor = node.attributes.get('value')?.tensor
      if (tensor?.values && node.outputs[0]) values.set(node.outputs[0], tensor.values)
    }
    const name = node.outputs[0]
    if (out && name && !shapes.has(name)) shapes.set(name, out)
  }
  return shapes
}

function inferNode(node: ShapeNode, shapeOf: (name: string) => OnnxDim[] | null, valuesOf: (name: string) => number[] | null): OnnxDim[] | null {
  const attr = (name: string) => node.attributes.get(name)
  const input = (k: number) => (node.inputs[k] ? shapeOf(node.inputs[k]!) : null)
  const x = input(0)
  const op = node.opType
  if (op === 'Constant') return attr('value')?.tensor?.dims ?? null
  if (UNARY.has(op)) return x
  if (BROADCAST.has(op)) {
    let out: OnnxDim[] | null = x
    for (let k = 1; k < node.inputs.length && out; k++) out = broadcast(out, input(k))
    return out
  }
  if (!x) return null
  if (op === 'Gemm') {
    const w = input(1)
    if (!w || x.length !== 2 || w.length !== 2) return null
    const m = attr('transA')?.i ? x[1]! : x[0]!
    const n = attr('transB')?.i ? w[0]! : w[1]!
    return [m, n]
  }
  if (op === 'MatMul') {
    const w = input(1)
    if (!w) return null
    const a = x.length === 1 ? [1, x[0]!] : x
    const b = w.length === 1 ? [w[0]!, 1] : w
    const batch = broadcast(a.slice(0, -2), b.slice(0, -2))
    if (!batch) return null
    const out = [...batch, ...(x.length === 1 ? [] : [a[a.length - 2]!]), ...(w.length === 1 ? [] : [b[b.length - 1]!])]
    return out
  }
  if (op === 'Conv' || POOL.has(op)) {
    const spatial = x.length - 2
    if (spatial < 1) return null
    let kernel = attr('kernel_shape')?.ints ?? null
    let channels: OnnxDim = x[1]!
    if (op === 'Conv') {
      const w = input(1)
      if (!w) return null
      kernel ??= w.slice(2) as number[]
      channels = w[0]!
    }
    if (!kernel || kernel.length !== spatial) return null
    const strides = attr('strides')?.ints ?? kernel.map(() => 1)
    const dilations = attr('dilations')?.ints ?? kernel.map(() => 1)
    const pads = attr('pads')?.ints ?? kernel.map(() => 0).concat(kernel.map(() => 0))
    const autoPad = attr('auto_pad')?.s ?? 'NOTSET'
    const ceil = Boolean(attr('ceil_mode')?.i)
    const dims: OnnxDim[] = [x[0]!, channels]
    for (let s = 0; s < spatial; s++) {
      const size = x[s + 2]
      if (typeof size !== 'number') {
        dims.push(null)
        continue
      }
      const stride = strides[s]!
      if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') dims.push(Math.ceil(size / stride))
      else {
        const extent = (kernel[s]! - 1) * dilations[s]! + 1
        const padded = size + (autoPad === 'VALID' ? 0 : pads[s]! + pads[s + spatial]!)
        const steps = (padded - extent) / stride
        dims.push((ceil ? Math.ceil(steps) : Math.floor(steps)) + 1)
      }
    }
    return dims
  }
  if (GLOBAL_POOL.has(op)) return [x[0]!, x[1]!, ...x.slice(2).map(() => 1)]
  if (op === 'Flatten') {
    let axis = attr('axis')?.i ?? 1
    if (axis < 0) axis += x.length
    return [product(x.slice(0, axis)), product(x.slice(axis))]
  }
  if (op === 'Reshape') {
    const target = valuesOf(node.inputs[1] ?? '')
    if (!target) return null
    const allowZero = Boolean(attr('allowzero')?.i)
    const out: OnnxDim[] = target.map((d, k) => (d === 0 && !allowZero ? (x[k] ?? null) : d === -1 ? -1 : d))
    const minus = out.indexOf(-1)
    if (minus >= 0) {
      const total = product(x)
      const rest = product(out.filter((_, k) => k !== minus))
      out[minus] = typeof total === 'number' && typeof rest === 'number' && rest > 0 ? total / rest : null
    }
    return out
  }
  if (op === 'Transpose') {
    const perm = attr('perm')?.ints ?? x.map((_, k) => x.length - 1 - k)
    return perm.map((p) => x[p] ?? null)
  }
  if (op === 'Concat') {
    let axis = attr('axis')?.i ?? 0
    if (axis < 0) axis += x.length
    const out = [...x]
    for (let k = 1; k < node.inputs.length; k++) {
      const other = input(k)
      if (!other) return null
      const a = out[axis]
      const b = other[axis]
      out[axis] = typeof a === 'number' && typeof b === 'number' ? a + b : null
    }
    return out
  }
  if (op === 'Unsqueeze' || op === 'Squeeze') {
    const axes = attr('axes')?.ints ?? valuesOf(node.inputs[1] ?? '')
    if (op === 'Squeeze') {
      if (!axes) return x.every((d) => typeof d === 'number') ? x.filter((d) => d !== 1) : null
      const drop = new Set(axes.map((a) => (a < 0 ? a + x.length : a)))
      return x.filter((_, k) => !drop.has(k))
    }
    if (!axes) return null
    const rank = x.length + axes.length
    const insert = new Set(axes.map((a) => (a < 0 ? a + rank : a)))
    const out: OnnxDim[] = []
    let from = 0
    for (let k = 0; k < rank; k++) out.push(insert.has(k) ? 1 : (x[from++] ?? null))
    return out
  }
  if (REDUCE.has(op)) {
    const axes = attr('axes')?.ints ?? valuesOf(node.inputs[1] ?? '')
    const keep = attr('keepdims')?.i ?? 1
    const all = !axes || axes.length === 0
    const reduced = new Set((axes ?? []).map((a) => (a < 0 ? a + x.length : a)))
    const out: OnnxDim[] = []
    x.forEach((d, k) => {
      if (all || reduced.has(k)) {
        if (keep) out.push(1)
      } else out.push(d)
    })
    return out
  }
  return null
}

function product(dims: readonly OnnxDim[]): OnnxDim {
  if (dims.length === 1) return dims[0]!
  let p = 1
  for (const d of dims) {
    if (typeof d !== 'number') return null
    p *= d
  }
  return p
}

/** Numpy broadcasting of two shapes; null when either is unknown or they cannot broadcast. */
function broadcast(a: readonly OnnxDim[] | null, b: readonly OnnxDim[] | null): OnnxDim[] | null {
  if (!a || !b) return null
  const rank = Math.max(a.length, b.length)
  const out: OnnxDim[] = []
  for (let k = 0; k < rank; k++) {
    const ia = a.length - rank + k
    const ib = b.length - rank + k
    const da = ia >= 0 ? a[ia]! : 1
    const db = ib >= 0 ? b[ib]! : 1
    if (da === 1) out.push(db)
    else if (db === 1 || da === db) out.push(da)
    else if (typeof da === 'number' && typeof db === 'number') return null
    // an unknown or symbolic dimension against a number n: n, unless the number is 1 (handled above)
    else out.push(typeof da === 'number' ? da : typeof db === 'number' ? db : null)
  }
  return out
}
