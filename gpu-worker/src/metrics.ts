/** @module The quality numbers stored with every job (metrics.json). */

export interface JobMetrics {
  n: number
  dims: number
  /** Share of sampled points whose 10 nearest map neighbours mostly share their label; null without labels. */
  knnLabelAccuracy10: number | null
  /** Points sampled to compute the numbers above. */
  sampled: number
}

/** Deterministic sample of up to `count` indices out of n (evenly strided). */
function sampleIndices(n: number, count: number): Int32Array {
  const m = Math.min(n, count)
  const out = new Int32Array(m)
  for (let i = 0; i < m; i++) out[i] = Math.floor((i * n) / m)
  return out
}

/** 10-NN majority-vote label accuracy in the embedding, on a sample of points against all points. */
export function knnLabelAccuracy(embedding: Float32Array, n: number, dims: number, codes: Int32Array, k = 10, sample = 5000): { accuracy: number; sampled: number } {
  const indices = sampleIndices(n, sample)
  const bestDist = new Float64Array(k)
  const bestIdx = new Int32Array(k)
  const votes = new Map<number, number>()
  let correct = 0
  for (const i of indices) {
    bestDist.fill(Infinity)
    bestIdx.fill(-1)
    for (let j = 0; j < n; j++) {
      if (j === i) continue
      let dist = 0
      for (let c = 0; c < dims; c++) {
        const diff = embedding[i * dims + c]! - embedding[j * dims + c]!
        dist += diff * diff
      }
      if (dist >= bestDist[k - 1]!) continue
      let p = k - 1
      while (p > 0 && bestDist[p - 1]! > dist) {
        bestDist[p] = bestDist[p - 1]!
        bestIdx[p] = bestIdx[p - 1]!
        p--
      }
      bestDist[p] = dist
      bestIdx[p] = j
    }
    votes.clear()
    for (const j of bestIdx) if (j >= 0) votes.set(codes[j]!, (votes.get(codes[j]!) ?? 0) + 1)
    let winner = -1
    let most = -1
    for (const [label, count] of votes) if (count > most || (count === most && label < winner)) [winner, most] = [label, count]
    if (winner === codes[i]) correct++
  }
  return { accuracy: indices.length ? correct / indices.length : 0, sampled: indices.length }
}

export function computeMetrics(embedding: Float32Array, n: number, dims: number, codes?: Int32Array): JobMetrics {
  if (!codes) return { n, dims, knnLabelAccuracy10: null, sampled: 0 }
  const { accuracy, sampled } = knnLabelAccuracy(embedding, n, dims, codes)
  return { n, dims, knnLabelAccuracy10: accuracy, sampled }
}
