/**
 * @module bench/tfjs-bench — times the tfjs backend on seeded blobs, for checking the CUDA path on a
 * GPU machine (nothing here has run on one yet). In the worker image:
 *   node --import tsx gpu-worker/bench/tfjs-bench.ts [n=100000] [dims=2] [iterations=750] [backend=tfjs]
 * Prints the backend selection, per-stage seconds, KL and 10-NN label accuracy as JSON.
 */
import { blobs } from '../src/backends/tfjs/test-support.ts'
import { selectBackend } from '../src/backends/select-backend.ts'
import { closeTfjsEngine } from '../src/backends/tfjs/backend.ts'
import { closeEngine } from '../src/engine.ts'
import { knnLabelAccuracy } from '../src/quality/label-accuracy.ts'

const [n = 100_000, dims = 2, iterations = 750] = process.argv.slice(2, 5).map(Number)
const requested = process.argv[5] ?? 'tfjs'
const d = 64
const { points, labels } = blobs(n, d, 20, 1, 1, 4)
const selection = await selectBackend(requested)
const started = performance.now()
const result = await selection.backend.embed(points, n, d, { dims: dims as 2 | 3, iterations, frameEvery: 50 })
const seconds = (performance.now() - started) / 1000
const sample = Math.min(n, 20_000)
console.log(
  JSON.stringify(
    {
      n,
      dims,
      iterations,
      backend: { name: selection.backend.name, runtime: selection.backend.runtime, device: selection.backend.device, reason: selection.reason },
      seconds,
      timings: result.timings,
      kl: result.kl,
      accuracy10nn: knnLabelAccuracy(result.embedding.subarray(0, sample * result.dims), sample, result.dims, labels),
      tfjs: result.resolved.tfjs,
    },
    null,
    2,
  ),
)
await closeTfjsEngine()
await closeEngine()
