/**
 * @module quality/kd-tree — exact k-nearest neighbours in low dimensions (embeddings, 2D/3D) with
 * a k-d tree: O(n log n) build, about O(k log n) per query.
 */

export interface KdTree {
  points: Float32Array | Float64Array
  n: number
  dims: number
  order: Int32Array
  /** Split axis per node in heap numbering (root 0, children 2i+1 and 2i+2). */
  axes: Uint8Array
  /**
   * Split coordinate per node: the median's, recorded at build time (the median point itself
   * moves when its child range is partitioned later, so it cannot be looked up at query time).
   */
  splits: Float64Array
}

const LEAF = 16

/** Builds the tree by recursive median splits on the widest dimension (order holds the layout). */
export function buildKdTree(points: Float32Array | Float64Array, n: number, dims: number): KdTree {
  const order = new Int32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  const axes = new Uint8Array(4 * Math.ceil(n / LEAF) + 8)
  const splits = new Float64Array(axes.length)
  const stack: [number, number, number][] = [[0, n, 0]]
  while (stack.length) {
    const [a, b, node] = stack.pop()!
    if (b - a <= LEAF) continue
    const axis = widest(points, dims, order, a, b)
    axes[node] = axis
    const mid = (a + b) >> 1
    select(points, dims, order, a, b - 1, mid, axis)
    splits[node] = points[order[mid]! * dims + axis]!
    stack.push([a, mid, 2 * node + 1], [mid, b, 2 * node + 2])
  }
  return { points, n, dims, order, axes, splits }
}

function widest(points: ArrayLike<number>, dims: number, order: Int32Array, a: number, b: number): number {
  let best = 0
  let bestSpread = -1
  for (let c = 0; c < dims; c++) {
    let lo = Infinity
    let hi = -Infinity
    for (let t = a; t < b; t++) {
      const v = points[order[t]! * dims + c]!
      if (v < lo) lo = v
      if (v > hi) hi = v
    }
    if (hi - lo > bestSpread) {
      bestSpread = hi - lo
      best = c
    }
  }
  return best
}

/** Quickselect so order[mid] holds the median along axis within [lo, hi]. */
function select(points: ArrayLike<number>, dims: number, order: Int32Array, lo: number, hi: number, mid: number, axis: number): void {
  while (hi > lo) {
    const pivot = points[order[(lo + hi) >> 1]! * dims + axis]!
    let i = lo
    let j = hi
    while (i <= j) {
      while (points[order[i]! * dims + axis]! < pivot) i++
      while (points[order[j]! * dims + axis]! > pivot) j--
      if (i <= j) {
        const t = order[i]!
        order[i] = order[j]!
        order[j] = t
        i++
        j--
      }
    }
    if (mid <= j) hi = j
    else if (mid >= i) lo = i
    else return
  }
}

/**
 * The k nearest neighbours (excluding the point itself) of every point i in `queries`, as
 * row-major queries.length x k indices, ascending by distance.
 */
export function kdTreeKnn(tree: KdTree, queries: ArrayLike<number>, k: number): Int32Array {
  const { points, n, dims, order, axes, splits } = tree
  const out = new Int32Array(queries.length * k)
  const bestD = new Float64Array(k)
  const bestI = new Int32Array(k)
  const stack: number[] = []
  for (let q = 0; q < queries.length; q++) {
    const self = queries[q]!
    bestD.fill(Infinity)
    bestI.fill(-1)
    stack.length = 0
    stack.push(0, n, 0, 0)
    while (stack.length) {
      const node = stack.pop()!
      const bound = stack.pop()!
      const b = stack.pop()!
      const a = stack.pop()!
      if (bound >= bestD[k - 1]!) continue
      if (b - a <= LEAF) {
        for (let t = a; t < b; t++) {
          const j = order[t]!
          if (j === self) continue
          let dist = 0
          for (let c = 0; c < dims; c++) dist += (points[self * dims + c]! - points[j * dims + c]!) ** 2
          if (dist < bestD[k - 1]!) {
            let s = k - 1
            while (s > 0 && bestD[s - 1]! > dist) {
              bestD[s] = bestD[s - 1]!
              bestI[s] = bestI[s - 1]!
              s--
            }
            bestD[s] = dist
            bestI[s] = j
          }
        }
        continue
      }
      const mid = (a + b) >> 1
      const axis = axes[node]!
      const diff = points[self * dims + axis]! - splits[node]!
      const far = Math.max(bound, diff * diff)
      // push the far side first so the near side is searched first
      if (diff < 0) stack.push(mid, b, far, 2 * node + 2, a, mid, bound, 2 * node + 1)
      else stack.push(a, mid, far, 2 * node + 1, mid, b, bound, 2 * node + 2)
    }
    out.set(bestI, q * k)
  }
  return out
}
