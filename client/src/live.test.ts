import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { encodeFrame, Job, type JobStatus } from '@constellate/shared'
import { ConstellateError } from './errors.ts'
import type { JobRef } from './job-ref.ts'
import { followJob, type ConnectionState, type WatchDeps, type WebSocketLike } from './live.ts'
import type { FrameInfo } from './schemas.ts'

function job(status: JobStatus, iteration = 0): Job {
  return Job.parse({
    id: 'job_1',
    status,
    params: {},
    features: 'upl_1',
    labels: null,
    n: 3,
    d: 2,
    attempt: 1,
    progress: status === 'running' ? { stage: 'optimizing', iteration, totalIterations: 750, kl: null, frames: 0, labelsReady: false } : null,
    error: null,
    warnings: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    results: null,
  })
}

function frameBytes(iteration: number): Uint8Array {
  return encodeFrame({ iteration, dims: 2, n: 3, kl: 1.5, coords: new Float32Array([0, 0, 1, 1, 2, 2]) })
}

class FakeSocket implements WebSocketLike {
  binaryType = 'blob'
  onopen: WebSocketLike['onopen'] = null
  onmessage: WebSocketLike['onmessage'] = null
  onclose: WebSocketLike['onclose'] = null
  onerror: WebSocketLike['onerror'] = null
  closed = false
  constructor(
    readonly url: string,
    readonly headers: Record<string, string>,
  ) {}
  close(): void {
    this.closed = true
  }
  open(): void {
    this.onopen?.({})
  }
  status(current: Job): void {
    this.onmessage?.({ data: JSON.stringify({ type: 'status', job: current }) })
  }
  frame(bytes: Uint8Array): void {
    const copy = bytes.slice()
    this.onmessage?.({ data: copy.buffer })
  }
  drop(): void {
    this.onerror?.({})
    this.onclose?.({})
  }
}

/** Deps answering status reads from a queue (the last answer repeats) and recording every call. */
function fakeDeps(statuses: (Job | Error)[], stored: { frames: FrameInfo[]; bytes: Map<number, Uint8Array> } = { frames: [], bytes: new Map() }) {
  const sockets: FakeSocket[] = []
  const reads: JobRef[] = []
  const frameReads: number[] = []
  const deps: WatchDeps = {
    getJob: async (ref) => {
      reads.push(ref)
      const answer = statuses.length > 1 ? statuses.shift()! : statuses[0]!
      if (answer instanceof Error) throw answer
      return answer
    },
    listFrames: async () => stored.frames,
    getFrame: async (_ref, seq) => {
      frameReads.push(seq)
      return stored.bytes.get(seq)!
    },
    liveUrl: (ref) => (typeof ref === 'string' ? `ws://host/api/v1/jobs/${ref}/live` : `ws://host/api/v1/shared/${ref.shared}/live`),
    headers: () => ({ authorization: 'Bearer cst_x' }),
    webSocket: (url, headers) => {
      const socket = new FakeSocket(url, headers)
      sockets.push(socket)
      return socket
    },
  }
  return { deps, sockets, reads, frameReads }
}

describe('following a job', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('reads the status first, then takes status and frames from the socket until the job ends', async () => {
    const { deps, sockets } = fakeDeps([job('running')])
    const statuses: JobStatus[] = []
    const iterations: number[] = []
    const states: ConnectionState[] = []
    const follow = followJob(deps, 'job_1', {
      onStatus: (current) => statuses.push(current.status),
      onFrame: (header) => iterations.push(header.iteration),
      onConnection: (state) => states.push(state),
      pollWithSocketMs: Number.POSITIVE_INFINITY,
    })
    await vi.advanceTimersByTimeAsync(0)
    expect(sockets).toHaveLength(1)
    expect(sockets[0]!.url).toBe('ws://host/api/v1/jobs/job_1/live')
    expect(sockets[0]!.headers).toEqual({ authorization: 'Bearer cst_x' })
    expect(sockets[0]!.binaryType).toBe('arraybuffer')
    sockets[0]!.open()
    sockets[0]!.frame(frameBytes(50))
    sockets[0]!.frame(frameBytes(100))
    sockets[0]!.status(job('succeeded'))
    await expect(follow.done).resolves.toMatchObject({ status: 'succeeded' })
    expect(statuses).toEqual(['running', 'succeeded'])
    expect(iterations).toEqual([50, 100])
    expect(states).toEqual(['connecting', 'live', 'closed'])
    expect(sockets[0]!.closed).toBe(true)
  })

  it('opens no socket for a job that has already ended', async () => {
    const { deps, sockets } = fakeDeps([job('failed')])
    const states: ConnectionState[] = []
    const ended = await followJob(deps, { shared: 'tok' }, { onConnection: (state) => states.push(state) }).done
    expect(ended.status).toBe('failed')
    expect(sockets).toHaveLength(0)
    expect(states).toEqual(['closed'])
  })

  it('polls and fetches the newest stored frame when the socket drops, then reconnects with backoff', async () => {
    const stored = { frames: [{ seq: 0, iteration: 10 }, { seq: 1, iteration: 20 }] as FrameInfo[], bytes: new Map([[1, frameBytes(20)]]) }
    const { deps, sockets, reads, frameReads } = fakeDeps([job('running', 10)], stored)
    const iterations: number[] = []
    const states: ConnectionState[] = []
    const follow = followJob(deps, 'job_1', {
      onFrame: (header) => iterations.push(header.iteration),
      onConnection: (state) => states.push(state),
      framesWhileDown: true,
      pollWithSocketMs: Number.POSITIVE_INFINITY,
      pollWithoutSocketMs: Number.POSITIVE_INFINITY,
      random: () => 1,
    })
    await vi.advanceTimersByTimeAsync(0)
    sockets[0]!.open()
    sockets[0]!.frame(frameBytes(10))
    expect(reads).toHaveLength(1)
    sockets[0]!.drop()
    await vi.advanceTimersByTimeAsync(0)
    // One poll at once: the status and the stored frame newer than the last one seen.
    expect(reads).toHaveLength(2)
    expect(frameReads).toEqual([1])
    expect(iterations).toEqual([10, 20])
    expect(sockets).toHaveLength(1)
    // The first reconnect waits 500 ms (random() = 1 gives the full delay).
    await vi.advanceTimersByTimeAsync(499)
    expect(sockets).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(sockets).toHaveLength(2)
    sockets[1]!.drop()
    await vi.advanceTimersByTimeAsync(999)
    expect(sockets).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(sockets).toHaveLength(3)
    // A message on the new socket resets the backoff.
    sockets[2]!.open()
    sockets[2]!.status(job('running', 30))
    sockets[2]!.drop()
    await vi.advanceTimersByTimeAsync(500)
    expect(sockets).toHaveLength(4)
    expect(states).toEqual(['connecting', 'live', 'reconnecting', 'live', 'reconnecting'])
    follow.stop()
    await expect(follow.done).rejects.toMatchObject({ code: 'aborted' })
    expect(states.at(-1)).toBe('closed')
  })

  it('polls alone when told not to use the socket', async () => {
    const { deps, sockets, reads } = fakeDeps([job('queued'), job('running'), job('succeeded')])
    const follow = followJob(deps, 'job_1', { live: false, pollWithoutSocketMs: 1000 })
    await vi.advanceTimersByTimeAsync(0)
    expect(reads).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1000)
    expect(reads).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1000)
    await expect(follow.done).resolves.toMatchObject({ status: 'succeeded' })
    expect(reads).toHaveLength(3)
    expect(sockets).toHaveLength(0)
  })

  it('polls as a safety net while the socket is open', async () => {
    const { deps, sockets, reads } = fakeDeps([job('running'), job('running'), job('cancelled')])
    const follow = followJob(deps, 'job_1', { pollWithSocketMs: 5000 })
    await vi.advanceTimersByTimeAsync(0)
    sockets[0]!.open()
    await vi.advanceTimersByTimeAsync(5000)
    expect(reads).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(5000)
    await expect(follow.done).resolves.toMatchObject({ status: 'cancelled' })
    expect(sockets[0]!.closed).toBe(true)
  })

  it('keeps the socket a moment after the end for a frame still on its way', async () => {
    const { deps, sockets } = fakeDeps([job('running')])
    const iterations: number[] = []
    const states: ConnectionState[] = []
    const follow = followJob(deps, 'job_1', { lingerMs: 1500, onFrame: (header) => iterations.push(header.iteration), onConnection: (state) => states.push(state) })
    await vi.advanceTimersByTimeAsync(0)
    sockets[0]!.open()
    sockets[0]!.status(job('succeeded'))
    await follow.done
    sockets[0]!.frame(frameBytes(750))
    expect(iterations).toEqual([750])
    expect(sockets[0]!.closed).toBe(false)
    await vi.advanceTimersByTimeAsync(1500)
    expect(sockets[0]!.closed).toBe(true)
    expect(states).toEqual(['connecting', 'live', 'closed'])
  })

  it('ends with the API error when the job is unknown, and keeps trying after a network error when told to', async () => {
    const missing = new ConstellateError(404, 'job_not_found', 'No job with id job_1.')
    await expect(followJob(fakeDeps([missing]).deps, 'job_1').done).rejects.toBe(missing)

    const offline = new ConstellateError(0, 'network_error', 'Could not reach the server.')
    await expect(followJob(fakeDeps([offline]).deps, 'job_1').done).rejects.toBe(offline)

    const { deps, reads, sockets } = fakeDeps([offline, offline, job('running')])
    const seen: unknown[] = []
    followJob(deps, 'job_1', { onReadError: (error) => seen.push(error), random: () => 1 })
    await vi.advanceTimersByTimeAsync(0)
    expect(seen).toEqual([offline])
    await vi.advanceTimersByTimeAsync(500)
    expect(seen).toEqual([offline, offline])
    await vi.advanceTimersByTimeAsync(1000)
    expect(reads).toHaveLength(3)
    expect(sockets).toHaveLength(1)
  })

  it('stops when the caller aborts', async () => {
    const { deps, sockets } = fakeDeps([job('running')])
    const controller = new AbortController()
    const follow = followJob(deps, 'job_1', { signal: controller.signal })
    await vi.advanceTimersByTimeAsync(0)
    controller.abort(new Error('enough'))
    await expect(follow.done).rejects.toThrow('enough')
    expect(sockets[0]!.closed).toBe(true)
  })

  it('ignores text that is not a status message and binary data that is not a frame', async () => {
    const { deps, sockets } = fakeDeps([job('running')])
    const frames: number[] = []
    const statuses: JobStatus[] = []
    followJob(deps, 'job_1', { onFrame: (header) => frames.push(header.iteration), onStatus: (current) => statuses.push(current.status) })
    await vi.advanceTimersByTimeAsync(0)
    sockets[0]!.open()
    sockets[0]!.onmessage?.({ data: 'pong' })
    sockets[0]!.onmessage?.({ data: JSON.stringify({ type: 'status', job: { id: 'x' } }) })
    sockets[0]!.onmessage?.({ data: new Uint8Array([1, 2, 3]).buffer })
    expect(frames).toEqual([])
    expect(statuses).toEqual(['running'])
  })
})
