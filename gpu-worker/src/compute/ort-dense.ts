/**
 * @module compute/ort-dense — dense kernels (matrix products, blocked squared distances + top-k)
 * run through onnxruntime-node sessions built from tiny ONNX graphs. ORT's MLAS kernels run
 * dense float32 products ~100x faster than plain TypeScript loops on this machine kind.
 */
import ort from 'onnxruntime-node'
import { encodeModel, ONNX_FLOAT, ONNX_INT64, type GraphSpec } from './onnx-graph.ts'

/** onnxruntime-node refuses tensors over SharedArrayBuffer; copies only in that case. */
export function unshared(array: Float32Array): Float32Array {
  return array.buffer instanceof SharedArrayBuffer ? Float32Array.from(array) : array
}

const sessions = new Map<string, Promise<ort.InferenceSession>>()

function session(key: string, spec: () => GraphSpec, threads: number): Promise<ort.InferenceSession> {
  const cacheKey = `${key}|${threads}`
  let cached = sessions.get(cacheKey)
  if (!cached) {
    cached = ort.InferenceSession.create(encodeModel(spec()), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
    })
    sessions.set(cacheKey, cached)
  }
  return cached
}

/**
 * C = op(A) * op(B), float32, row-major. op(A) is m x k, op(B) is k x n; transA means A is stored
 * k x m, transB means B is stored n x k. Returns a new Float32Array of length m*n.
 */
export async function gemm(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  { transA = false, transB = false, threads = 2 }: { transA?: boolean; transB?: boolean; threads?: number } = {},
): Promise<Float32Array> {
  const key = `gemm${+transA}${+transB}`
  const s = await session(
    key,
    () => ({
      nodes: [{ op: 'Gemm', inputs: ['A', 'B'], outputs: ['C'], attributes: { transA: { int: +transA }, transB: { int: +transB } } }],
      inputs: [
        { name: 'A', type: ONNX_FLOAT, shape: ['a0', 'a1'] },
        { name: 'B', type: ONNX_FLOAT, shape: ['b0', 'b1'] },
      ],
      outputs: [{ name: 'C', type: ONNX_FLOAT, shape: ['m', 'n'] }],
      opset: 13,
    }),
    threads,
  )
  const out = await s.run({
    A: new ort.Tensor('float32', unshared(a.subarray(0, m * k)), transA ? [k, m] : [m, k]),
    B: new ort.Tensor('float32', unshared(b.subarray(0, k * n)), transB ? [n, k] : [k, n]),
  })
  return out.C!.data as Float32Array
}

/**
 * For a block of queries Q (rows x d) against reference points X (n x d, with squared norms
 * xNorms), returns the `k` smallest values of |x_j|^2 - 2 q.x_j per query (ascending) and their
 * indices. Adding |q|^2 gives squared euclidean distances.
 */
export async function blockTopK(
  queries: Float32Array,
  rows: number,
  reference: Float32Array,
  referenceNorms: Float32Array,
  n: number,
  d: number,
  k: number,
  threads = 2,
): Promise<{ values: Float32Array; indices: BigInt64Array }> {
  const s = await session(
    'topk',
    (): GraphSpec => ({
      nodes: [
        { op: 'Gemm', inputs: ['Q', 'X', 'Xn'], outputs: ['S'], attributes: { transB: { int: 1 }, alpha: { float: -2 }, beta: { float: 1 } } },
        { op: 'TopK', inputs: ['S', 'K'], outputs: ['V', 'I'], attributes: { axis: { int: 1 }, largest: { int: 0 }, sorted: { int: 1 } } },
      ],
      inputs: [
        { name: 'Q', type: ONNX_FLOAT, shape: ['b', 'd'] },
        { name: 'X', type: ONNX_FLOAT, shape: ['n', 'd'] },
        { name: 'Xn', type: ONNX_FLOAT, shape: [1, 'n'] },
        { name: 'K', type: ONNX_INT64, shape: [1] },
      ],
      outputs: [
        { name: 'V', type: ONNX_FLOAT, shape: ['b', 'k'] },
        { name: 'I', type: ONNX_INT64, shape: ['b', 'k'] },
      ],
      opset: 13,
    }),
    threads,
  )
  const out = await s.run({
    Q: new ort.Tensor('float32', queries.subarray(0, rows * d), [rows, d]),
    X: new ort.Tensor('float32', reference.subarray(0, n * d), [n, d]),
    Xn: new ort.Tensor('float32', referenceNorms.subarray(0, n), [1, n]),
    K: new ort.Tensor('int64', BigInt64Array.from([BigInt(k)]), [1]),
  })
  return { values: out.V!.data as Float32Array, indices: out.I!.data as BigInt64Array }
}
