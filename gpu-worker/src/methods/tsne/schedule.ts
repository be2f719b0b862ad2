/**
 * @module methods/tsne/schedule — t-SNE's optimisation schedule, the same on every backend: an
 * early-exaggeration phase, then the normal phase (with optional late exaggeration), each from reset
 * momentum and gains, run in segments that end at every frameEvery-th iteration and at the phase's end;
 * a frame after iteration 0 and after every segment, the KL divergence at the segment ends that report it,
 * and a stop at the next iteration once the signal aborts. The backend's steps (kernels.ts) do the
 * iterations.
 */
import type { OptimiseHooks, OptimiseResult } from '../method.ts'
import type { Segment, TsneSteps } from './kernels.ts'

export interface ScheduleOptions {
  /** Total iterations, early phase included. */
  iterations: number
  earlyExaggeration: number
  earlyExaggerationIterations: number
  lateExaggeration: number
  /** Learning rate of the early-exaggeration phase. */
  learningRate: number
  /** Learning rate of the main phase (defaults to learningRate). */
  mainLearningRate?: number
  earlyMomentum: number
  momentum: number
  minGain: number
  frameEvery: number
}

/**
 * The KL divergence costs a logarithm per edge (10 ms of CPU at MNIST-10k's 1.2M edges, half an
 * iteration), so it is computed every KL_EVERY iterations and at the end of each phase, on the
 * iterations that end a segment; frames in between carry the last value.
 */
export const KL_EVERY = 50

/** Whether the iteration that brings the count to `done` computes the KL divergence. */
export function reportsKl(done: number, phaseEnd: number): boolean {
  return done % KL_EVERY === 0 || done === phaseEnd
}

/** Runs both phases on `steps`; frames after iteration 0, every `frameEvery` iterations and at the end. */
export async function runSchedule(steps: TsneSteps, options: ScheduleOptions, hooks: OptimiseHooks = {}): Promise<OptimiseResult> {
  const aborted = () => hooks.signal?.aborted === true
  const total = options.iterations
  const early = Math.min(options.earlyExaggerationIterations, total)
  let iteration = 0
  let kl = NaN
  const klHistory: { iteration: number; kl: number }[] = []
  await hooks.onFrame?.({ iteration: 0, totalIterations: total, embedding: steps.frame(), phase: early > 0 ? 'early' : 'main' })
  const phases = [
    { end: early, exaggeration: options.earlyExaggeration, momentum: options.earlyMomentum, learningRate: options.learningRate, phase: 'early' as const },
    { end: total, exaggeration: options.lateExaggeration, momentum: options.momentum, learningRate: options.mainLearningRate ?? options.learningRate, phase: 'main' as const },
  ]
  for (const phase of phases) {
    if (iteration >= phase.end || aborted()) continue
    steps.resetMomentum()
    while (iteration < phase.end && !aborted()) {
      const next = Math.min(phase.end, (Math.floor(iteration / options.frameEvery) + 1) * options.frameEvery)
      const segment: Segment = {
        iterations: next - iteration,
        exaggeration: phase.exaggeration,
        momentum: phase.momentum,
        learningRate: phase.learningRate,
        minGain: options.minGain,
        reportKl: reportsKl(next, phase.end),
      }
      const done = await steps.run(segment)
      iteration += done.completed
      if (done.completed === segment.iterations && segment.reportKl && done.kl !== undefined) {
        kl = done.kl
        klHistory.push({ iteration, kl })
      }
      await hooks.onFrame?.({ iteration, totalIterations: total, embedding: steps.frame(), kl: Number.isNaN(kl) ? undefined : kl, phase: phase.phase })
    }
  }
  return { embedding: Float32Array.from(steps.frame()), iterations: iteration, cancelled: iteration < total, kl, klHistory }
}
