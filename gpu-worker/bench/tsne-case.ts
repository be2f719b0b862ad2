/**
 * @module bench/tsne-case — one benchmark case in its own process (so peak RSS is its own):
 * loads the data set, runs embed() with defaults, measures quality, optionally runs
 * scikit-learn's TSNE on the same 50-dim PCA inputs (`--sklearn PYTHON`) and measures its map the
 * same way, and prints one JSON line.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { computeQuality } from '../src/quality/index.ts'
import { loadFashionMnist, loadMnist, type Dataset } from './datasets.ts'
import { closeEngine, embed, startEngine } from '../src/engine.ts'
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

// as the worker service does at start-up (main.ts): the engine's threads start, and its kernels are
// compiled on a small synthetic map, before any job arrives (--no-warm-up: a bare process instead)
if (!process.argv.includes('--no-warm-up')) await startEngine()
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
// --options '{"iterations":1000}': embed() options on top of the defaults (experiments; the table says so)
const extraOptions = process.argv.includes('--options') ? (JSON.parse(process.argv[process.argv.indexOf('--options') + 1]!) as Record<string, unknown>) : {}
const sklearnPython = process.argv.includes('--sklearn') ? process.argv[process.argv.indexOf('--sklearn') + 1]! : undefined
// --warm: the case runs in a worker that has already done one job, as the service's long-lived worker has:
// first a job of the same kind on other data (the first 10,000 points of the other data set), untimed
const warm = process.argv.includes('--warm')
if (warm) {
  const other = name.startsWith('mnist') ? loadFashionMnist(10_000) : loadMnist(10_000)
  await embed(other.points, other.n, other.d, { dims, ...extraOptions })
}
const start = performance.now()
const cpuStart = process.cpuUsage()
// progress on stderr (the bench keeps stdout for the JSON line): stages, and every 50 iterations
const progress = (what: string) => process.stderr.write(`${name} ${((performance.now() - start) / 1000).toFixed(1)} s rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB load ${loadavg()[0]!.toFixed(1)}: ${what}\n`)
const result = await embed(points, n, d, { dims, ...extraOptions }, {
  onStage: (stage) => progress(stage),
  onFrame: (frame) => {
    if (frame.iteration % 50 === 0) progress(`iteration ${frame.iteration} KL ${frame.kl?.toFixed(3) ?? '-'}`)
  },
})
const total = (performance.now() - start) / 1000
// CPU seconds of the whole process (all threads): a load-independent cost when the machine is shared
const cpu = process.cpuUsage(cpuStart)
const cpuSeconds = (cpu.user + cpu.system) / 1e6
const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024)
// quality against the 50-dim PCA space (the engine's own PCA: same seed, same products)
const reference = d > 50 ? (await pca(points, n, d, { components: 50, seed: 42 })).scores : points
// recall@10 on a 10k sample (1k above 200k points: the exact input-space neighbours cost sample x n x 50)
const rows = samplePoints(n, n > 200_000 ? 1000 : 10_000, 7)

async function measure(embedding: Float32Array) {
  const recall10 = await embeddingRecall(reference, 50, embedding, dims, n, rows, 10)
  const accuracy = n > 200_000 ? null : knnLabelAccuracy(embedding, n, dims, labels, 10)
  const quality = await computeQuality(embedding, n, dims, { labels, highDim: { points: reference, d: 50 }, neighbourhoodSample: 1000, labelSample: 1000 })
  return { recall10, accuracy: accuracy ?? quality.knnLabelAccuracy!, accuracySampled: accuracy === null, trustworthiness: quality.trustworthiness, silhouette: quality.silhouette, qualitySeconds: quality.seconds }
}

const ours = await measure(result.embedding)
let sklearn: Record<string, unknown> | undefined
if (sklearnPython) {
  const dir = mkdtempSync(join(tmpdir(), 'tsne-bench-'))
  try {
    writeFileSync(join(dir, 'in.f32'), reference.subarray(0, n * 50))
    const script = join(dirname(fileURLToPath(import.meta.url)), 'sklearn_tsne.py')
    const line = execFileSync(sklearnPython, [script, join(dir, 'in.f32'), String(n), '50', String(dims), join(dir, 'out.f32')], { encoding: 'utf8', maxBuffer: 1 << 24 }).trim().split('\n').at(-1)!
    const run = JSON.parse(line) as { seconds: number; kl: number; iterations: number }
    const embedding = new Float32Array(readFileSync(join(dir, 'out.f32')).buffer.slice(0))
    sklearn = { ...run, ...(await measure(embedding)) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
console.log(JSON.stringify({ case: name, options: extraOptions, warm, n, d, dims, total, cpuSeconds, loadAverage: loadavg()[0], timings: result.timings, kl: result.kl, peakRssMiB, ...ours, sklearn, resolved: result.resolved }))
await closeEngine()
