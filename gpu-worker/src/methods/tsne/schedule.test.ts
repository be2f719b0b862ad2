import { describe, expect, it } from 'vitest'
import type { Segment, TsneSteps } from './kernels.ts'
import { KL_EVERY, runSchedule, type ScheduleOptions } from './schedule.ts'

/** Steps that move every coordinate by 1 per iteration and record what the schedule asked of them. */
function recordingSteps(n: number, abortAfter?: { controller: AbortController; iteration: number }) {
  const log: (Segment | 'reset')[] = []
  const frame = new Float32Array(n)
  let done = 0
  const steps: TsneSteps = {
    async run(segment) {
      log.push(segment)
      let completed = 0
      while (completed < segment.iterations) {
        if (abortAfter?.controller.signal.aborted) break
        completed++
        done++
        frame.fill(done)
        if (abortAfter && done === abortAfter.iteration) abortAfter.controller.abort()
      }
      return { completed, kl: completed === segment.iterations && segment.reportKl ? 1000 / done : undefined }
    },
    resetMomentum: () => void log.push('reset'),
    frame: () => frame,
    dispose: () => undefined,
  }
  return { steps, log }
}

const OPTIONS: ScheduleOptions = { iterations: 130, earlyExaggeration: 12, earlyExaggerationIterations: 60, lateExaggeration: 1, learningRate: 10, mainLearningRate: 120, earlyMomentum: 0.5, momentum: 0.8, minGain: 0.01, frameEvery: 25 }

describe('runSchedule', () => {
  it('runs the early phase then the main one, in segments ending at frame boundaries and phase ends, momentum reset at each', async () => {
    const { steps, log } = recordingSteps(4)
    const frames: [number, string, number | undefined, number][] = []
    const result = await runSchedule(steps, OPTIONS, { onFrame: (f) => void frames.push([f.iteration, f.phase, f.kl, f.embedding[0]!]) })
    const segments = log.map((entry) => (entry === 'reset' ? 'reset' : [entry.iterations, entry.exaggeration, entry.momentum, entry.learningRate, entry.reportKl]))
    expect(segments).toEqual([
      'reset',
      [25, 12, 0.5, 10, false],
      [25, 12, 0.5, 10, true],
      [10, 12, 0.5, 10, true],
      'reset',
      [15, 1, 0.8, 120, false],
      [25, 1, 0.8, 120, true],
      [25, 1, 0.8, 120, false],
      [5, 1, 0.8, 120, true],
    ])
    // a frame after iteration 0 and after every segment, carrying the last KL; the map is the steps' own
    expect(frames).toEqual([
      [0, 'early', undefined, 0],
      [25, 'early', undefined, 25],
      [50, 'early', 1000 / 50, 50],
      [60, 'early', 1000 / 60, 60],
      [75, 'main', 1000 / 60, 75],
      [100, 'main', 1000 / 100, 100],
      [125, 'main', 1000 / 100, 125],
      [130, 'main', 1000 / 130, 130],
    ])
    expect(result.klHistory.map((h) => h.iteration)).toEqual([50, 60, 100, 130])
    expect(result.klHistory.every((h) => h.iteration % KL_EVERY === 0 || h.iteration === 60 || h.iteration === 130)).toBe(true)
    expect(result).toMatchObject({ iterations: 130, cancelled: false, kl: 1000 / 130 })
    expect(Array.from(result.embedding)).toEqual([130, 130, 130, 130])
  })

  it('skips an empty early phase and starts frames in the main one', async () => {
    const { steps, log } = recordingSteps(2)
    const phases: string[] = []
    await runSchedule(steps, { ...OPTIONS, iterations: 30, earlyExaggerationIterations: 0 }, { onFrame: (f) => void phases.push(f.phase) })
    expect(log.filter((entry) => entry === 'reset')).toHaveLength(1)
    expect(phases).toEqual(['main', 'main', 'main'])
  })

  it('stops at the iteration the signal aborts in, with a frame there, and says so', async () => {
    const controller = new AbortController()
    const { steps, log } = recordingSteps(3, { controller, iteration: 40 })
    const frames: number[] = []
    const result = await runSchedule(steps, OPTIONS, { signal: controller.signal, onFrame: (f) => void frames.push(f.iteration) })
    expect(frames).toEqual([0, 25, 40])
    expect(result).toMatchObject({ iterations: 40, cancelled: true, klHistory: [] })
    // no main phase once aborted
    expect(log.filter((entry) => entry === 'reset')).toHaveLength(1)
  })
})
