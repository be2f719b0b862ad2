/**
 * @module The local stack's CPU workers: restarts the stack's own workers after an unexpected exit (with a
 * backoff), and stops every worker so that it hands its job back while the edge still answers.
 */
import type { ChildProcess } from 'node:child_process'
import { describeExit, exited, hasExited, signalGroup } from './process-group.ts'

/** Restart backoff: the first delay, doubling up to the cap; a worker that stayed up this long starts over. */
export const WORKER_RESTART = { firstDelayMs: 1000, maxDelayMs: 30_000, stableAfterMs: 60_000 }

/**
 * After SIGTERM a worker with no job still waits for its lease long-poll (up to 20 s) before it exits. Once its
 * "shutting down" line says it holds no job, and no lease arrives within this grace, it is killed instead.
 */
export const IDLE_KILL_GRACE_MS = 500

/** The gpu-worker log messages (one JSON object per line: main.ts, job-runner.ts, inference/model-job.ts) read here. */
const WORKER_LOG = {
  shuttingDown: 'shutting down',
  leased: 'leased job',
  releasing: ['releasing job: shutting down', 'shutting down; handing the job back'],
  releaseFailed: 'could not release job; its lease will expire',
}

/**
 * The delay before the next restart: `firstDelayMs` after a worker that stayed up `stableAfterMs` (or on its
 * first crash), else twice the previous delay, at most `maxDelayMs`.
 */
export function restartDelay(previousDelayMs: number | null, upForMs: number, policy = WORKER_RESTART): number {
  if (previousDelayMs === null || upForMs >= policy.stableAfterMs) return policy.firstDelayMs
  return Math.min(previousDelayMs * 2, policy.maxDelayMs)
}

export interface WorkerLogEntry {
  message: string
  job: string | null
}

/** The message and job of one worker log line; null for anything that is not one of its JSON lines. */
export function parseWorkerLine(line: string): WorkerLogEntry | null {
  if (!line.startsWith('{')) return null
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null || !('message' in value) || typeof value.message !== 'string') return null
  const job = 'job' in value && typeof value.job === 'string' ? value.job : null
  return { message: value.message, job }
}

export interface StackWorker {
  /** `worker-1`, `worker-2`, …: also the name of its log. */
  readonly name: string
  /** The current process; a restart replaces it. */
  readonly process: ChildProcess
  /** Restarted after an unexpected exit (a worker the stack started itself, with `restartWorkers`). */
  readonly supervised: boolean
  /** How many times it was restarted. */
  readonly restarts: number
}

export interface WorkerPoolOptions {
  /** Spawns one worker process (detached, stdout piped) named `name`. */
  launch(name: string, env: Record<string, string>): ChildProcess
  /** Restart supervised workers after an unexpected exit. */
  restart: boolean
  /** How long stop() waits for a worker to hand its job back and exit before killing it. */
  stopTimeoutMs: number
  /** Where the pool says what it does (restarts, hand-backs). */
  report(line: string): void
}

class PoolWorker implements StackWorker {
  process!: ChildProcess
  restarts = 0
  startedAt = 0
  lastDelayMs: number | null = null
  restartTimer: NodeJS.Timeout | null = null
  readonly listeners = new Set<(entry: WorkerLogEntry) => void>()

  constructor(
    readonly name: string,
    readonly supervised: boolean,
    readonly env: Record<string, string>,
  ) {}
}

export class WorkerPool {
  private readonly all: PoolWorker[] = []
  private stopping = false

  constructor(private readonly options: WorkerPoolOptions) {}

  get workers(): readonly StackWorker[] {
    return this.all
  }

  /** Starts a worker; `supervised` ones are restarted after an unexpected exit when the pool restarts workers. */
  start(env: Record<string, string>, supervised: boolean): StackWorker {
    if (this.stopping) throw new Error('The stack is stopping; no new workers.')
    const worker = new PoolWorker(`worker-${this.all.length + 1}`, supervised, env)
    this.all.push(worker)
    this.spawn(worker)
    return worker
  }

  private spawn(worker: PoolWorker): void {
    const child = this.options.launch(worker.name, worker.env)
    worker.process = child
    worker.startedAt = Date.now()
    let pending = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) {
        const entry = parseWorkerLine(line.trim())
        if (entry) for (const listener of worker.listeners) listener(entry)
      }
    })
    child.once('exit', (code, signal) => this.onExit(worker, child, code, signal))
  }

  private onExit(worker: PoolWorker, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping || worker.process !== child) return
    const how = describeExit(code, signal)
    if (!worker.supervised || !this.options.restart) {
      this.options.report(`${worker.name} exited (${how})`)
      return
    }
    const delayMs = restartDelay(worker.lastDelayMs, Date.now() - worker.startedAt)
    worker.lastDelayMs = delayMs
    this.options.report(`${worker.name} exited (${how}); restarting in ${delayMs / 1000} s`)
    worker.restartTimer = setTimeout(() => {
      worker.restartTimer = null
      if (this.stopping) return
      worker.restarts++
      this.spawn(worker)
    }, delayMs)
  }

  /** Stops every worker at once (no more restarts); each hands its job back first. Resolves when all are gone. */
  async stop(): Promise<void> {
    this.stopping = true
    for (const worker of this.all) {
      if (worker.restartTimer) clearTimeout(worker.restartTimer)
      worker.restartTimer = null
    }
    await Promise.all(this.all.filter((worker) => !hasExited(worker.process)).map((worker) => this.stopOne(worker)))
  }

  private async stopOne(worker: PoolWorker): Promise<void> {
    const child = worker.process
    this.options.report(`stopping ${worker.name}…`)
    let job: string | null = null
    let releasing = false
    let releaseFailed = false
    let timedOut = false
    let idleTimer: NodeJS.Timeout | undefined
    const onEntry = (entry: WorkerLogEntry) => {
      if (entry.message === WORKER_LOG.shuttingDown) {
        job = entry.job
        if (job === null) idleTimer = setTimeout(() => signalGroup(child, 'SIGKILL'), IDLE_KILL_GRACE_MS)
      } else if (entry.message === WORKER_LOG.leased) {
        // a lease that arrived after the signal: the worker hands it back at once, so let it
        clearTimeout(idleTimer)
        job = entry.job
      } else if (WORKER_LOG.releasing.includes(entry.message)) {
        clearTimeout(idleTimer)
        releasing = true
        job = entry.job ?? job
      } else if (entry.message === WORKER_LOG.releaseFailed) {
        releaseFailed = true
      }
    }
    worker.listeners.add(onEntry)
    const killTimer = setTimeout(() => {
      timedOut = true
      signalGroup(child, 'SIGKILL')
    }, this.options.stopTimeoutMs)
    const gone = exited(child)
    signalGroup(child, 'SIGTERM')
    await gone
    clearTimeout(killTimer)
    clearTimeout(idleTimer)
    worker.listeners.delete(onEntry)

    const seconds = this.options.stopTimeoutMs / 1000
    if (timedOut) {
      this.options.report(`${worker.name} did not stop within ${seconds} s; killed it${job ? ` (${job} runs again once its lease expires)` : ''}`)
    } else if (releasing && !releaseFailed && child.exitCode === 0) {
      this.options.report(`${worker.name} handed back ${job}`)
    } else if (releasing) {
      this.options.report(`${worker.name} could not hand back ${job}; it runs again once its lease expires`)
    } else {
      this.options.report(`${worker.name} stopped`)
    }
  }
}
