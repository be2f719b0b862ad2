import { describe, expect, it } from 'vitest'
import { Job } from '@constellate/shared'
import { ConstellateClient } from './client.ts'
import { ConstellateError } from './errors.ts'
import { parseRetryAfter, retryDelayMs, RETRY_DEFAULTS } from './retry.ts'

const JOB = Job.parse({
  id: 'job_1',
  status: 'queued',
  params: {},
  features: 'upl_1',
  labels: null,
  n: 200,
  d: 10,
  attempt: 1,
  progress: null,
  error: null,
  warnings: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  results: null,
})

type Answer = Response | Error
interface Call {
  url: string
  method: string
  headers: Record<string, string>
  body: string | undefined
}

/** A fetch that answers from a script and records what it was asked, plus a sleep that only records. */
function stub(answers: Answer[]) {
  const calls: Call[] = []
  const sleeps: number[] = []
  const fetch = (async (url: string, init: RequestInit = {}) => {
    calls.push({ url, method: init.method ?? 'GET', headers: { ...(init.headers as Record<string, string>) }, body: init.body as string | undefined })
    const answer = answers.shift()
    if (!answer) throw new Error('stub fetch: no more answers')
    if (answer instanceof Error) throw answer
    return answer
  }) as typeof globalThis.fetch
  const client = new ConstellateClient({
    baseUrl: 'http://api.test',
    token: 'cst_test',
    fetch,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms)
    },
  })
  return { client, calls, sleeps }
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })
const apiError = (status: number, code: string, headers: Record<string, string> = {}) => json(status, { error: { code, message: `${code} happened` } }, headers)

describe('retries', () => {
  it('retries a GET after 503 and a network error, then returns the job', async () => {
    const { client, calls, sleeps } = stub([apiError(503, 'unavailable'), new TypeError('fetch failed'), json(200, { job: JOB })])
    const job = await client.getJob('job_1')
    expect(job.id).toBe('job_1')
    expect(calls).toHaveLength(3)
    expect(calls[0]!.headers.authorization).toBe('Bearer cst_test')
    // Full jitter with random() = 0.5: half of 500 ms, then half of 1000 ms.
    expect(sleeps).toEqual([250, 500])
  })

  it('waits as long as Retry-After says on a 429, plus a little jitter', async () => {
    const { client, sleeps } = stub([apiError(429, 'rate_limited', { 'retry-after': '3' }), json(200, { jobs: [JOB] })])
    const jobs = await client.listJobs()
    expect(jobs).toHaveLength(1)
    expect(sleeps).toHaveLength(1)
    expect(sleeps[0]).toBeGreaterThanOrEqual(3000)
    expect(sleeps[0]).toBeLessThanOrEqual(3000 + 1000)
  })

  it('gives up at once when Retry-After is longer than the client is willing to wait', async () => {
    const { client, calls, sleeps } = stub([apiError(429, 'rate_limited', { 'retry-after': '3600' })])
    const error = await client.getJob('job_1').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConstellateError)
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', retryAfterSeconds: 3600 })
    expect(calls).toHaveLength(1)
    expect(sleeps).toEqual([])
  })

  it('stops after the bounded number of retries and throws the last error', async () => {
    const answers = Array.from({ length: RETRY_DEFAULTS.retries + 1 }, () => apiError(502, 'bad_gateway'))
    const { client, calls, sleeps } = stub(answers)
    await expect(client.getJob('job_1')).rejects.toMatchObject({ status: 502, code: 'bad_gateway' })
    expect(calls).toHaveLength(RETRY_DEFAULTS.retries + 1)
    expect(sleeps).toHaveLength(RETRY_DEFAULTS.retries)
    for (let i = 1; i < sleeps.length; i++) expect(sleeps[i]).toBeGreaterThanOrEqual(sleeps[i - 1]!)
  })

  it('never retries a POST that is not idempotent after a 500, but does after a 429', async () => {
    const failing = stub([apiError(500, 'internal_error')])
    await expect(failing.client.createLink('job_1')).rejects.toMatchObject({ status: 500 })
    expect(failing.calls).toHaveLength(1)

    const limited = stub([apiError(429, 'rate_limited', { 'retry-after': '1' }), json(201, { link: { id: 'lnk_1', jobId: 'job_1', token: 't', url: '/v/t', createdAt: 'now', expiresAt: null, revokedAt: null } })])
    const link = await limited.client.createLink('job_1')
    expect(link.url).toBe('/v/t')
    expect(limited.calls).toHaveLength(2)
  })

  it('retries job creation because it always carries an Idempotency-Key, the same one each time', async () => {
    const { client, calls } = stub([apiError(503, 'unavailable'), new TypeError('socket hang up'), json(201, { job: JOB })])
    const { job, created } = await client.createJob({ features: 'upl_1' })
    expect(job.id).toBe('job_1')
    expect(created).toBe(true)
    expect(calls).toHaveLength(3)
    const keys = calls.map((call) => call.headers['idempotency-key'])
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/)
    expect(new Set(keys).size).toBe(1)
  })

  it('sends the caller\'s Idempotency-Key and reports an existing job as not created', async () => {
    const { client, calls } = stub([json(200, { job: JOB })])
    const { created } = await client.createJob({ features: 'upl_1' }, { idempotencyKey: 'run-42' })
    expect(created).toBe(false)
    expect(calls[0]!.headers['idempotency-key']).toBe('run-42')
  })

  it('does not retry client errors, and keeps the API error code and message', async () => {
    const { client, calls } = stub([apiError(404, 'job_not_found')])
    await expect(client.getJob('job_x')).rejects.toMatchObject({ name: 'ConstellateError', status: 404, code: 'job_not_found', message: 'job_not_found happened' })
    expect(calls).toHaveLength(1)
  })

  it('turns an answer of the wrong shape into invalid_response naming the field', async () => {
    const { client } = stub([json(200, { job: { ...JOB, status: 'exploded' } })])
    const error = (await client.getJob('job_1').catch((e: unknown) => e)) as ConstellateError
    expect(error.code).toBe('invalid_response')
    expect(error.message).toContain('job.status')
  })

  it('retries storage PUTs (idempotent) without sending the API token to storage', async () => {
    const { client, calls } = stub([
      json(201, { upload: { id: 'upl_1', kind: 'features', filename: 'f.csv', size: 4, status: 'pending', info: null, createdAt: 'now' }, uploadUrl: 'http://s3.test/put', method: 'PUT', expiresAt: 'later', multipart: null }),
      new Response('busy', { status: 503 }),
      new Response(null, { status: 200, headers: { etag: '"abc"' } }),
      json(200, { upload: { id: 'upl_1', kind: 'features', filename: 'f.csv', size: 4, status: 'verified', info: { format: 'csv', rows: 2, cols: 1, dtype: null }, createdAt: 'now' } }),
    ])
    const bytes = new TextEncoder().encode('1\n2\n')
    const progress: number[] = []
    const upload = await client.uploadFile({ name: 'f.csv', size: 4, slice: (a, b) => bytes.subarray(a, b) }, { kind: 'features', onProgress: (sent) => progress.push(sent) })
    expect(upload.status).toBe('verified')
    const puts = calls.filter((call) => call.url === 'http://s3.test/put')
    expect(puts).toHaveLength(2)
    expect(puts[0]!.headers.authorization).toBeUndefined()
    expect(progress.at(-1)).toBe(4)
  })
})

describe('Retry-After and backoff arithmetic', () => {
  it('reads delta seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(parseRetryAfter('2', now)).toBe(2000)
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000)
    expect(parseRetryAfter('soon', now)).toBeNull()
    expect(parseRetryAfter(null, now)).toBeNull()
  })

  it('caps exponential backoff at maxDelayMs and never waits for a Retry-After past maxRetryAfterMs', () => {
    const options = { ...RETRY_DEFAULTS, baseDelayMs: 100, maxDelayMs: 1000 }
    expect(retryDelayMs(10, null, options, () => 1)).toBe(1000)
    expect(retryDelayMs(0, null, options, () => 0)).toBe(0)
    expect(retryDelayMs(0, 120_000, options, () => 0)).toBeNull()
  })
})
