import { PutObjectCommand } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeFrame } from '@constellate/shared'
import { FakeWorker, TestClient } from '../src/api-client.ts'
import { blobs, mnistDigits, npyFloat32, npyInt32 } from '../src/fixtures.ts'
import { startServiceStack, type ServiceStack } from '../src/service-stack.ts'

const LEASE_MS = 90_000

describe('a job service that loses nothing', () => {
  let stack: ServiceStack
  let client: TestClient
  let smallFeatures: string

  beforeAll(async () => {
    stack = await startServiceStack({ RATE_LIMIT_PER_MINUTE: '400' })
    client = new TestClient(stack.url)
    const { features } = blobs(120, 6, 3)
    smallFeatures = await client.uploadVerified('features.npy', npyFloat32(features, [120, 6]), 'features')
  })
  afterAll(async () => {
    await stack?.dispose()
  })

  async function queueJob(params: Record<string, unknown> = { perplexity: 10 }): Promise<string> {
    const res = await client.request('POST', '/api/v1/jobs', { features: smallFeatures, params })
    expect(res.status).toBe(201)
    return res.body.job.id
  }

  async function leaseJob(worker: FakeWorker, jobId: string) {
    const res = await worker.lease(5)
    expect(res.status).toBe(200)
    expect(res.body.job.id).toBe(jobId)
    return res.body as { lease: { leaseId: string; fence: number; attempt: number }; job: { resultsPrefix: string } }
  }

  describe('leases and retries', () => {
    it('rejects a stale worker\'s late completion and leaves the newer result untouched', async () => {
      const jobId = await queueJob()
      const stale = new FakeWorker(stack.url, 'stale')
      const fresh = new FakeWorker(stack.url, 'fresh')
      const first = await leaseJob(stale, jobId)
      expect(first.lease.attempt).toBe(1)

      const { reclaimed } = await stack.advanceClock(LEASE_MS + 1000)
      expect(reclaimed).toBeGreaterThanOrEqual(1)
      const second = await leaseJob(fresh, jobId)
      expect(second.lease.attempt).toBe(2)
      expect(second.lease.fence).toBeGreaterThan(first.lease.fence)
      expect(second.job.resultsPrefix).toBe(`jobs/${jobId}/attempts/2`)

      const embedding = new Float32Array(240).map((_, i) => i)
      await stack.s3.send(new PutObjectCommand({ Bucket: 'constellate', Key: `${second.job.resultsPrefix}/embedding.npy`, Body: npyFloat32(embedding, [120, 2]) }))
      const done = await fresh.call(`/jobs/${jobId}/complete`, { leaseId: second.lease.leaseId, fence: second.lease.fence, kl: 1.5, iterations: 750 })
      expect(done.status).toBe(200)
      const again = await fresh.call(`/jobs/${jobId}/complete`, { leaseId: second.lease.leaseId, fence: second.lease.fence, kl: 1.5, iterations: 750 })
      expect(again.status).toBe(200)
      expect(again.body.job.status).toBe('succeeded')

      // The stale worker wakes up: every call it makes is refused and changes nothing.
      const staleRef = { leaseId: first.lease.leaseId, fence: first.lease.fence }
      const late = await stale.call(`/jobs/${jobId}/complete`, { ...staleRef, kl: 9, iterations: 750 })
      expect(late.status).toBe(409)
      expect(late.body.error.code).toBe('stale_lease')
      expect((await stale.call(`/jobs/${jobId}/heartbeat`, staleRef)).status).toBe(409)
      expect((await stale.call(`/jobs/${jobId}/fail`, { ...staleRef, error: { code: 'x', message: 'late' } })).status).toBe(409)
      const frame = encodeFrame({ iteration: 1, dims: 2, n: 120, kl: 0, coords: new Float32Array(240) })
      const framePost = await fetch(`${stack.url}/api/v1/worker/jobs/${jobId}/frames?leaseId=${staleRef.leaseId}&fence=${staleRef.fence}`, {
        method: 'POST',
        headers: { authorization: 'Bearer local-worker-secret' },
        body: Buffer.from(frame),
      })
      expect(framePost.status).toBe(409)

      const job = (await client.request('GET', `/api/v1/jobs/${jobId}`)).body.job
      expect(job).toMatchObject({ status: 'succeeded', attempt: 2, error: null })
      const npy = await client.request('GET', `/api/v1/jobs/${jobId}/embedding.npy`)
      expect(Buffer.from(npy.body).equals(Buffer.from(npyFloat32(embedding, [120, 2])))).toBe(true)
    })

    it('fails a job with its last error once the retry cap is reached', async () => {
      const jobId = await queueJob()
      const worker = new FakeWorker(stack.url, 'flaky')
      for (let attempt = 1; attempt <= 3; attempt++) {
        const leased = await leaseJob(worker, jobId)
        expect(leased.lease.attempt).toBe(attempt)
        const res = await worker.call(`/jobs/${jobId}/fail`, {
          leaseId: leased.lease.leaseId,
          fence: leased.lease.fence,
          error: { code: 'worker_error', message: `GPU fell over (try ${attempt})` },
          retryable: true,
        })
        expect(res.body.job.status).toBe(attempt < 3 ? 'queued' : 'failed')
      }
      const job = (await client.request('GET', `/api/v1/jobs/${jobId}`)).body.job
      expect(job).toMatchObject({ status: 'failed', attempt: 3, error: { code: 'worker_error', message: 'GPU fell over (try 3)' } })
      expect((await worker.lease(0)).status).toBe(204)
    })

    it('fails a job whose workers keep vanishing after three expired leases', async () => {
      const jobId = await queueJob()
      const worker = new FakeWorker(stack.url, 'vanishing')
      for (let attempt = 1; attempt <= 3; attempt++) {
        expect((await leaseJob(worker, jobId)).lease.attempt).toBe(attempt)
        await stack.advanceClock(LEASE_MS + 1000)
      }
      const job = (await client.request('GET', `/api/v1/jobs/${jobId}`)).body.job
      expect(job.status).toBe('failed')
      expect(job.error.code).toBe('worker_lost')
      expect(job.error.message).toMatch(/stopped responding 3 times/)
    })

    it('fails a job with a user error on its first attempt, without retrying', async () => {
      const jobId = await queueJob()
      const worker = new FakeWorker(stack.url, 'strict')
      const leased = await leaseJob(worker, jobId)
      const res = await worker.call(`/jobs/${jobId}/fail`, {
        leaseId: leased.lease.leaseId,
        fence: leased.lease.fence,
        error: { code: 'non_finite_features', message: 'Features contain NaN at row 3, column 1.' },
        retryable: false,
      })
      expect(res.body.job).toMatchObject({ status: 'failed', attempt: 1, error: { code: 'non_finite_features' } })
      expect((await worker.lease(0)).status).toBe(204)
    })

    it('extends a lease with heartbeats so a slow but live worker keeps its job', async () => {
      const jobId = await queueJob()
      const worker = new FakeWorker(stack.url, 'slow')
      const leased = await leaseJob(worker, jobId)
      for (let i = 0; i < 3; i++) {
        await stack.advanceClock(LEASE_MS / 2)
        const beat = await worker.call(`/jobs/${jobId}/heartbeat`, { leaseId: leased.lease.leaseId, fence: leased.lease.fence })
        expect(beat.status).toBe(200)
        expect(beat.body.cancel).toBe(false)
      }
      const job = (await client.request('GET', `/api/v1/jobs/${jobId}`)).body.job
      expect(job).toMatchObject({ status: 'running', attempt: 1 })
      await client.request('POST', `/api/v1/jobs/${jobId}/cancel`)
      const beat = await worker.call(`/jobs/${jobId}/heartbeat`, { leaseId: leased.lease.leaseId, fence: leased.lease.fence })
      expect(beat.body.cancel).toBe(true)
    })

    it('re-leases the job of a worker killed mid-job and completes it, with attempt 2 and one result', async () => {
      const digits = mnistDigits(100)
      const features = await client.uploadVerified('features.npy', npyFloat32(digits.features, [digits.n, digits.d]), 'features')
      const labels = await client.uploadVerified('labels.npy', npyInt32(digits.labels), 'labels')
      const created = await client.request('POST', '/api/v1/jobs', { features, labels, params: { perplexity: 20, iterations: 1500 } })
      const jobId = created.body.job.id
      const doomed = stack.startWorker({ WORKER_ID: 'doomed' })
      const deadline = Date.now() + 60_000
      while (((await client.request("GET", `/api/v1/jobs/${jobId}`)).body.job.progress?.frames ?? 0) < 2) {
        if (Date.now() > deadline) throw new Error('the first worker never sent frames')
        await new Promise((r) => setTimeout(r, 200))
      }
      doomed.kill('SIGKILL') // no goodbye: no fail, no release
      await new Promise((r) => doomed.once('exit', r))
      expect((await client.request('GET', `/api/v1/jobs/${jobId}`)).body.job).toMatchObject({ status: 'running', attempt: 1 })

      await stack.advanceClock(LEASE_MS + 1000)
      expect((await client.request('GET', `/api/v1/jobs/${jobId}`)).body.job.status).toBe('queued')
      const rescuer = stack.startWorker({ WORKER_ID: 'rescuer' })
      try {
        const job = await client.waitForJob(jobId, 120_000)
        expect(job).toMatchObject({ status: 'succeeded', attempt: 2, error: null })
        expect(await stack.objectExists(`jobs/${jobId}/attempts/2/embedding.npy`)).toBe(true)
        expect(await stack.listKeys(`jobs/${jobId}/attempts/1/`)).toEqual([])
        const frames = (await client.request('GET', `/api/v1/jobs/${jobId}/frames`)).body.frames
        expect(frames.length).toBe(job.progress!.frames)
        expect(frames[0].iteration).toBe(0)
        const manifest = (await client.request('GET', `/api/v1/jobs/${jobId}/manifest.json`)).body
        expect(manifest.attempt).toBe(2)
        expect(manifest.worker.id).toBe('rescuer')
      } finally {
        rescuer.kill('SIGTERM')
      }
    })

    it('stops a running job when the user cancels it, keeping the last frame', async () => {
      const digits = mnistDigits(100)
      const features = await client.uploadVerified('features.npy', npyFloat32(digits.features, [digits.n, digits.d]), 'features')
      const created = await client.request('POST', '/api/v1/jobs', { features, params: { perplexity: 20, iterations: 5000 } })
      const jobId = created.body.job.id
      const worker = stack.startWorker({ WORKER_ID: 'canceller' })
      try {
        const deadline = Date.now() + 60_000
        while (((await client.request("GET", `/api/v1/jobs/${jobId}`)).body.job.progress?.frames ?? 0) < 2) {
          if (Date.now() > deadline) throw new Error('the worker never sent frames')
          await new Promise((r) => setTimeout(r, 200))
        }
        const cancelled = await client.request('POST', `/api/v1/jobs/${jobId}/cancel`)
        expect(cancelled.body.job.status).toBe('cancelled')
        // The worker notices at its next frame or heartbeat and moves on to the next job.
        const nextJob = await queueJob({ perplexity: 10, iterations: 100 })
        expect((await client.waitForJob(nextJob, 60_000)).status).toBe('succeeded')
        const job = (await client.request('GET', `/api/v1/jobs/${jobId}`)).body.job
        expect(job.status).toBe('cancelled')
        const frames = (await client.request('GET', `/api/v1/jobs/${jobId}/frames`)).body.frames
        expect(frames.length).toBeGreaterThanOrEqual(2)
        const last = await client.request('GET', `/api/v1/jobs/${jobId}/frames/${frames.at(-1).seq}`)
        expect(last.status).toBe(200)
        expect(last.body.byteLength).toBeGreaterThan(100)
      } finally {
        worker.kill('SIGTERM')
      }
    })
  })

  describe('worker operations', () => {
    it('hands the job back on SIGTERM: the worker exits cleanly and the job is queued again without counting the attempt', async () => {
      const digits = mnistDigits(100)
      const features = await client.uploadVerified('features.npy', npyFloat32(digits.features, [digits.n, digits.d]), 'features')
      const jobId = (await client.request('POST', '/api/v1/jobs', { features, params: { perplexity: 20, iterations: 3000 } })).body.job.id
      const leaving = stack.startWorker({ WORKER_ID: 'leaving', WORKER_HEALTH_PORT: '0' })
      const deadline = Date.now() + 60_000
      while (((await client.request('GET', `/api/v1/jobs/${jobId}`)).body.job.progress?.frames ?? 0) < 2) {
        if (Date.now() > deadline) throw new Error('the worker never sent frames')
        await new Promise((r) => setTimeout(r, 200))
      }
      const exited = new Promise<number | null>((r) => leaving.once('exit', r))
      leaving.kill('SIGTERM')
      expect(await exited).toBe(0)
      expect((await client.request('GET', `/api/v1/jobs/${jobId}`)).body.job).toMatchObject({ status: 'queued', attempt: 0 })
      await client.request('POST', `/api/v1/jobs/${jobId}/cancel`)
    })

    it('exposes queue depth and active leases as Prometheus metrics to holders of the worker secret', async () => {
      const jobId = await queueJob()
      const denied = await fetch(`${stack.url}/api/v1/metrics`)
      expect(denied.status).toBe(401)
      const read = async () => (await (await fetch(`${stack.url}/api/v1/metrics`, { headers: { authorization: 'Bearer local-worker-secret' } })).text())
      const before = await read()
      const queued = Number(/constellate_jobs\{status="queued"\} (\d+)/.exec(before)![1])
      expect(queued).toBeGreaterThanOrEqual(1)
      const worker = new FakeWorker(stack.url, 'metrics')
      await leaseJob(worker, jobId)
      const after = await read()
      expect(Number(/constellate_jobs\{status="queued"\} (\d+)/.exec(after)![1])).toBe(queued - 1)
      expect(Number(/constellate_leases_active (\d+)/.exec(after)![1])).toBeGreaterThanOrEqual(1)
      await client.request('POST', `/api/v1/jobs/${jobId}/cancel`)
    })
  })

  describe('Idempotency-Key', () => {
    it('returns the same job for the same key within 24 hours, and a new one after', async () => {
      const key = `run-${Date.now()}`
      const first = await client.request('POST', '/api/v1/jobs', { features: smallFeatures, params: { perplexity: 10 } }, { 'idempotency-key': key })
      const second = await client.request('POST', '/api/v1/jobs', { features: smallFeatures, params: { perplexity: 10 } }, { 'idempotency-key': key })
      expect(first.status).toBe(201)
      expect(second.status).toBe(200)
      expect(second.body.job.id).toBe(first.body.job.id)
      const other = await client.request('POST', '/api/v1/jobs', { features: smallFeatures, params: { perplexity: 10 } }, { 'idempotency-key': `${key}-b` })
      expect(other.body.job.id).not.toBe(first.body.job.id)
      const [a, b] = await Promise.all([0, 1].map(() => client.request('POST', '/api/v1/jobs', { features: smallFeatures, params: { perplexity: 10 } }, { 'idempotency-key': `${key}-race` })))
      expect(a!.body.job.id).toBe(b!.body.job.id)
      await stack.advanceClock(24 * 3600 * 1000 + 1000)
      const later = await client.request('POST', '/api/v1/jobs', { features: smallFeatures, params: { perplexity: 10 } }, { 'idempotency-key': key })
      expect(later.status).toBe(201)
      expect(later.body.job.id).not.toBe(first.body.job.id)
      for (const id of [first.body.job.id, other.body.job.id, a!.body.job.id, later.body.job.id]) await client.request('POST', `/api/v1/jobs/${id}/cancel`)
    })
  })
})
