import { spawn, type ChildProcess } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { exited } from './process-group.ts'
import { WORKER_RESTART, WorkerPool, parseWorkerLine, restartDelay, type StackWorker } from './worker-pool.ts'

/**
 * Stand-in worker processes: plain node scripts that log as gpu-worker does, each printing a first line once its
 * SIGTERM handler is in place. The real worker runs in tests/integration/local-stack.test.ts.
 */
const FAKE_WORKERS: Record<string, string> = {
  // holds job_a; on SIGTERM hands it back and exits 0
  busy: `
    const log = (message, fields = {}) => console.log(JSON.stringify({ message, ...fields }))
    process.on('SIGTERM', () => {
      log('shutting down', { signal: 'SIGTERM', job: 'job_a' })
      setTimeout(() => { log('releasing job: shutting down', { job: 'job_a' }); process.exit(0) }, 100)
    })
    log('leased job', { job: 'job_a', attempt: 1 })
    setInterval(() => {}, 1000)`,
  // like busy, but the edge refuses the release
  refused: `
    const log = (message, fields = {}) => console.log(JSON.stringify({ message, ...fields }))
    process.on('SIGTERM', () => {
      log('shutting down', { signal: 'SIGTERM', job: 'job_b' })
      log('releasing job: shutting down', { job: 'job_b' })
      log('could not release job; its lease will expire', { error: 'fetch failed' })
      process.exit(0)
    })
    log('leased job', { job: 'job_b', attempt: 1 })
    setInterval(() => {}, 1000)`,
  // idle in a long lease poll: says it holds no job, then would wait out the poll
  idle: `
    process.on('SIGTERM', () => console.log(JSON.stringify({ message: 'shutting down', signal: 'SIGTERM', job: null })))
    console.log(JSON.stringify({ message: 'worker started' }))
    setInterval(() => {}, 1000)`,
  // ignores SIGTERM and says nothing
  stuck: `process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000)`,
}

describe('restartDelay', () => {
  it('starts at one second, doubles while the worker keeps crashing, and stops at thirty seconds', () => {
    const delays: number[] = []
    let previous: number | null = null
    for (let crash = 0; crash < 8; crash++) {
      previous = restartDelay(previous, 200)
      delays.push(previous)
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000])
  })

  it('starts over at one second after a worker that stayed up a minute', () => {
    expect(restartDelay(30_000, WORKER_RESTART.stableAfterMs)).toBe(1000)
    expect(restartDelay(30_000, WORKER_RESTART.stableAfterMs - 1)).toBe(30_000)
  })
})

describe('parseWorkerLine', () => {
  it('reads the message and job of a worker log line and ignores anything else', () => {
    expect(parseWorkerLine('{"time":"t","worker":"w","message":"leased job","job":"job_1","attempt":1}')).toEqual({ message: 'leased job', job: 'job_1' })
    expect(parseWorkerLine('{"message":"shutting down","job":null}')).toEqual({ message: 'shutting down', job: null })
    expect(parseWorkerLine('(node:1) ExperimentalWarning: something')).toBeNull()
    expect(parseWorkerLine('{"not":"a log line"}')).toBeNull()
    expect(parseWorkerLine('{broken')).toBeNull()
  })
})

describe('WorkerPool', () => {
  let pool: WorkerPool | null = null
  afterEach(async () => {
    await pool?.stop()
    pool = null
  })

  function startPool(kinds: string[], restart = true, stopTimeoutMs = 5000) {
    const lines: string[] = []
    const launched: string[] = []
    let next = 0
    pool = new WorkerPool({
      launch(name, env): ChildProcess {
        const kind = env.KIND ?? kinds[next++ % kinds.length]!
        launched.push(`${name}:${kind}`)
        return spawn(process.execPath, ['-e', FAKE_WORKERS[kind]!], { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
      },
      restart,
      stopTimeoutMs,
      report: (line) => lines.push(line),
    })
    return { pool, lines, launched }
  }

  /** Resolves at the worker's first line of output: it has its signal handlers by then. */
  function ready(worker: StackWorker): Promise<void> {
    return new Promise((done) => worker.process.stdout!.once('data', () => done()))
  }

  async function until(check: () => boolean, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs
    while (!check()) {
      if (Date.now() > deadline) throw new Error('timed out')
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  it('restarts a supervised worker killed with SIGKILL, naming the signal, and keeps its name', async () => {
    const { pool, lines, launched } = startPool(['busy'])
    const worker = pool.start({}, true)
    const first = worker.process
    first.kill('SIGKILL')
    await until(() => worker.process !== first)
    expect(lines).toEqual(['worker-1 exited (signal SIGKILL); restarting in 1 s'])
    expect(worker.restarts).toBe(1)
    expect(launched).toEqual(['worker-1:busy', 'worker-1:busy'])
  })

  it('leaves a worker dead when it was not started supervised, or when restarts are off', async () => {
    for (const [supervised, restart] of [[false, true], [true, false]] as const) {
      const { pool, lines, launched } = startPool(['busy'], restart)
      const worker = pool.start({}, supervised)
      worker.process.kill('SIGKILL')
      await exited(worker.process)
      await new Promise((r) => setTimeout(r, WORKER_RESTART.firstDelayMs + 300))
      expect(lines).toEqual(['worker-1 exited (signal SIGKILL)'])
      expect(launched).toHaveLength(1)
      await pool.stop()
    }
  })

  it('stops each worker so it hands its job back, and says which job went back', async () => {
    const { pool, lines } = startPool(['busy', 'refused'])
    await Promise.all([ready(pool.start({}, true)), ready(pool.start({}, true))])
    await pool.stop()
    expect(lines.sort()).toEqual([
      'stopping worker-1…',
      'stopping worker-2…',
      'worker-1 handed back job_a',
      'worker-2 could not hand back job_b; it runs again once its lease expires',
    ])
    expect(pool.workers.every((worker) => worker.process.exitCode === 0)).toBe(true)
  })

  it('kills an idle worker soon after it says it holds no job, and a stuck one after the timeout', async () => {
    const { pool, lines } = startPool(['idle', 'stuck'], true, 3000)
    const idle = pool.start({}, true)
    const stuck = pool.start({}, true)
    await Promise.all([ready(idle), ready(stuck)])
    const order: string[] = []
    for (const worker of [idle, stuck]) void exited(worker.process).then(() => order.push(worker.name))
    await pool.stop()
    expect(order).toEqual(['worker-1', 'worker-2'])
    expect(idle.process.signalCode).toBe('SIGKILL')
    expect(stuck.process.signalCode).toBe('SIGKILL')
    expect(lines).toContain('worker-1 stopped')
    expect(lines).toContain('worker-2 did not stop within 3 s; killed it')
    expect(lines).not.toContainEqual(expect.stringMatching(/restarting/))
  })
})
