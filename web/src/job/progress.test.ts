import { describe, expect, it } from 'vitest'
import { Job, type Frame } from '@constellate/shared'
import { runProgress } from './progress.ts'

function job(status: Job['status'], progress: Partial<NonNullable<Job['progress']>> | null): Job {
  return Job.parse({
    id: 'job_1',
    status,
    params: { iterations: 1000 },
    features: 'upl_1',
    labels: null,
    n: 200,
    d: 10,
    attempt: 1,
    progress: progress && { stage: 'optimizing', iteration: 0, totalIterations: 750, kl: null, frames: 0, labelsReady: false, ...progress },
    error: null,
    warnings: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    results: null,
  })
}

const frame = (iteration: number, kl: number): Frame => ({ iteration, kl, dims: 2, n: 1, coords: new Float32Array(2) })

describe('run progress', () => {
  it('counts iterations of the worker\'s total while running, with its KL', () => {
    expect(runProgress(job('running', { iteration: 300, kl: 2.5 }), frame(250, 2.7), null)).toEqual({ total: 750, done: 300, iteration: 300, kl: 2.5, percent: 40 })
  })

  it('takes the KL from the frame on screen when the worker did not report one, and the requested total before the worker\'s', () => {
    expect(runProgress(job('running', { iteration: 100 }), frame(100, 3.25), null).kl).toBe(3.25)
    expect(runProgress(job('queued', null), null, null)).toEqual({ total: 1000, done: 0, iteration: 0, kl: null, percent: 0 })
  })

  it('is complete once the job succeeded, and never past the total', () => {
    expect(runProgress(job('succeeded', { iteration: 700 }), null, null)).toMatchObject({ done: 750, iteration: 750, percent: 100 })
    expect(runProgress(job('running', { iteration: 900 }), null, null)).toMatchObject({ done: 750, percent: 100 })
  })

  it('shows a replayed frame\'s own iteration and KL, falling back to the stored KL', () => {
    const ended = job('succeeded', { iteration: 750, kl: 1.1 })
    expect(runProgress(ended, frame(200, 2), { frame: frame(200, 2), stored: { seq: 3, iteration: 200, kl: 2.1 } })).toEqual({ total: 750, done: 750, iteration: 200, kl: 2, percent: 27 })
    expect(runProgress(ended, frame(200, Number.NaN), { frame: frame(200, Number.NaN), stored: { seq: 3, iteration: 200, kl: 2.1 } }).kl).toBe(2.1)
    expect(runProgress(ended, frame(200, Number.NaN), { frame: frame(200, Number.NaN), stored: undefined }).kl).toBeNull()
  })
})
