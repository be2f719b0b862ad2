/**
 * @module methods/tsne/gradient/bh — Barnes-Hut repulsion on a quadtree (2D) or octree (3D). Rank 0
 * builds the tree into shared memory (deterministic), every rank then walks it for its own points.
 * O(n log n) per iteration; accuracy set by theta (cell width / distance), 0.5 by default.
 */

const LEAF_SIZE = 8
const MAX_DEPTH = 48

/** Shared buffers for one tree; capacity in nodes. */
export interface BhWorkspace {
  capacity: number
  /** Per node: [comX, comY, (comZ), centreX, centreY, (centreZ), halfWidth], stride 2*dims+1. */
  nodeFloats: Float64Array
  /** Per node: [count, firstChild (-1 for a leaf), start, end] into `order`. */
  nodeInts: Int32Array
  /** Point indices grouped by leaf. */
  order: Int32Array
  /** Coordinates in `order` (row-major n x dims): leaves and tree-order walks read memory in sequence. */
  sorted: Float64Array
  scratch: Int32Array
  /** [nodes used] */
  header: Int32Array
}

export function createBhWorkspace(n: number, dims: number): BhWorkspace {
  const capacity = Math.max(64, Math.ceil((4 * n) / LEAF_SIZE) * (1 << dims))
  return {
    capacity,
    nodeFloats: new Float64Array(new SharedArrayBuffer(capacity * (2 * dims + 1) * 8)),
    nodeInts: new Int32Array(new SharedArrayBuffer(capacity * 4 * 4)),
    order: new Int32Array(new SharedArrayBuffer(n * 4)),
    sorted: new Float64Array(new SharedArrayBuffer(n * dims * 8)),
    scratch: new Int32Array(new SharedArrayBuffer(n * 4)),
    header: new Int32Array(new SharedArrayBuffer(8)),
  }
}

/** Builds the tree over y (row-major n x dims). Single-threaded and deterministic. */
export function buildTree(y: Float64Array, n: number, dims: number, ws: BhWorkspace): void {
  const { nodeFloats: nf, nodeInts: ni, order, scratch, capacity } = ws
  const stride = 2 * dims + 1
  const children = 1 << dims
  const lo = [Infinity, Infinity, Infinity]
  const hi = [-Infinity, -Infinity, -Infinity]
  for (let i = 0; i < n; i++) {
    order[i] = i
    for (let c = 0; c < dims; c++) {
      const v = y[i * dims + c]!
      if (v < lo[c]!) lo[c] = v
      if (v > hi[c]!) hi[c] = v
    }
  }
  let half = 0
  for (let c = 0; c < dims; c++) half = Math.max(half, (hi[c]! - lo[c]!) / 2)
  half = half * (1 + 1e-9) + 1e-12
  for (let c = 0; c < dims; c++) nf[dims + c] = (lo[c]! + hi[c]!) / 2
  nf[2 * dims] = half
  ni[0] = n
  ni[1] = -1
  ni[2] = 0
  ni[3] = n
  let used = 1
  const stack: number[] = [0, 0]
  const counts = new Int32Array(children)
  const offsets = new Int32Array(children + 1)
  const childOf = new Uint8Array(n)
  while (stack.length > 0) {
    const depth = stack.pop()!
    const node = stack.pop()!
    const start = ni[node * 4 + 2]!
    const end = ni[node * 4 + 3]!
    const count = end - start
    // centre of mass
    for (let c = 0; c < dims; c++) {
      let sum = 0
      for (let t = start; t < end; t++) sum += y[order[t]! * dims + c]!
      nf[node * stride + c] = sum / count
    }
    if (count <= LEAF_SIZE || depth >= MAX_DEPTH || used + children > capacity) continue
    counts.fill(0)
    const base = node * stride
    for (let t = start; t < end; t++) {
      const i = order[t]!
      let child = 0
      for (let c = 0; c < dims; c++) if (y[i * dims + c]! > nf[base + dims + c]!) child |= 1 << c
      childOf[t - start] = child
      counts[child]!++
    }
    offsets[0] = start
    for (let c = 0; c < children; c++) offsets[c + 1] = offsets[c]! + counts[c]!
    for (let c = 0; c < children; c++) counts[c] = offsets[c]!
    for (let t = start; t < end; t++) scratch[counts[childOf[t - start]!]!++] = order[t]!
    order.set(scratch.subarray(start, end), start)
    const first = used
    used += children
    ni[node * 4 + 1] = first
    const childHalf = nf[base + 2 * dims]! / 2
    for (let c = 0; c < children; c++) {
      const child = first + c
      const cb = child * stride
      for (let k = 0; k < dims; k++) nf[cb + dims + k] = nf[base + dims + k]! + ((c >> k) & 1 ? childHalf : -childHalf)
      nf[cb + 2 * dims] = childHalf
      ni[child * 4] = offsets[c + 1]! - offsets[c]!
      ni[child * 4 + 1] = -1
      ni[child * 4 + 2] = offsets[c]!
      ni[child * 4 + 3] = offsets[c + 1]!
      if (offsets[c + 1]! > offsets[c]!) stack.push(child, depth + 1)
    }
  }
  ws.header[0] = used
  const sorted = ws.sorted
  for (let t = 0; t < n; t++) for (let c = 0; c < dims; c++) sorted[t * dims + c] = y[order[t]! * dims + c]!
}

/**
 * Barnes-Hut repulsion for the points at tree-order positions [start, end) (tree already built;
 * walking in tree order keeps the nodes a point visits in cache for the next one): same outputs
 * as exactRepulsion, written at each point's own index. A cell is summarised when
 * (2 * halfWidth)^2 < theta^2 * distance^2.
 */
export function bhRepulsion(
  n: number,
  dims: number,
  dof: number,
  theta: number,
  ws: BhWorkspace,
  forces: Float64Array,
  pointZ: Float64Array,
  start = 0,
  end = n,
): void {
  const { nodeFloats: nf, nodeInts: ni, order, sorted } = ws
  const stride = 2 * dims + 1
  const children = 1 << dims
  const theta2 = theta * theta
  const heavy = dof !== 1
  const stack = new Int32Array(MAX_DEPTH * children + 16)
  const is3 = dims === 3
  for (let s = start; s < end; s++) {
    const yi0 = sorted[s * dims]!
    const yi1 = sorted[s * dims + 1]!
    const yi2 = is3 ? sorted[s * dims + 2]! : 0
    let f0 = 0
    let f1 = 0
    let f2 = 0
    let z = 0
    let top = 0
    stack[top++] = 0
    while (top > 0) {
      const node = stack[--top]!
      const count = ni[node * 4]!
      if (count === 0) continue
      const base = node * stride
      const first = ni[node * 4 + 1]!
      const d0 = yi0 - nf[base]!
      const d1 = yi1 - nf[base + 1]!
      const d2 = is3 ? yi2 - nf[base + 2]! : 0
      const dist = d0 * d0 + d1 * d1 + d2 * d2
      const width = 2 * nf[base + 2 * dims]!
      if (first >= 0 && width * width < theta2 * dist) {
        const b = 1 / (1 + dist / dof)
        const w = heavy ? b ** dof : b
        const k2 = count * w * b
        z += count * w
        f0 += k2 * d0
        f1 += k2 * d1
        f2 += k2 * d2
      } else if (first < 0) {
        const a = ni[node * 4 + 2]!
        const e = ni[node * 4 + 3]!
        for (let t = a; t < e; t++) {
          if (t === s) continue
          const e0 = yi0 - sorted[t * dims]!
          const e1 = yi1 - sorted[t * dims + 1]!
          const e2 = is3 ? yi2 - sorted[t * dims + 2]! : 0
          const b = 1 / (1 + (e0 * e0 + e1 * e1 + e2 * e2) / dof)
          const w = heavy ? b ** dof : b
          const k2 = w * b
          z += w
          f0 += k2 * e0
          f1 += k2 * e1
          f2 += k2 * e2
        }
      } else {
        for (let c = children - 1; c >= 0; c--) stack[top++] = first + c
      }
    }
    const i = order[s]!
    forces[i * dims] = f0
    forces[i * dims + 1] = f1
    if (is3) forces[i * dims + 2] = f2
    pointZ[i] = z
  }
}
