import { afterEach, describe, expect, it, vi } from 'vitest'
import { JobParams, WorkerAnswerError, type LeasedJob, type UploadRef } from '@constellate/shared'
import { EDGE_RETRY, EdgeClient, StaleLeaseError } from './edge-client.ts'

const features: UploadRef = { id: 'upl_1', key: 'uploads/ws/upl_1', filename: 'x.npy', size: 10, info: null }
const job: LeasedJob = {
  lease: { leaseId: 'lease_1', fence: 7, expiresAt: 0, attempt: 1 },
  job: {
    id: 'job_1',
    params: JobParams.parse({}),
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

const RUNNING = { cancel: false, status: 'running', leaseExpiresAt: 1_700_000_000_000 }

/** Stubs fetch: each call takes the next status (200 answers `body`), and its URL and init are recorded. */
function answers(statuses: number[], body: unknown = RUNNING) {
  const calls: { url: string; init: RequestInit }[] = []
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init })
    const status = statuses.shift() ?? 200
    return new Response(status === 200 ? JSON.stringify(body) : status === 204 ? null : 'Your worker restarted mid-request.', { status })
  })
  return calls
}

describe("the worker's edge client", () => {
  afterEach(() => vi.unstubAllGlobals())
  EDGE_RETRY.firstDelayMs = 1

  it('retries a heartbeat through transient 503s from a restarting edge', async () => {
    const calls = answers([503, 503, 200])
    await expect(new EdgeClient('http://edge', 's').heartbeat(job)).resolves.toEqual(RUNNING)
    expect(calls).toHaveLength(3)
    expect(calls[0]!.url).toBe('http://edge/api/v1/worker/jobs/job_1/heartbeat')
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ leaseId: 'lease_1', fence: 7 })
  })

  it('gives up after a bounded number of attempts', async () => {
    const calls = answers(Array(10).fill(503))
    await expect(new EdgeClient('http://edge', 's').complete(job, { kl: 1, iterations: 10, warnings: [] })).rejects.toThrow(/503/)
    expect(calls).toHaveLength(EDGE_RETRY.attempts)
  })

  it('does not retry a lease request, and reports a stale lease as StaleLeaseError', async () => {
    const calls = answers([503])
    await expect(new EdgeClient('http://edge', 's').lease('w', 0)).rejects.toThrow(/503/)
    expect(calls).toHaveLength(1)
    answers([409])
    await expect(new EdgeClient('http://edge', 's').heartbeat(job)).rejects.toBeInstanceOf(StaleLeaseError)
  })

  it('reads a lease through the contract: a job, none (204), or an answer of another API version refused by field', async () => {
    const calls = answers([200], job)
    await expect(new EdgeClient('http://edge', 's').lease('w', 5)).resolves.toEqual(job)
    expect(calls[0]!.url).toBe('http://edge/api/v1/worker/lease')
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ workerId: 'w', waitSeconds: 5 })
    answers([204])
    await expect(new EdgeClient('http://edge', 's').lease('w', 5)).resolves.toBeNull()
    const { metadataKey: _, ...older } = job.job
    answers([200], { lease: job.lease, job: older })
    await expect(new EdgeClient('http://edge', 's').lease('w', 5)).rejects.toThrow(WorkerAnswerError)
    answers([200], { lease: job.lease, job: older })
    await expect(new EdgeClient('http://edge', 's').lease('w', 5)).rejects.toThrow(/job\.metadataKey/)
  })

  it('refuses a heartbeat answer that does not say whether to cancel', async () => {
    answers([200], { status: 'running' })
    await expect(new EdgeClient('http://edge', 's').heartbeat(job)).rejects.toThrow(/cancel/)
  })

  it('names the lease in the query of a frame post', async () => {
    const calls = answers([200], { seq: 0, viewers: 1 })
    await new EdgeClient('http://edge', 's').frame(job, new Uint8Array([1, 2, 3]))
    expect(calls[0]!.url).toBe('http://edge/api/v1/worker/jobs/job_1/frames?leaseId=lease_1&fence=7')
    expect(calls[0]!.init.headers).toMatchObject({ 'content-type': 'application/octet-stream', authorization: 'Bearer s' })
  })
})
