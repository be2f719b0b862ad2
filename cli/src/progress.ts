/**
 * @module Following a job on the terminal: a live bar (iteration, KL, stage) for people at a TTY, plain
 * lines otherwise (one per stage change and about every 10% of iterations), through the live WebSocket
 * or polling. Ends with the job; a failed or cancelled job becomes a JobEndedError (exit 3).
 */
import cliProgress from 'cli-progress'
import type { Job } from '@constellate/shared'
import { CLIENT_ERROR_CODES, ConstellateError, type FrameHeader } from '@constellate/client'
import type { Context } from './context.ts'
import { JobEndedError } from './exit-codes.ts'

export interface FollowOptions {
  /** Use polling only (no WebSocket). */
  poll?: boolean
  /** Give up after this many seconds (exit 8). */
  timeoutSeconds?: number
  /** Plain progress lines are the command's output (watch): stdout instead of stderr. */
  linesToStdout?: boolean
}

function klText(kl: number | null | undefined): string {
  return kl === null || kl === undefined || !Number.isFinite(kl) ? '-' : kl.toFixed(3)
}

/** Follows the job to its end and returns it; throws JobEndedError when it failed or was cancelled. */
export async function followJob(context: Context, jobId: string, options: FollowOptions = {}): Promise<Job> {
  const { out, client } = context
  const bar = out.interactive
    ? new cliProgress.SingleBar(
        { format: '{status} {stage} |{bar}| {value}/{total} it | KL {kl}', hideCursor: true, clearOnComplete: false, stream: process.stderr },
        cliProgress.Presets.shades_classic,
      )
    : null
  let barStarted = false
  let lastLine = ''
  let lastIteration = -1
  let latest: Job | null = null
  let liveIteration = 0
  let liveKl: number | null = null

  const render = () => {
    const job = latest
    if (!job) return
    const total = job.progress?.totalIterations || job.params.iterations
    const iteration = Math.max(job.progress?.iteration ?? 0, liveIteration)
    const kl = liveKl ?? job.progress?.kl ?? null
    const stage = job.progress?.stage ?? ''
    if (bar) {
      const payload = { status: job.status, stage, kl: klText(kl) }
      if (!barStarted) {
        bar.start(total, iteration, payload)
        barStarted = true
      } else {
        bar.setTotal(total)
        bar.update(iteration, payload)
      }
      return
    }
    const step = Math.max(1, Math.round(total / 10))
    const key = `${job.status} ${stage}`
    if (key !== lastLine || iteration - lastIteration >= step || (iteration === total && lastIteration !== total)) {
      out.progressLine(`${job.id} ${job.status}${stage ? ` ${stage}` : ''} iteration ${iteration}/${total} KL ${klText(kl)}`, options.linesToStdout)
      lastLine = key
      lastIteration = iteration
    }
  }

  const controller = new AbortController()
  let stopReason: 'timeout' | 'interrupt' | null = null
  const stop = (reason: 'timeout' | 'interrupt') => {
    stopReason = reason
    controller.abort()
  }
  const timer = options.timeoutSeconds !== undefined ? setTimeout(() => stop('timeout'), options.timeoutSeconds * 1000) : undefined
  const onSigint = () => stop('interrupt')
  process.once('SIGINT', onSigint)
  let job: Job
  try {
    job = await client.watchJob(jobId, {
      live: !options.poll,
      signal: controller.signal,
      onStatus: (status) => {
        latest = status
        render()
      },
      onFrame: (header: FrameHeader) => {
        liveIteration = header.iteration
        if (header.kl !== null) liveKl = header.kl
        render()
      },
    })
  } catch (error) {
    if (stopReason === 'timeout') {
      throw new ConstellateError(0, CLIENT_ERROR_CODES.timeout, `Job ${jobId} did not finish within ${options.timeoutSeconds} s; it keeps running. Follow it again with: constellate watch ${jobId}`)
    }
    if (stopReason === 'interrupt') {
      throw new ConstellateError(0, CLIENT_ERROR_CODES.aborted, `Stopped watching; job ${jobId} keeps running. Cancel it with: constellate cancel ${jobId}`)
    }
    throw error
  } finally {
    clearTimeout(timer)
    process.off('SIGINT', onSigint)
    if (barStarted) bar?.stop()
  }
  latest = job
  liveIteration = job.status === 'succeeded' ? (job.progress?.totalIterations ?? liveIteration) : liveIteration
  if (!bar) render()
  if (job.status !== 'succeeded') {
    const reason = job.error ? `${job.error.code}: ${job.error.message}` : job.status
    throw new JobEndedError(job, job.status === 'cancelled' ? `Job ${job.id} was cancelled.` : `Job ${job.id} failed: ${reason}`)
  }
  for (const line of warningLines(job)) out.info(line.trimStart())
  return job
}

/** One line per warning of a finished map: `  warning <code>[ (layer ...)]: <message>`. */
export function warningLines(job: Job): string[] {
  return job.warnings.map((w) => `  warning ${w.code}${w.layer ? ` (layer ${w.layer})` : ''}: ${w.message}`)
}
