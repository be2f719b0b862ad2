/**
 * @module methods/tsne/options — the options t-SNE reads, and its own automatic choice: the learning rate
 * (openTSNE's rule). Their defaults live with the pipeline's (pipeline/options.ts EMBED_DEFAULTS).
 */

/** How the repulsion is computed: every pair, Barnes-Hut, or FFT interpolation. */
export type GradientMethod = 'exact' | 'bh' | 'fft'

export interface TsneOptions {
  perplexity: number
  dims: 2 | 3
  /** Total iterations, the early-exaggeration ones included. */
  iterations: number
  seed: number
  earlyExaggeration: number
  earlyExaggerationIterations: number
  /** Exaggeration during the normal phase (1 = none). */
  lateExaggeration: number
  /**
   * A number sets both phases. 'auto' (openTSNE's rule) = max(n / exaggeration, 50) in each phase: n / 12
   * during early exaggeration and n (n / lateExaggeration) after it, which converges in the 500 main
   * iterations where n / 12 throughout still leaves large maps short of their optimum (Fashion-MNIST-70k:
   * KL 2.69 and kNN recall@10 0.365 at n / 12, 2.56 and 0.384 with n).
   */
  learningRate: number | 'auto'
  earlyMomentum: number
  momentum: number
  minGain: number
  /** Degrees of freedom of the Student-t kernel (1 = standard t-SNE, < 1 heavier tails). */
  dof: number
  initialization: 'pca' | 'random'
  gradient: 'auto' | GradientMethod
  /** Barnes-Hut opening angle. */
  theta: number
  frameEvery: number
}

/** t-SNE's options for one job: learning rates resolved for n, the gradient chosen by the backend. */
export interface JobTsneOptions extends Omit<TsneOptions, 'learningRate' | 'gradient'> {
  /** Learning rate of the early-exaggeration phase. */
  learningRate: number
  /** Learning rate of the main phase. */
  mainLearningRate: number
  gradient: GradientMethod
}

/** The learning rates of both phases for n points (see TsneOptions.learningRate). */
export function learningRates(n: number, o: Pick<TsneOptions, 'learningRate' | 'earlyExaggeration' | 'lateExaggeration'>): { learningRate: number; mainLearningRate: number } {
  const auto = (exaggeration: number) => Math.max(n / exaggeration, 50)
  return {
    learningRate: o.learningRate === 'auto' ? auto(o.earlyExaggeration) : o.learningRate,
    mainLearningRate: o.learningRate === 'auto' ? auto(o.lateExaggeration) : o.learningRate,
  }
}
