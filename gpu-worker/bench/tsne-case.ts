/**
 * @module bench/tsne-case — one benchmark case in its own process (so peak RSS is its own):
 * loads the data set, runs embed() with defaults, measures quality, prints one JSON line.
 */
import { loadFashionMnist, loadMnist, type Dataset } from './datasets.ts'
import { closeEngine, embed } from '../src/engine.ts'
import { pca } from '../src/pca/pca.ts'
import { knnLabelAccuracy } from '../src/quality/label-accuracy.ts'
import { embeddingRecall, samplePoints } from '../src/quality/recall.ts'
import { SeededRandom } from '../src/compute/random.ts'

const name = process.argv[2]!
const dims = name.endsWith('3d') ? 3 : 2

function tileMillion(base: Dataset, features: Float32Array, d: number): { points: Float32Array; labels: Int32Array; n: number } {
  const n = 1_000_000
  const random = new SeededRandom(99)
  const points = new Float32Array(n * d)
  const labels = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const source = i % base.n
    labels[i] = base.labels[source]!
    for (let j = 0; j < d; j++) points[i * d + j] = features[source * d + j]! + 0.1 * random.normal()
  }
  return { points, labels, n }
}

const data = name.startsWith('mnist') ? loadMnist() : loadFashionMnist()
let points = data.points
let labels = data.labels
let n = data.n
let d = data.d
if (name.includes('1m')) {
  const reduced = await pca(data.points, data.n, data.d, { components: 50, seed: 1 })
  const tiled = tileMillion(data, reduced.scores, 50)
  points = tiled.points
  labels = tiled.labels
  n = tiled.n
  d = 50
}
const start = performance.now()
const result = await embed(points, n, d, { dims })
const total = (performance.now() - start) / 1000
const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024)
// quality: recall@10 on a 10k sample against the 50-dim PCA space, 10-NN label accuracy
const reference = d > 50 ? (await pca(points, n, d, { components: 50, seed: 42 })).scores : points
const rows = samplePoints(n, 10_000, 7)
const recall10 = await embeddingRecall(reference, 50, result.embedding, dims, n, rows, 10)
const accuracy = knnLabelAccuracy(result.embedding, n, dims, labels, 10)
console.log(JSON.stringify({ case: name, n, d, dims, total, timings: result.timings, kl: result.kl, peakRssMiB, recall10, accuracy, resolved: result.resolved }))
await closeEngine()
