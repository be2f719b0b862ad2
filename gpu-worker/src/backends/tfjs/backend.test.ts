import { afterAll, describe, expect, it } from 'vitest'
import { closeEngine, embed, TsneInputError, type EmbedFrame } from '../../engine.ts'
import { mnistSample } from '../../inputs/mnist-fixture.ts'
import { pca } from '../../pca/pca.ts'
import { knnLabelAccuracy } from '../../quality/label-accuracy.ts'
import { closeTfjsEngine, embedWithRuntime } from './backend.ts'
import type { TfjsRuntime } from './runtime.ts'
import { pcaTfjs } from './pca.ts'
import { blobs, jsTf } from './test-support.ts'

describe('the tfjs backend end to end (pure-JS tfjs CPU)', async () => {
  const runtime: TfjsRuntime = { tf: await jsTf(), module: '@tensorflow/tfjs', device: 'cpu' }
  afterAll(async () => {
    await closeTfjsEngine()
    await closeEngine()
  })

  it('finds the same principal subspace as the CPU PCA (scores agree up to 1e-3 of their scale)', async () => {
    const { points, n, d } = mnistSample(20)
    const cpu = await pca(points, n, d, { components: 10, seed: 1 })
    const gpu = await pcaTfjs(runtime.tf, points, n, d, { components: 10, seed: 1, blockBytes: 40 * d * 4, residentBytes: 0 })
    for (let c = 0; c < 5; c++) {
      expect(gpu.explainedVariance[c]! / cpu.explainedVariance[c]!).toBeCloseTo(1, 3)
      let scale = 0
      let diff = 0
      for (let i = 0; i < n; i++) {
        scale = Math.max(scale, Math.abs(cpu.scores[i * 10 + c]!))
        diff = Math.max(diff, Math.abs(cpu.scores[i * 10 + c]! - gpu.scores[i * 10 + c]!))
      }
      expect(diff / scale).toBeLessThan(1e-3)
    }
  })

  it('maps 400 MNIST digits as well as the CPU engine: 10-NN label accuracy within 0.05', async () => {
    const { points, n, d, labels } = mnistSample(40)
    const options = { iterations: 300, earlyExaggerationIterations: 100, frameEvery: 100, seed: 7 }
    const frames: number[] = []
    const started = performance.now()
    const tfjs = await embedWithRuntime(runtime, points, n, d, options, { onFrame: (frame: EmbedFrame) => void frames.push(frame.iteration) })
    const seconds = (performance.now() - started) / 1000
    const cpu = await embed(points, n, d, { ...options, threads: 1 })
    const accuracy = { tfjs: knnLabelAccuracy(tfjs.embedding, n, 2, labels), cpu: knnLabelAccuracy(cpu.embedding, n, 2, labels) }
    console.log(`10-NN accuracy tfjs ${accuracy.tfjs.toFixed(3)} cpu ${accuracy.cpu.toFixed(3)}; KL tfjs ${tfjs.kl.toFixed(3)} cpu ${cpu.kl.toFixed(3)}; tfjs ${seconds.toFixed(1)} s`, tfjs.timings)
    expect(tfjs.backend).toBe('tfjs')
    expect(tfjs.resolved).toMatchObject({ gradient: 'exact', knn: 'exact', pcaApplied: true, k: 90, tfjs: { module: '@tensorflow/tfjs', device: 'cpu' } })
    expect(frames).toEqual([0, 100, 200, 300])
    expect(tfjs.iterations).toBe(300)
    expect(tfjs.cancelled).toBe(false)
    expect(accuracy.tfjs).toBeGreaterThan(0.75)
    expect(Math.abs(accuracy.tfjs - accuracy.cpu)).toBeLessThan(0.05)
    expect(Math.abs(tfjs.kl - cpu.kl) / cpu.kl).toBeLessThan(0.1)
  })

  it('stops at the next iteration when cancelled, keeps the frames so far, and reports it', async () => {
    const { points } = blobs(200, 8, 4, 5)
    const controller = new AbortController()
    const frames: number[] = []
    const result = await embedWithRuntime(runtime, points, 200, 8, { iterations: 400, perplexity: 10, frameEvery: 10 }, {
      signal: controller.signal,
      onFrame: (frame) => {
        frames.push(frame.iteration)
        if (frame.iteration >= 20) controller.abort()
      },
    })
    expect(result.cancelled).toBe(true)
    expect(result.iterations).toBe(20)
    expect(frames).toEqual([0, 10, 20])
  })

  it('runs the grid (FFT-interpolated, split kernel) repulsion through the whole loop in 3D', async () => {
    const { points, labels } = blobs(150, 6, 3, 9, 1, 10)
    // at most a 32^3 grid (pure-JS transforms stay quick): the map outgrows what it resolves alone, and the
    // near field of the split kernel covers the rest
    const result = await embedWithRuntime(runtime, points, 150, 6, { dims: 3, iterations: 60, earlyExaggerationIterations: 30, perplexity: 10, gradient: 'fft', frameEvery: 30 }, {}, { grid: { maxGrid: 32, minGrid: 16 } })
    expect(result.resolved).toMatchObject({ gradient: 'fft', tfjs: { repulsion: 'grid', transform: 'hartley' } })
    expect(result.embedding.every(Number.isFinite)).toBe(true)
    expect(knnLabelAccuracy(result.embedding, 150, 3, labels)).toBeGreaterThan(0.95)
  })

  it('rejects the same bad inputs as the CPU engine, with its codes', async () => {
    const { points } = blobs(50, 4, 2, 1)
    await expect(embedWithRuntime(runtime, points, 50, 4, { perplexity: 30 })).rejects.toMatchObject({ code: 'perplexity_too_large' })
    const broken = points.slice()
    broken[13] = NaN
    await expect(embedWithRuntime(runtime, broken, 50, 4, { perplexity: 5 })).rejects.toBeInstanceOf(TsneInputError)
  })
})
