/**
 * @module The worker process: lease jobs from the edge and run them one at a time (run/run-job.ts); on
 * SIGTERM, hand the job in hand back (release its lease), or one leased after the signal, and exit.
 * Logs are one JSON object per line; scripts/worker-pool.ts reads some of them.
 */
import { createServer } from 'node:http'
import { configFromEnv } from './config.ts'
import { startEngine } from './engine.ts'
import { EdgeClient } from './edge-client.ts'
import { runJob } from './run/run-job.ts'
import { ObjectStore } from './object-store.ts'

const config = configFromEnv()
const log = (message: string, fields: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ time: new Date().toISOString(), worker: config.workerId, message, ...fields }))

const edge = new EdgeClient(config.edgeUrl, config.workerSecret)
const store = new ObjectStore(config.s3)
const shutdown = new AbortController()
const state: { phase: 'starting' | 'idle' | 'busy' | 'stopping'; job: string | null; jobsDone: number } = { phase: 'starting', job: null, jobsDone: 0 }

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (shutdown.signal.aborted) return
    log('shutting down', { signal, job: state.job })
    // still warming up: no job in hand, nothing to hand back, so don't finish the warm-up first
    if (state.phase === 'starting') process.exit(0)
    state.phase = 'stopping'
    shutdown.abort()
  })
}

const health = config.healthPort
  ? createServer((req, res) => {
      const ok = req.url === '/healthz' && state.phase !== 'stopping'
      res.writeHead(req.url === '/healthz' ? (ok ? 200 : 503) : 404, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ ok, ...state, worker: config.workerId, backend: config.backend }))
    }).listen(config.healthPort)
  : null

// the CPU engine's threads start, and its kernels are compiled, before the first job (every backend uses
// them for some stages)
const warmStart = performance.now()
try {
  await startEngine(0, { warm: config.warmUp })
  log('engine ready', { warmUp: config.warmUp, seconds: Number(((performance.now() - warmStart) / 1000).toFixed(2)) })
} catch (err) {
  // the warm-up only saves the first job some time: a failure here is the first job's to report
  log('engine warm-up failed', { error: String(err) })
}
if (state.phase === 'starting') state.phase = 'idle'
log('worker started', { edge: config.edgeUrl, backend: config.backend })
while (!shutdown.signal.aborted) {
  try {
    // The long poll is not cut short on SIGTERM: the edge's queue would still lease the next job to this
    // worker after it left (the job then waits for its lease to expire, and loses an attempt). A job that
    // comes after the signal is handed back at once instead (run/lifecycle.ts).
    const leased = await edge.lease(config.workerId, config.leaseWaitSeconds)
    if (!leased) continue
    state.phase = 'busy'
    state.job = leased.job.id
    log('leased job', { job: leased.job.id, attempt: leased.lease.attempt })
    await runJob({ edge, store, workerId: config.workerId, backend: config.backend, log, maxInputBytes: config.maxInputBytes }, leased, shutdown.signal)
    state.jobsDone++
  } catch (err) {
    if (shutdown.signal.aborted) break // shutting down: no retry, and no job in hand
    log('lease loop error', { error: String(err) })
    await pause(2000, shutdown.signal)
  } finally {
    state.job = null
    if (!shutdown.signal.aborted) state.phase = 'idle'
  }
}
store.destroy()
health?.close()
log('worker stopped')
process.exit(0)

/** Waits `ms`, or less when `signal` aborts first. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
  })
}
