/**
 * @module methods/tsne/method — t-SNE as a method of the pipeline (methods/method.ts): k = 3 x perplexity
 * neighbours, the graph of calibrated and symmetrised affinities (affinities.ts), a start layout from PCA, the
 * seed or a given one (init.ts), and the two-phase schedule (schedule.ts) over the backend's steps.
 */
import { perplexityProblem } from '@constellate/shared'
import type { Method } from '../method.ts'
import { symmetrize } from './affinities.ts'
import { startLayout } from './init.ts'
import type { TsneGraph, TsneKernels } from './kernels.ts'
import type { JobTsneOptions } from './options.ts'
import { runSchedule } from './schedule.ts'

export const tsne: Method<JobTsneOptions, TsneKernels, TsneGraph> = {
  name: 'tsne',

  problem(n, o) {
    if (!(o.perplexity > 0)) return { code: 'bad_perplexity', message: `perplexity must be positive; got ${o.perplexity}.` }
    const tooLarge = perplexityProblem(o.perplexity, n)
    if (tooLarge) return { code: 'perplexity_too_large', message: tooLarge }
    if (!(o.dof > 0)) return { code: 'bad_dof', message: `dof must be positive; got ${o.dof}.` }
    return undefined
  },

  neighbours: (n, o) => Math.min(n - 1, Math.floor(3 * o.perplexity)),

  graphStage: 'affinities',
  graphInfo: (o) => ({ perplexity: o.perplexity }),

  async graph(kernels, knn, o) {
    const { conditional, achieved } = await kernels.calibrate(knn, o.perplexity)
    return { knn, conditional, p: { ...symmetrize(knn, conditional), achievedPerplexity: achieved } }
  },

  initialise: (n, o, pca, given) => startLayout(given, o, pca, n),

  optimiseInfo: (o) => ({ method: o.gradient, learningRate: o.learningRate, mainLearningRate: o.mainLearningRate }),

  async optimise(kernels, graph, initial, o, hooks) {
    const steps = await kernels.steps(graph, initial, { dims: o.dims, dof: o.dof, gradient: o.gradient, theta: o.theta }, hooks.signal)
    try {
      return await runSchedule(steps, o, hooks)
    } finally {
      steps.dispose()
    }
  },
}
