import { describe, expect, it } from 'vitest'
import type { TsneSteps } from '../methods/tsne/kernels.ts'
import type { Backend, BackendKernels } from './backend.ts'
import { embedWith } from './embed.ts'
import { EMBED_DEFAULTS } from './options.ts'
import { TsneInputError } from './validate.ts'

/** A backend of stub kernels that records what the pipeline asks of it, in order. */
function stubBackend(unused?: readonly ['theta']) {
  const calls: string[] = []
  const kernels = (threads: number): BackendKernels => ({
    async pca(_points, n, _d, { components, seed }) {
      calls.push(`pca ${components} seed ${seed} threads ${threads}`)
      // scores with a spread in every component, so the PCA start is not flat
      const scores = Float32Array.from({ length: n * components }, (_, t) => Math.floor(t / components) - n / 2)
      return { scores, components, explainedVariance: new Float64Array(components), mean: new Float64Array(0) }
    },
    async knn(_points, n, d, k, { metric, method }) {
      calls.push(`knn ${n}x${d} k ${k} ${metric} ${method}`)
      // a ring: the k next points
      const indices = Int32Array.from({ length: n * k }, (_, t) => (Math.floor(t / k) + 1 + (t % k)) % n)
      const distances = Float32Array.from({ length: n * k }, (_, t) => 1 + (t % k))
      return { n, k, indices, distances }
    },
    tsne: {
      async calibrate(knn, perplexity) {
        calls.push(`calibrate ${perplexity}`)
        return { conditional: new Float32Array(knn.n * knn.k).fill(1 / knn.k), achieved: new Float64Array(knn.n).fill(perplexity) }
      },
      async steps(graph, initial, settings) {
        calls.push(`steps ${settings.gradient} dims ${settings.dims} edges ${graph.p.columns.length}`)
        const frame = Float32Array.from(initial)
        const steps: TsneSteps = {
          run: async (segment) => ({ completed: segment.iterations, kl: segment.reportKl ? 2 : undefined }),
          resetMomentum: () => undefined,
          frame: () => frame,
          dispose: () => void calls.push('dispose'),
        }
        return steps
      },
    },
  })
  const backend: Backend = {
    name: 'cpu',
    choose: (n, o) => (calls.push(`choose ${n} ${o.gradient}`), { knn: 'approximate', gradient: 'bh', unused, details: { stub: { n } } }),
    open: (o) => (calls.push('open'), kernels(o.threads)),
  }
  return { backend, calls }
}

describe('embedWith', () => {
  it('runs validate, reduce, neighbours, graph, initialise and optimise in order on the backend kernels', async () => {
    const { backend, calls } = stubBackend(['theta'])
    const stages: [string, object | undefined][] = []
    const n = 40
    const points = Float32Array.from({ length: n * 60 }, (_, t) => Math.sin(t))
    const result = await embedWith(backend, points, n, 60, { perplexity: 5, iterations: 60, earlyExaggerationIterations: 20, threads: 3 }, { onStage: (stage, info) => void stages.push([stage, info]) })
    expect(calls).toEqual(['choose 40 auto', 'open', 'pca 50 seed 42 threads 3', 'knn 40x50 k 15 euclidean approximate', 'calibrate 5', 'steps bh dims 2 edges 1200', 'dispose'])
    expect(stages).toEqual([
      ['pca', { n, d: 60, components: 50 }],
      ['knn', { k: 15, method: 'approximate', metric: 'euclidean' }],
      ['affinities', { perplexity: 5 }],
      ['optimize', { method: 'bh', learningRate: 50, mainLearningRate: 50, threads: 3 }],
    ])
    expect(Object.keys(result.timings)).toEqual(['pca', 'knn', 'affinities', 'optimize'])
    // the resolved options: the defaults in their order with the job's values and the backend's choices, the
    // options the backend does not use left out, then what the pipeline and the backend add
    const expected: Record<string, unknown> = { ...EMBED_DEFAULTS, perplexity: 5, iterations: 60, earlyExaggerationIterations: 20, threads: 3, learningRate: 50, gradient: 'bh', knn: 'approximate', mainLearningRate: 50 }
    delete expected.theta
    delete expected.threads
    expect(Object.entries(result.resolved)).toEqual(Object.entries({ ...expected, pcaApplied: true, k: 15, threads: 3, stub: { n } }))
    expect(result).toMatchObject({ n, dims: 2, iterations: 60, cancelled: false, kl: 2, backend: 'cpu', neighbours: { k: 15, space: 'pca' } })
    expect(result.klHistory.map((h) => h.iteration)).toEqual([20, 50, 60])
    // the start layout is the PCA one (first column at standard deviation 1e-4), handed back unchanged
    const first = Array.from({ length: n }, (_, i) => result.initial![2 * i]!)
    const mean = first.reduce((a, b) => a + b) / n
    expect(Math.sqrt(first.reduce((a, b) => a + (b - mean) ** 2, 0) / n)).toBeCloseTo(1e-4, 12)
    expect(Array.from(result.embedding)).toEqual(Array.from(result.initial!, Math.fround))
  })

  it('checks the job before the backend starts anything, with the method checks after the shape ones', async () => {
    const { backend, calls } = stubBackend()
    const points = new Float32Array(30 * 4).map((_, t) => Math.cos(t))
    await expect(embedWith(backend, points, 30, 4, { perplexity: 20 })).rejects.toMatchObject({ code: 'perplexity_too_large' })
    await expect(embedWith(backend, points, 30, 4, { perplexity: 5, dof: 0 })).rejects.toMatchObject({ code: 'bad_dof' })
    await expect(embedWith(backend, points, 30, 4, { perplexity: 20, dims: 4 as 2 })).rejects.toMatchObject({ code: 'bad_dims' })
    await expect(embedWith(backend, points, 30, 4, { perplexity: 5, frameEvery: 0 })).rejects.toMatchObject({ code: 'bad_frame_every' })
    const broken = points.slice()
    broken[9] = Infinity
    const error = await embedWith(backend, broken, 30, 4, { perplexity: 5 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TsneInputError)
    expect((error as Error).message).toBe('value 1 of row 2 is Infinity; remove or impute non-finite values.')
    expect(calls.filter((call) => call !== 'choose 30 auto')).toEqual([])
  })

  it('takes no PCA step when the input has no more columns than pcaDims, and starts from a given layout', async () => {
    const { backend, calls } = stubBackend()
    const n = 12
    const points = Float32Array.from({ length: n * 3 }, (_, t) => t % 7)
    const given = Float64Array.from({ length: n * 2 }, (_, t) => (t % 5) * 1e-4)
    const result = await embedWith(backend, points, n, 3, { perplexity: 2, iterations: 10 }, { initial: given })
    expect(calls[2]).toBe('pca 2 seed 42 threads ' + result.resolved.threads)
    expect(calls[3]).toBe('knn 12x3 k 6 euclidean approximate')
    expect(result.resolved).toMatchObject({ pcaApplied: false, k: 6, theta: 0.5 })
    expect(result.neighbours!.space).toBe('input')
    // the given layout, rescaled so its first column has standard deviation 1e-4
    const scale = result.initial![1]! / given[1]!
    expect(scale).toBeGreaterThan(0)
    for (let t = 0; t < given.length; t++) expect(result.initial![t]!).toBeCloseTo(given[t]! * scale, 15)
  })
})
