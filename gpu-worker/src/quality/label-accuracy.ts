/**
 * @module quality/label-accuracy — leave-one-out k-NN classification accuracy in the embedding:
 * how often the majority label of a point's k nearest map neighbours is its own label.
 */
import { buildKdTree, kdTreeKnn } from './kd-tree.ts'

/** Majority vote (ties go to the label of the nearer neighbour) over k map neighbours; in [0, 1]. */
export function knnLabelAccuracy(embedding: Float32Array | Float64Array, n: number, dims: number, labels: ArrayLike<number>, k = 10): number {
  const tree = buildKdTree(embedding, n, dims)
  const all = new Int32Array(n)
  for (let i = 0; i < n; i++) all[i] = i
  const neighbours = kdTreeKnn(tree, all, k)
  let correct = 0
  const votes = new Map<number, number>()
  for (let i = 0; i < n; i++) {
    votes.clear()
    let best = -1
    let bestVotes = 0
    for (let t = 0; t < k; t++) {
      const label = labels[neighbours[i * k + t]!]!
      const v = (votes.get(label) ?? 0) + 1
      votes.set(label, v)
      if (v > bestVotes) {
        bestVotes = v
        best = label
      }
    }
    if (best === labels[i]) correct++
  }
  return correct / n
}
