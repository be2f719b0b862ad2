import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { JobParams, OnnxModelError, decodeFrame, type HeartbeatAnswer, type LeasedJob, type UploadRef } from '@constellate/shared'
import { TsneInputError } from '../engine.ts'
import { StaleLeaseError } from '../edge-client.ts'
import { InputError } from '../inputs/index.ts'
import { ModelError } from '../inference/errors.ts'
import { ResultCheckError } from '../result-check.ts'
import { LIFECYCLE_LOG, runLifecycle, type Completion, type Run, type RunContext } from './lifecycle.ts'

/** The lease lasts 3 s, so the lifecycle heartbeats every second. */
const LEASE_MS = 3000

function leased(): LeasedJob {
  const features: UploadRef = { id: 'upl_1', key: 'uploads/ws/upl_1', filename: 'x.npy', size: 10, info: null }
  return {
    lease: { leaseId: 'lease_1', fence: 2, expiresAt: Date.now() + LEASE_MS, attempt: 1 },
    job: {
      id: 'job_1',
      params: JobParams.parse({ dims: 2 }),
      attempt: 1,
      features,
      labels: null,
      resultsPrefix: 'jobs/job_1/attempts/1',
      labelsKey: 'jobs/job_1/labels.json',
      featureFiles: [features],
      metadata: null,
      metadataKey: 'jobs/job_1/metadata.json',
      model: null,
    },
  }
}

/**
 * An edge that records every call; `answer` says how the timer's heartbeats (those without progress) are
 * answered, `frame`/`complete`/`fail`/`release` may be replaced to fail.
 */
function stubEdge() {
  const calls = {
    heartbeats: [] as (object | undefined)[],
    frames: [] as Uint8Array[],
    completed: [] as object[],
    failed: [] as { code: string; message: string; retryable: boolean }[],
    released: 0,
  }
  let answer: () => HeartbeatAnswer = () => ({ cancel: false, status: 'running' })
  const edge: RunContext['edge'] = {
    heartbeat: async (_, progress) => {
      calls.heartbeats.push(progress)
      return progress ? { cancel: false, status: 'running' } : answer()
    },
    frame: async (_, bytes) => void calls.frames.push(bytes),
    complete: async (_, summary) => void calls.completed.push(summary),
    fail: async (_, error, retryable) => void calls.failed.push({ ...error, retryable }),
    release: async () => void calls.released++,
  }
  const logs: { message: string; fields?: Record<string, unknown> }[] = []
  const ctx: RunContext = {
    edge,
    store: { get: async () => new Uint8Array(), put: async () => undefined },
    workerId: 'w',
    backend: 'cpu',
    log: (message, fields) => void logs.push({ message, fields }),
  }
  const messages = () => logs.map((l) => l.message)
  return { ctx, edge, calls, logs, messages, answerWith: (next: () => HeartbeatAnswer) => (answer = next) }
}

/** Steps that wait until the run's signal aborts, then stop where a job's steps would. */
const untilStopped = async (run: Run): Promise<Completion> => {
  await new Promise((resolve) => run.signal.addEventListener('abort', resolve))
  run.checkpoint()
  throw new Error('checkpoint() did not stop the run')
}

/** A frame of a 2-point map after `iteration`. */
const frame = (iteration: number, kl?: number) => ({ iteration, totalIterations: 750, embedding: Float32Array.of(1, 2, 3, 4), kl, phase: 'main' as const })

const COMPLETION: Completion = { kl: 1.25, iterations: 500, warnings: [{ code: 'not_converged', message: 'The KL divergence was still falling.', numbers: { dropPer50: 0.05 } }] }

describe('the run lifecycle', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] }))
  afterEach(() => vi.useRealTimers())

  it('completes with the map\'s numbers and warnings, then heartbeats no more', async () => {
    const { ctx, calls, logs } = stubEdge()
    await runLifecycle(ctx, leased(), async (run) => {
      await run.report({ stage: 'reading inputs' })
      await vi.advanceTimersByTimeAsync(2500)
      return { ...COMPLETION, logFields: { layers: 2 } }
    })
    expect(calls.completed).toEqual([{ kl: 1.25, iterations: 500, warnings: COMPLETION.warnings }])
    expect(calls.heartbeats).toEqual([{ stage: 'reading inputs' }, undefined, undefined])
    await vi.advanceTimersByTimeAsync(5000)
    expect(calls.heartbeats).toHaveLength(3)
    expect(logs.at(-1)).toMatchObject({ message: 'job succeeded', fields: { job: 'job_1', layers: 2 } })
    expect(calls.failed).toEqual([])
  })

  it('stops a cancelled job at its next checkpoint: no results, no failure, no hand-back', async () => {
    const { ctx, calls, messages, answerWith } = stubEdge()
    answerWith(() => ({ cancel: true, status: 'cancelled' }))
    const run = runLifecycle(ctx, leased(), untilStopped)
    await vi.advanceTimersByTimeAsync(1000)
    await run
    expect(calls.heartbeats).toEqual([undefined])
    expect([calls.completed, calls.failed, calls.released]).toEqual([[], [], 0])
    expect(messages()).toEqual(['job cancelled'])
  })

  describe('on shutdown', () => {
    it('hands the job back: the lease is released, with the log line the worker pool waits for', async () => {
      const { ctx, calls, logs } = stubEdge()
      const shutdown = new AbortController()
      const run = runLifecycle(ctx, leased(), untilStopped, shutdown.signal)
      shutdown.abort()
      await run
      expect(calls.released).toBe(1)
      expect([calls.completed, calls.failed]).toEqual([[], []])
      expect(logs).toEqual([{ message: 'releasing job: shutting down', fields: { job: 'job_1' } }])
      expect(LIFECYCLE_LOG.releasing).toBe('releasing job: shutting down')
    })

    it('hands back a job leased after the signal without starting it', async () => {
      const { ctx, calls } = stubEdge()
      const shutdown = new AbortController()
      shutdown.abort()
      const steps = vi.fn(untilStopped)
      await runLifecycle(ctx, leased(), steps, shutdown.signal)
      expect(steps).not.toHaveBeenCalled()
      expect(calls.released).toBe(1)
      expect(calls.heartbeats).toEqual([])
    })

    it('says so when the hand-back fails: the lease then expires', async () => {
      const { ctx, edge, calls, messages } = stubEdge()
      edge.release = async () => {
        throw new Error('edge unreachable')
      }
      const shutdown = new AbortController()
      const run = runLifecycle(ctx, leased(), untilStopped, shutdown.signal)
      shutdown.abort()
      await run
      expect(messages()).toEqual(['releasing job: shutting down', 'could not release job; its lease will expire'])
      expect(calls.failed).toEqual([])
    })
  })

  describe('when the lease is lost', () => {
    it('drops everything once a heartbeat hears the lease is stale', async () => {
      const { ctx, calls, messages, answerWith } = stubEdge()
      answerWith(() => {
        throw new StaleLeaseError('stale_lease')
      })
      const run = runLifecycle(ctx, leased(), untilStopped)
      await vi.advanceTimersByTimeAsync(1000)
      await run
      expect([calls.completed, calls.failed, calls.released]).toEqual([[], [], 0])
      expect(messages()).toEqual(['lease lost; dropping results'])
    })

    it('drops everything once a frame post hears it, and when completing does', async () => {
      const { ctx, edge, calls, messages } = stubEdge()
      edge.frame = async () => {
        throw new StaleLeaseError('stale_lease')
      }
      await runLifecycle(ctx, leased(), async (run) => {
        await run.embedHooks({ frames: 2 }).onFrame!(frame(50, 3))
        expect(run.signal.aborted).toBe(true)
        run.checkpoint()
        return COMPLETION
      })
      edge.complete = async () => {
        throw new StaleLeaseError('stale_lease')
      }
      await runLifecycle(ctx, leased(), async () => COMPLETION)
      expect([calls.failed, calls.released]).toEqual([[], 0])
      expect(messages()).toEqual(['lease lost; dropping results', 'lease lost; dropping results'])
    })
  })

  describe('on failure', () => {
    const userErrors = [
      new InputError('feature_dims_mismatch', '"b.npy" has 2 columns but "a.npy" has 3.'),
      new TsneInputError('perplexity_too_large', 'Perplexity 30 needs at least 91 points.'),
      new ResultCheckError('The run finished but its KL divergence is NaN.'),
      new ModelError('model_input_mismatch', 'The model expects input "x" of shape [N, 10].'),
      new OnnxModelError('onnx_not_protobuf', 'This is not an ONNX model.'),
    ]
    for (const err of userErrors) {
      it(`fails the job at once with the user's error for a ${err.name}`, async () => {
        const { ctx, calls, logs } = stubEdge()
        await runLifecycle(ctx, leased(), async () => {
          throw err
        })
        expect(calls.failed).toEqual([{ code: err.code, message: err.message, retryable: false }])
        expect(logs).toEqual([{ message: 'job failed', fields: { job: 'job_1', code: err.code, message: err.message, retryable: false } }])
      })
    }

    it('reports anything else as the worker\'s own error, to be retried', async () => {
      const { ctx, calls } = stubEdge()
      await runLifecycle(ctx, leased(), async () => {
        throw new Error('ENOSPC: no space left on device')
      })
      expect(calls.failed).toEqual([{ code: 'worker_error', message: 'The worker hit an unexpected error: ENOSPC: no space left on device', retryable: true }])
      expect(calls.completed).toEqual([])
    })

    it('says so when the failure cannot be reported', async () => {
      const { ctx, edge, messages } = stubEdge()
      edge.fail = async () => {
        throw new Error('edge /jobs/job_1/fail answered 503')
      }
      await runLifecycle(ctx, leased(), async () => {
        throw new Error('boom')
      })
      expect(messages()).toEqual(['job failed', 'could not report failure'])
    })
  })

  describe('for the steps', () => {
    it('posts each iteration\'s frame once, with the job\'s dims, and only logs a frame that did not go through', async () => {
      const { ctx, edge, calls, messages } = stubEdge()
      await runLifecycle(ctx, leased(), async (run) => {
        const { onFrame } = run.embedHooks({ frames: 2 })
        await onFrame!(frame(10, 2.5))
        await onFrame!(frame(10, 2.5))
        await onFrame!(frame(20))
        edge.frame = async () => {
          throw new Error('edge answered 500')
        }
        await onFrame!(frame(30))
        expect(run.signal.aborted).toBe(false)
        return COMPLETION
      })
      expect(calls.frames.map((bytes) => decodeFrame(bytes)).map(({ iteration, n, dims, kl }) => ({ iteration, n, dims, kl }))).toEqual([
        { iteration: 10, n: 2, dims: 2, kl: 2.5 },
        { iteration: 20, n: 2, dims: 2, kl: Number.NaN },
      ])
      expect(messages()).toEqual(['frame post failed', 'job succeeded'])
    })

    it('reports stages with the map\'s prefix, passes the signal and start layout, and posts no frames unless asked', async () => {
      const { ctx, calls } = stubEdge()
      const initial = Float64Array.of(0, 1)
      await runLifecycle(ctx, leased(), async (run) => {
        const hooks = run.embedHooks({ stagePrefix: 'layer 2/3: ', initial })
        expect(hooks.onFrame).toBeUndefined()
        expect(hooks.signal).toBe(run.signal)
        expect(hooks.initial).toBe(initial)
        hooks.onStage!('knn')
        await run.progress('inference 4/4', { labelsReady: true })
        return COMPLETION
      })
      expect(calls.heartbeats).toEqual([{ stage: 'layer 2/3: knn' }, { stage: 'inference 4/4', labelsReady: true }])
    })

    it('sums the seconds of a stage run more than once', async () => {
      const { ctx } = stubEdge()
      let timings: Record<string, number> = {}
      await runLifecycle(ctx, leased(), async (run) => {
        for (const ms of [200, 300]) await run.time('embed', () => vi.advanceTimersByTimeAsync(ms))
        await run.time('neighbours', () => vi.advanceTimersByTimeAsync(50))
        timings = run.timings
        return COMPLETION
      })
      expect(timings.embed).toBeCloseTo(0.5, 2)
      expect(timings.neighbours).toBeCloseTo(0.05, 2)
    })
  })
})
