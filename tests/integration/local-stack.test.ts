import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FakeWorker, TestClient } from '../src/api-client.ts'
import { mnistDigits, npyFloat32 } from '../src/fixtures.ts'
import { startServiceStack, type ServiceStack } from '../src/service-stack.ts'

const LEASE_MS = 90_000

/** Uploads 100 MNIST digits, queues a t-SNE job with `iterations`, and waits until a worker has sent two frames. */
async function runningJob(client: TestClient, iterations: number): Promise<string> {
  const digits = mnistDigits(100)
  const features = await client.uploadVerified('features.npy', npyFloat32(digits.features, [digits.n, digits.d]), 'features')
  const created = await client.request('POST', '/api/v1/jobs', { features, params: { perplexity: 20, iterations } })
  expect(created.status).toBe(201)
  const jobId: string = created.body.job.id
  const deadline = Date.now() + 90_000
  while (((await client.request('GET', `/api/v1/jobs/${jobId}`)).body.job.progress?.frames ?? 0) < 2) {
    if (Date.now() > deadline) throw new Error('the stack\'s worker never sent frames')
    await new Promise((r) => setTimeout(r, 200))
  }
  return jobId
}

describe('the local stack (npm start)', () => {
  it('stops its worker first, so the running job is handed back and a restarted stack leases it again at once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'constellate-stop-'))
    const said: string[] = []
    let first: ServiceStack | null = null
    let second: ServiceStack | null = null
    try {
      first = await startServiceStack({}, { dataDir, workers: 1, report: (line) => said.push(line) })
      const jobId = await runningJob(new TestClient(first.url), 5000)
      await first.dispose()
      first = null
      expect(said).toEqual(['stopping worker-1…', `worker-1 handed back ${jobId}`, 'stopping edge…', 'stopping storage…'])

      // Same D1 state, no worker: had the release not reached the edge, the job would still hold its 90 s lease
      // and this lease request would get nothing.
      second = await startServiceStack({}, { dataDir })
      const leased = await new FakeWorker(second.url, 'after-restart').lease(0)
      expect(leased.status).toBe(200)
      expect(leased.body.job.id).toBe(jobId)
      expect(leased.body.lease.attempt).toBe(1)
    } finally {
      await first?.dispose()
      await second?.dispose()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })

  it('restarts a worker killed with SIGKILL, and the new one finishes the job the killed one held', async () => {
    const said: string[] = []
    const stack = await startServiceStack({}, { workers: 1, report: (line) => said.push(line) })
    try {
      const client = new TestClient(stack.url)
      const jobId = await runningJob(client, 3000)
      const worker = stack.workers[0]!
      const killed = worker.process
      killed.kill('SIGKILL')
      const deadline = Date.now() + 30_000
      while (worker.process === killed) {
        if (Date.now() > deadline) throw new Error('the killed worker was not restarted')
        await new Promise((r) => setTimeout(r, 100))
      }
      expect(said).toEqual(['worker-1 exited (signal SIGKILL); restarting in 1 s'])
      expect(worker.restarts).toBe(1)
      expect((await client.request('GET', `/api/v1/jobs/${jobId}`)).body.job).toMatchObject({ status: 'running', attempt: 1 })

      // The killed worker said no goodbye: its lease has to expire before the job is queued again.
      await stack.advanceClock(LEASE_MS + 1000)
      const job = await client.waitForJob(jobId, 180_000)
      expect(job).toMatchObject({ status: 'succeeded', attempt: 2, error: null })
      const manifest = (await client.request('GET', `/api/v1/jobs/${jobId}/manifest.json`)).body
      // a worker's default id starts with its process id
      expect(manifest.worker.id).toMatch(new RegExp(`^worker-${worker.process.pid}-`))
      expect(worker.process.exitCode).toBeNull()
    } finally {
      await stack.dispose()
    }
  })
})
