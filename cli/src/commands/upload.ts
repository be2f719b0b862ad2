/** @module `constellate upload` and `submit`: send files (with progress and resume), queue a job. */
import cliProgress from 'cli-progress'
import { InvalidArgumentError, type Command } from 'commander'
import { ConstellateError } from '@constellate/client'
import { JobParams, SubsampleParams, UploadKind, type Upload } from '@constellate/shared'
import { createContext, jobPageUrl, type Context, type GlobalFlags } from '../context.ts'
import { UsageError } from '../exit-codes.ts'
import { fileSource, isReadableFile } from '../files.ts'
import { followJob } from '../progress.ts'

/** Uploads one file with a bar (TTY) or a few lines; on an interrupted multipart upload, says how to resume. */
export async function uploadPath(context: Context, path: string, kind: UploadKind, resumeUploadId?: string): Promise<Upload> {
  const { client, out } = context
  const source = await fileSource(path)
  const bar = out.interactive ? new cliProgress.SingleBar({ format: `${source.name} |{bar}| {percentage}% {value}/{total} bytes`, stream: process.stderr }, cliProgress.Presets.shades_classic) : null
  bar?.start(source.size, 0)
  let lastQuarter = -1
  try {
    const upload = await client.uploadFile(source, {
      kind,
      resumeUploadId,
      onUploadCreated: (created) => out.info(`Uploading ${path} as ${created.id} (${kind}, ${source.size} bytes)`),
      onProgress: (sent, total) => {
        bar?.update(sent)
        const quarter = Math.floor((4 * sent) / Math.max(1, total))
        if (!bar && quarter !== lastQuarter && source.size > 8 * 1024 * 1024) {
          lastQuarter = quarter
          out.info(`${source.name}: ${sent}/${total} bytes`)
        }
      },
    })
    bar?.stop()
    return upload
  } catch (error) {
    bar?.stop()
    const details = error instanceof ConstellateError ? (error.details as { uploadId?: string; resumable?: boolean } | undefined) : undefined
    if (details?.resumable && details.uploadId) out.info(`Resume with: constellate upload ${path} --kind ${kind} --resume ${details.uploadId}`)
    throw error
  }
}

/** A file path is uploaded; otherwise an `upl_...` id is used as is. */
async function uploadOrId(context: Context, value: string, kind: UploadKind): Promise<string> {
  if (isReadableFile(value)) return (await uploadPath(context, value, kind)).id
  if (/^upl_\w+$/.test(value)) return value
  throw new UsageError(`"${value}" is neither a file nor an upload id (upl_...).`)
}

export function numberOption(name: string) {
  return (value: string): number => {
    const number = Number(value)
    if (value.trim() === '' || !Number.isFinite(number)) throw new InvalidArgumentError(`--${name} must be a number; got "${value}".`)
    return number
  }
}

/** `--perplexity`: a number, or `auto`. */
export function perplexityOption(value: string): number | 'auto' {
  return value.trim().toLowerCase() === 'auto' ? 'auto' : numberOption('perplexity')(value)
}

/**
 * `--subsample`: `random:<size>`, `stratified:<perLabel>` or `stratified:<perLabel>:<size>` (either may be
 * empty, e.g. `stratified::20000`). Checked with the API's own schema.
 */
export function parseSubsample(text: string): SubsampleParams {
  const [method, first, second, ...rest] = text.split(':')
  const number = (part: string | undefined) => (part === undefined || part.trim() === '' ? undefined : Number(part))
  const value = method === 'random' && second === undefined ? { method, size: number(first) } : method === 'stratified' && rest.length === 0 ? { method, perLabel: number(first), size: number(second) } : null
  if (!value) throw new InvalidArgumentError(`--subsample must be random:<size>, stratified:<perLabel> or stratified:<perLabel>:<size>; got "${text}".`)
  const clean = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined))
  const checked = SubsampleParams.safeParse(clean)
  if (!checked.success) throw new InvalidArgumentError(`--subsample "${text}": ${checked.error.issues[0]!.message}`)
  return checked.data
}

interface SubmitOptions {
  labels?: string
  metadata?: string
  subsample?: SubsampleParams
  perplexity?: number | 'auto'
  dims?: number
  iterations?: number
  seed?: number
  pcaDims?: number
  idempotencyKey?: string
  wait?: boolean
  poll?: boolean
  timeout?: number
}

export function registerUpload(program: Command): void {
  program
    .command('upload <file>')
    .description('Upload a file and let the server verify it; prints the upload id')
    .option('--kind <kind>', UploadKind.options.join(' | '), 'features')
    .option('--resume <uploadId>', 'resume an interrupted multipart upload of this file')
    .action(async (file: string, options: { kind: string; resume?: string }, command: Command) => {
      const kind = UploadKind.safeParse(options.kind)
      if (!kind.success) throw new UsageError(`--kind must be one of ${UploadKind.options.join(', ')}; got "${options.kind}".`)
      const context = createContext(command.optsWithGlobals<GlobalFlags>())
      const upload = await uploadPath(context, file, kind.data, options.resume)
      const info = upload.info
      context.out.info(`Verified ${upload.filename}: ${info?.format ?? ''}${info?.rows != null ? ` ${info.rows} rows` : ''}${info?.cols != null ? ` x ${info.cols}` : ''}`)
      context.out.result({ upload }, () => upload.id)
    })

  program
    .command('submit <features...>')
    .description('Queue a PCA + t-SNE job on features files or upload ids (several with the same D go into one map); prints the job id')
    .option('--labels <fileOrId>', 'labels file (.npy/.csv/.txt) or upload id, one label per point of all feature files')
    .option('--metadata <fileOrId>', 'metadata table (.csv/.tsv with a header row, one row per point) or upload id')
    .option('--subsample <spec>', 'worker subsampling: random:<size> | stratified:<perLabel>[:<size>]', parseSubsample)
    .option('--perplexity <n>', 'perplexity, or "auto" for the largest up to 30 that the points allow (default 30)', perplexityOption)
    .option('--dims <n>', '2 or 3 (default 2)', numberOption('dims'))
    .option('--iterations <n>', 'iterations, 50 to 10000 (default 750)', numberOption('iterations'))
    .option('--seed <n>', 'random seed (default 42)', numberOption('seed'))
    .option('--pca-dims <n>', 'PCA to this many dimensions first (default 50)', numberOption('pca-dims'))
    .option('--idempotency-key <key>', 'the same key within 24 h returns the same job instead of a new one')
    .option('--wait', 'follow the job until it ends; exit 3 if it fails')
    .option('--poll', 'with --wait: poll instead of the live WebSocket')
    .option('--timeout <seconds>', 'with --wait: give up after this long (exit 8)', numberOption('timeout'))
    .action(async (features: string[], options: SubmitOptions, command: Command) => {
      const given = { perplexity: options.perplexity, dims: options.dims, iterations: options.iterations, seed: options.seed, pcaDims: options.pcaDims, subsample: options.subsample }
      const params = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined))
      const checked = JobParams.partial().safeParse(params)
      if (!checked.success) {
        const issue = checked.error.issues[0]!
        throw new UsageError(`--${String(issue.path[0]).replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}: ${issue.message}`)
      }
      if (options.idempotencyKey !== undefined && (options.idempotencyKey.length < 1 || options.idempotencyKey.length > 200)) {
        throw new UsageError('--idempotency-key must be 1 to 200 characters.')
      }
      const context = createContext(command.optsWithGlobals<GlobalFlags>())
      const featureIds: string[] = []
      for (const item of features) featureIds.push(await uploadOrId(context, item, 'features'))
      const labelsId = options.labels ? await uploadOrId(context, options.labels, 'labels') : undefined
      const metadataId = options.metadata ? await uploadOrId(context, options.metadata, 'metadata') : undefined
      const { job, created } = await context.client.createJob(
        {
          features: featureIds.length === 1 ? featureIds[0]! : featureIds,
          ...(labelsId ? { labels: labelsId } : {}),
          ...(metadataId ? { metadata: metadataId } : {}),
          params: checked.data,
        },
        { idempotencyKey: options.idempotencyKey },
      )
      context.out.info(`${created ? 'Queued' : 'Already submitted with this idempotency key:'} job ${job.id}; watch it at ${jobPageUrl(context, job.id)}`)
      const finished = options.wait ? await followJob(context, job.id, { poll: options.poll, timeoutSeconds: options.timeout }) : job
      const uploads = { features: featureIds.length === 1 ? featureIds[0]! : featureIds, labels: labelsId ?? null, metadata: metadataId ?? null }
      context.out.result({ job: finished, created, uploads }, () => finished.id)
    })
}
