/** @module The worker process: lease jobs from the edge forever, run them, stop cleanly on SIGTERM. */
import { configFromEnv } from './config.ts'
import { EdgeClient } from './edge-client.ts'
import { runJob } from './job-runner.ts'
import { ObjectStore } from './object-store.ts'

const config = configFromEnv()
const log = (message: string, fields: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ time: new Date().toISOString(), worker: config.workerId, message, ...fields }))

const edge = new EdgeClient(config.edgeUrl, config.workerSecret)
const store = new ObjectStore(config.s3)
let stopping = false
process.on('SIGTERM', () => { stopping = true })
process.on('SIGINT', () => { stopping = true })

log('worker started', { edge: config.edgeUrl, backend: config.backend })
while (!stopping) {
  try {
    const leased = await edge.lease(config.workerId, config.leaseWaitSeconds)
    if (!leased) continue
    log('leased job', { job: leased.job.id, attempt: leased.lease.attempt })
    await runJob({ edge, store, workerId: config.workerId, backend: config.backend, log }, leased)
  } catch (err) {
    log('lease loop error', { error: String(err) })
    await new Promise((r) => setTimeout(r, 2000))
  }
}
store.destroy()
log('worker stopped')
process.exit(0)
