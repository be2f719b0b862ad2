import { afterEach, describe, expect, it, vi } from 'vitest'
import { EDGE_RETRY, EdgeClient, StaleLeaseError, type LeasedJob } from './edge-client.ts'

const job = { lease: { leaseId: 'lease_1', fence: 7, expiresAt: 0, attempt: 1 }, job: { id: 'job_1' } } as unknown as LeasedJob

function answers(...statuses: number[]) {
  const calls: string[] = []
  vi.stubGlobal('fetch', async (url: string) => {
    calls.push(url)
    const status = statuses.shift() ?? 200
    return new Response(status === 200 ? JSON.stringify({ cancel: false }) : 'Your worker restarted mid-request.', { status })
  })
  return calls
}

describe("the worker's edge client", () => {
  afterEach(() => vi.unstubAllGlobals())
  EDGE_RETRY.firstDelayMs = 1

  it('retries a heartbeat through transient 503s from a restarting edge', async () => {
    const calls = answers(503, 503, 200)
    await expect(new EdgeClient('http://edge', 's').heartbeat(job)).resolves.toEqual({ cancel: false })
    expect(calls).toHaveLength(3)
  })

  it('gives up after a bounded number of attempts', async () => {
    const calls = answers(...Array(10).fill(503))
    await expect(new EdgeClient('http://edge', 's').complete(job, { kl: 1, iterations: 10, warnings: [] })).rejects.toThrow(/503/)
    expect(calls).toHaveLength(EDGE_RETRY.attempts)
  })

  it('does not retry a lease request, and reports a stale lease as StaleLeaseError', async () => {
    const calls = answers(503)
    await expect(new EdgeClient('http://edge', 's').lease('w', 0)).rejects.toThrow(/503/)
    expect(calls).toHaveLength(1)
    answers(409)
    await expect(new EdgeClient('http://edge', 's').heartbeat(job)).rejects.toBeInstanceOf(StaleLeaseError)
  })
})
