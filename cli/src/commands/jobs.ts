/** @module `constellate status`, `watch`, `jobs` and `cancel`. */
import type { Command } from 'commander'
import { JobStatus, type Job } from '@constellate/shared'
import { createContext, jobPageUrl, type Context, type GlobalFlags } from '../context.ts'
import { UsageError } from '../exit-codes.ts'
import { followJob, warningLines } from '../progress.ts'
import { numberOption } from './upload.ts'

function progressText(job: Job): string {
  const progress = job.progress
  if (!progress) return ''
  const kl = progress.kl === null ? '' : ` KL ${progress.kl.toFixed(3)}`
  return `${progress.stage} ${progress.iteration}/${progress.totalIterations}${kl}`
}

export function describeJob(context: Context, job: Job): string[] {
  const lines = [`${job.id}  ${job.status}  ${progressText(job)}`.trimEnd()]
  const p = job.params
  lines.push(`  points ${job.n ?? '?'} x ${job.d ?? '?'}  perplexity ${p.perplexity}  dims ${p.dims}  iterations ${p.iterations}  seed ${p.seed}  pca ${p.pcaDims}`)
  lines.push(`  created ${job.createdAt}${job.finishedAt ? `  finished ${job.finishedAt}` : ''}  attempt ${job.attempt}`)
  if (job.error) lines.push(`  error ${job.error.code}: ${job.error.message}`)
  lines.push(...warningLines(job))
  lines.push(`  page ${jobPageUrl(context, job.id)}`)
  return lines
}

export function registerJobs(program: Command): void {
  program
    .command('status <job>')
    .description("Show a job's status, progress and error")
    .action(async (jobId: string, _options: unknown, command: Command) => {
      const context = createContext(command.optsWithGlobals<GlobalFlags>())
      const job = await context.client.getJob(jobId)
      context.out.result({ job }, () => describeJob(context, job))
    })

  program
    .command('watch <job>')
    .description('Follow a job live (progress bar with iteration and KL; plain lines when not a terminal); exit 3 if it fails')
    .option('--poll', 'poll the status instead of the live WebSocket')
    .option('--timeout <seconds>', 'give up after this long (exit 8)', numberOption('timeout'))
    .action(async (jobId: string, options: { poll?: boolean; timeout?: number }, command: Command) => {
      const context = createContext(command.optsWithGlobals<GlobalFlags>())
      const job = await followJob(context, jobId, { poll: options.poll, timeoutSeconds: options.timeout, linesToStdout: !context.out.interactive })
      context.out.result({ job }, () => (context.out.interactive ? `${job.id} ${job.status}` : []))
    })

  program
    .command('jobs')
    .description("List the workspace's jobs, newest first")
    .option('--status <status>', `only jobs in this state: ${JobStatus.options.join(', ')}`)
    .option('--limit <n>', 'at most this many (1 to 200)', numberOption('limit'), 50)
    .action(async (options: { status?: string; limit: number }, command: Command) => {
      let status: JobStatus | undefined
      if (options.status !== undefined) {
        const parsed = JobStatus.safeParse(options.status)
        if (!parsed.success) throw new UsageError(`--status must be one of ${JobStatus.options.join(', ')}; got "${options.status}".`)
        status = parsed.data
      }
      if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > 200) throw new UsageError('--limit must be an integer from 1 to 200.')
      const context = createContext(command.optsWithGlobals<GlobalFlags>())
      const jobs = await context.client.listJobs({ status, limit: options.limit })
      context.out.result({ jobs }, () =>
        jobs.length === 0
          ? []
          : jobs.map((job) => [job.id, job.status.padEnd(9), job.createdAt, `${job.n ?? '?'}x${job.d ?? '?'}`, progressText(job)].join('  ').trimEnd()),
      )
      if (!context.out.json && jobs.length === 0) context.out.info(status ? `No ${status} jobs.` : 'No jobs yet.')
    })

  program
    .command('cancel <job>')
    .description('Cancel a queued or running job (frames so far stay viewable)')
    .action(async (jobId: string, _options: unknown, command: Command) => {
      const context = createContext(command.optsWithGlobals<GlobalFlags>())
      const job = await context.client.cancelJob(jobId)
      context.out.result({ job }, () => `${job.id} ${job.status}`)
    })
}
