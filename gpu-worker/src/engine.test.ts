import { createHash } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { closeEngine, embed, sharedPool, startEngine, TsneInputError, type EmbedFrame } from './engine.ts'
import { loadMnist } from '../bench/datasets.ts'
import { knnLabelAccuracy } from './quality/label-accuracy.ts'

afterAll(() => closeEngine())

const digest = (a: Float32Array) => createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex')

describe('embed', () => {
  it('separates 2,000 MNIST digits: 10-NN label accuracy in the map is at least 0.85', async () => {
    const data = loadMnist(2000)
    const result = await embed(data.points, data.n, data.d, { seed: 1 })
    expect(result.embedding.length).toBe(2000 * 2)
    expect(knnLabelAccuracy(result.embedding, data.n, 2, data.labels, 10)).toBeGreaterThanOrEqual(0.85)
    expect(result.kl).toBeGreaterThan(0)
    expect(result.kl).toBeLessThan(2.5)
    expect(Object.keys(result.timings)).toEqual(['pca', 'knn', 'affinities', 'optimize'])
    expect(result.resolved).toMatchObject({ perplexity: 30, dims: 2, iterations: 750, gradient: 'bh', knn: 'exact' })
  }, 60_000)

  for (const gradient of ['fft', 'bh'] as const) {
    it(`gives byte-identical ${gradient} maps with 1 and 2 threads`, async () => {
      const data = loadMnist(700)
      const options = { gradient, iterations: 120, earlyExaggerationIterations: 60, seed: 5, dims: gradient === 'bh' ? (3 as const) : (2 as const) }
      const one = await embed(data.points, data.n, data.d, { ...options, threads: 1 })
      const two = await embed(data.points, data.n, data.d, { ...options, threads: 2 })
      expect(digest(two.embedding)).toBe(digest(one.embedding))
      expect(two.kl).toBe(one.kl)
    }, 60_000)
  }

  it('starts from a given layout: the PCA start layout passed back reproduces the PCA run, a different one does not', async () => {
    const data = loadMnist(400)
    const options = { iterations: 60, earlyExaggerationIterations: 30, seed: 9, gradient: 'exact' as const, threads: 1 }
    const pcaRun = await embed(data.points, data.n, data.d, options)
    const again = await embed(data.points, data.n, data.d, options, { initial: pcaRun.initial })
    expect(digest(again.embedding)).toBe(digest(pcaRun.embedding))
    const swapped = Float64Array.from(pcaRun.initial!, (_, t) => pcaRun.initial![t ^ 1]!)
    const other = await embed(data.points, data.n, data.d, options, { initial: swapped })
    expect(digest(other.embedding)).not.toBe(digest(pcaRun.embedding))
    expect(pcaRun.neighbours).toMatchObject({ k: 90, space: 'pca' })
    expect(pcaRun.neighbours!.indices.length).toBe(400 * 90)
    await expect(embed(data.points, data.n, data.d, options, { initial: new Float64Array(7) })).rejects.toThrow(/expected n x dims = 800/)
  }, 30_000)

  it('reproduces a pinned golden embedding for a fixed seed', async () => {
    const data = loadMnist(300)
    const result = await embed(data.points, data.n, data.d, { iterations: 100, earlyExaggerationIterations: 50, seed: 123, gradient: 'exact', threads: 1 })
    expect(Array.from(result.embedding.subarray(0, 4), (v) => Number(v.toFixed(3)))).toEqual(GOLDEN_FIRST_VALUES)
    expect(digest(result.embedding)).toBe(GOLDEN_DIGEST)
  }, 30_000)

  it('delivers frames at iteration 0, every frameEvery iterations and at the end', async () => {
    const data = loadMnist(200)
    const frames: { iteration: number; phase: string; kl?: number }[] = []
    await embed(data.points, data.n, data.d, { iterations: 60, earlyExaggerationIterations: 20, frameEvery: 25, perplexity: 10 }, {
      onFrame: async (frame: EmbedFrame) => {
        frames.push({ iteration: frame.iteration, phase: frame.phase, kl: frame.kl })
        await new Promise((resolve) => setTimeout(resolve, 1))
      },
    })
    expect(frames.map((f) => f.iteration)).toEqual([0, 20, 25, 50, 60])
    expect(frames.map((f) => f.phase)).toEqual(['early', 'early', 'main', 'main', 'main'])
    expect(frames.at(-1)!.kl).toBeGreaterThan(0)
  })

  it('returns the partial map with cancelled: true when aborted', async () => {
    const data = loadMnist(300)
    const controller = new AbortController()
    const result = await embed(data.points, data.n, data.d, { iterations: 500, frameEvery: 10 }, {
      signal: controller.signal,
      onFrame: (frame) => {
        if (frame.iteration >= 30) controller.abort()
      },
    })
    expect(result.cancelled).toBe(true)
    expect(result.iterations).toBeLessThan(500)
    expect(result.iterations).toBeGreaterThanOrEqual(30)
    expect(result.embedding.every(Number.isFinite)).toBe(true)
  })

  it('explains how to fix a perplexity that is too large for the number of points', async () => {
    const points = new Float32Array(120 * 4).map((_, t) => Math.sin(t))
    const error = await embed(points, 120, 4, { perplexity: 50 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TsneInputError)
    expect((error as TsneInputError).code).toBe('perplexity_too_large')
    expect((error as Error).message).toBe('Perplexity 50 needs at least 151 points; the features have 120. Lower perplexity to 39 or less (or "auto", the largest that fits), or upload more points.')
  })

  it('starts the threads for jobs ahead of time: the pool a job then uses is the one started', async () => {
    const pool = await startEngine(2, { warm: false })
    expect(pool.threads).toBe(2)
    expect(sharedPool(2)).toBe(pool)
    expect(await startEngine(2, { warm: false })).toBe(pool)
  })

  it('refuses fewer than 5 points and non-finite values with actionable messages', async () => {
    await expect(embed(new Float32Array(8), 4, 2)).rejects.toMatchObject({ code: 'too_few_points' })
    const points = new Float32Array(100 * 3)
    points[7] = NaN
    await expect(embed(points, 100, 3, { perplexity: 5 })).rejects.toMatchObject({ code: 'non_finite', message: expect.stringContaining('row 2') })
  })
})

const GOLDEN_FIRST_VALUES = [2.293, -13.439, 0.971, 14.512]
const GOLDEN_DIGEST = '566d6cc973b42f48cf10566edec9d266cfbd1cd33514e0284fe9b083d4ad11af'
