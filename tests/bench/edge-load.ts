/**
 * @module `npm run bench:edge`: the job service under load on this machine. 20 clients submit 200 small jobs
 * at once to a stack with 2 workers; 50 live viewers watch one larger job. Checks that no job is lost or run
 * twice and that every viewer gets every frame; reports p50/p99 latency of job status reads under that load.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { startStack, ROOT } from '../../scripts/local-stack.ts'
import { TestClient } from '../src/api-client.ts'
import { blobs, mnistDigits, npyFloat32 } from '../src/fixtures.ts'

const CLIENTS = 20
const JOBS_PER_CLIENT = 10
const VIEWERS = 50

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

const dataDir = mkdtempSync(join(tmpdir(), 'constellate-load-'))
// Workers start once the viewers are connected, so every frame of the watched job is sent to all of them.
const logDir = join(ROOT, 'bench-results', 'edge-load-logs')
rmSync(logDir, { recursive: true, force: true })
const stack = await startStack({ port: 0, s3Port: 0, dataDir, workers: 0, logDir, edgeVars: { RATE_LIMIT_PER_MINUTE: '100000' } })
const started = performance.now()
try {
  // One larger job that 50 viewers watch from before it starts.
  const owner = new TestClient(stack.url)
  const digits = mnistDigits(100)
  const watchedUpload = await owner.uploadVerified('features.npy', npyFloat32(digits.features, [digits.n, digits.d]), 'features')
  const watched = (await owner.request('POST', '/api/v1/jobs', { features: watchedUpload, params: { perplexity: 20, iterations: 1000 } })).body.job.id as string
  const cookie = (owner as unknown as { cookie: string }).cookie
  const received: Set<number>[] = []
  const sockets = await Promise.all(
    Array.from({ length: VIEWERS }, (_, v) => {
      received[v] = new Set()
      return new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(`${stack.url.replace('http', 'ws')}/api/v1/jobs/${watched}/live`, { headers: { cookie } })
        socket.binaryType = 'nodebuffer'
        socket.on('message', (data, isBinary) => {
          if (isBinary) received[v]!.add((data as Buffer).readUInt32LE(8))
        })
        socket.once('open', () => resolve(socket))
        socket.once('error', reject)
      })
    }),
  )

  stack.startWorker({ WORKER_ID: 'load-1' })
  stack.startWorker({ WORKER_ID: 'load-2' })

  // 20 clients, 10 jobs each, all at once.
  const clients = Array.from({ length: CLIENTS }, () => new TestClient(stack.url))
  const { features } = blobs(60, 8, 3)
  const uploads = await Promise.all(clients.map((c) => c.uploadVerified('features.npy', npyFloat32(features, [60, 8]), 'features')))
  const submitStart = performance.now()
  const jobIds = (
    await Promise.all(
      clients.map((client, i) =>
        Promise.all(
          Array.from({ length: JOBS_PER_CLIENT }, async (_, j) => {
            const res = await client.request('POST', '/api/v1/jobs', { features: uploads[i], params: { perplexity: 10, iterations: 100, seed: j } }, { 'idempotency-key': `load-${i}-${j}` })
            if (res.status !== 201) throw new Error(`submit failed: ${res.status} ${JSON.stringify(res.body)}`)
            return [i, res.body.job.id as string] as const
          }),
        ),
      ),
    )
  ).flat()
  const submitSeconds = (performance.now() - submitStart) / 1000

  // Status reads under load until everything has finished.
  const latencies: number[] = []
  let failedReads = 0
  const pending = new Set(jobIds.map(([, id]) => id))
  const final = new Map<string, { status: string; attempt: number }>()
  const deadline = Date.now() + 20 * 60_000
  while (pending.size && Date.now() < deadline) {
    await Promise.all(
      [...pending].slice(0, 40).map(async (id) => {
        const owner = jobIds.find(([, j]) => j === id)![0]
        const t0 = performance.now()
        const res = await clients[owner]!.request('GET', `/api/v1/jobs/${id}`)
        latencies.push(performance.now() - t0)
        if (res.status !== 200 || !res.body?.job) {
          failedReads++
          return
        }
        const { status, attempt } = res.body.job
        if (['succeeded', 'failed', 'cancelled'].includes(status)) {
          pending.delete(id)
          final.set(id, { status, attempt })
        }
      }),
    )
  }
  const watchedJob = await owner.waitForJob(watched, 10 * 60_000)
  for (const socket of sockets) socket.close()
  const frames = (await owner.request('GET', `/api/v1/jobs/${watched}/frames`)).body.frames as { iteration: number }[]
  const frameIterations = new Set(frames.map((f) => f.iteration))

  const succeeded = [...final.values()].filter((j) => j.status === 'succeeded').length
  const retried = [...final.values()].filter((j) => j.attempt !== 1).length
  const manifests = await Promise.all(jobIds.map(async ([i, id]) => (await clients[i]!.request('GET', `/api/v1/jobs/${id}/manifest.json`)).body))
  const duplicated = manifests.filter((m, k) => m.job !== jobIds[k]![1] || m.attempt !== 1).length
  for (const [k, m] of manifests.entries()) if (m.attempt !== 1) console.log(`job ${jobIds[k]![1]} needed attempt ${m.attempt} (see ${logDir})`)
  const viewersWithAll = received.filter((set) => [...frameIterations].every((it) => set.has(it))).length
  latencies.sort((a, b) => a - b)
  const result = {
    jobs: jobIds.length,
    succeeded,
    lost: jobIds.length - final.size,
    retriedOrDuplicated: retried + duplicated,
    submitSeconds,
    totalSeconds: (performance.now() - started) / 1000,
    statusReads: latencies.length,
    statusReadsFailed: failedReads,
    statusP50ms: percentile(latencies, 50),
    statusP99ms: percentile(latencies, 99),
    watchedJob: watchedJob.status,
    watchedFrames: frames.length,
    viewers: VIEWERS,
    viewersWithEveryFrame: viewersWithAll,
  }
  console.table(result)
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true })
  writeFileSync(join(ROOT, 'bench-results', 'edge-load.json'), JSON.stringify(result, null, 2))
  const ok = result.succeeded === result.jobs && result.lost === 0 && result.retriedOrDuplicated === 0 && viewersWithAll === VIEWERS && watchedJob.status === 'succeeded'
  console.log(ok ? 'PASS: none lost or duplicated; every viewer received every frame.' : 'FAIL: see the table above.')
  process.exitCode = ok ? 0 : 1
} finally {
  await stack.stop()
  rmSync(dataDir, { recursive: true, force: true })
}
