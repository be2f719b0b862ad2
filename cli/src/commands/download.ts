/** @module `constellate download`: a succeeded job's results (and optionally its frames) into a folder. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Command } from 'commander'
import type { ResultFileName } from '@constellate/shared'
import { createContext, type GlobalFlags } from '../context.ts'
import { JobEndedError, UsageError } from '../exit-codes.ts'
import { followJob } from '../progress.ts'

/** The `--only` name of each result file (shared RESULT_FILE_SPECS lists them). */
const RESULT_FILE_FLAGS = {
  npy: 'embedding.npy',
  csv: 'embedding.csv',
  metrics: 'metrics.json',
  manifest: 'manifest.json',
  indices: 'indices.npy',
  neighbours: 'neighbours.npy',
  quality: 'quality-points.npy',
} as const satisfies Record<string, ResultFileName>

// A result file without an `--only` name above fails to compile here, naming the file.
type Unnamed = Exclude<ResultFileName, (typeof RESULT_FILE_FLAGS)[keyof typeof RESULT_FILE_FLAGS]>
const EVERY_RESULT_FILE_NAMED: [Unnamed] extends [never] ? true : Unnamed = true

const WHAT: Record<string, ResultFileName | 'metadata.json' | 'frames'> = {
  ...RESULT_FILE_FLAGS,
  metadata: 'metadata.json',
  frames: 'frames',
}

export function registerDownload(program: Command): void {
  program
    .command('download <job>')
    .description('Download results of a succeeded job into --out: embedding.npy, embedding.csv, metrics.json, manifest.json; --only adds indices, neighbours, quality, metadata')
    .option('--out <dir>', 'folder to write into (created if missing)', '.')
    .option('--only <list>', `comma-separated subset of ${Object.keys(WHAT).join(',')}`, 'npy,csv,metrics,manifest')
    .option('--frames', 'also download every live frame (CSTF) into <out>/frames/')
    .option('--wait', 'wait for the job to finish first')
    .action(async (jobId: string, options: { out: string; only: string; frames?: boolean; wait?: boolean }, command: Command) => {
      const wanted = new Set(options.only.split(',').map((item) => item.trim()).filter(Boolean))
      for (const item of wanted) if (!(item in WHAT)) throw new UsageError(`--only: unknown "${item}"; choose from ${Object.keys(WHAT).join(', ')}.`)
      if (options.frames) wanted.add('frames')
      const context = createContext(command.optsWithGlobals<GlobalFlags>())
      const { client, out } = context
      const job = options.wait ? await followJob(context, jobId) : await client.getJob(jobId)
      if (job.status === 'failed' || job.status === 'cancelled') {
        throw new JobEndedError(job, `Job ${job.id} ${job.status === 'failed' ? `failed (${job.error?.code ?? 'unknown'}: ${job.error?.message ?? ''})` : 'was cancelled'}; it has no results.`)
      }
      const dir = resolve(options.out)
      mkdirSync(dir, { recursive: true })
      const files: { file: string; path: string; bytes: number }[] = []
      const save = (file: string, bytes: Uint8Array) => {
        const path = join(dir, file)
        mkdirSync(resolve(path, '..'), { recursive: true })
        writeFileSync(path, bytes)
        files.push({ file, path, bytes: bytes.byteLength })
      }
      for (const item of wanted) {
        const target = WHAT[item]!
        if (target === 'metadata.json') {
          save(target, new TextEncoder().encode(JSON.stringify(await client.getMetadata(job.id), null, 2)))
          continue
        }
        if (target !== 'frames') {
          save(target, await client.download(job.id, target))
          continue
        }
        const frames = await client.listFrames(job.id)
        for (const frame of frames) save(join('frames', `${String(frame.seq).padStart(5, '0')}.cstf`), await client.getFrame(job.id, frame.seq))
      }
      out.result({ jobId: job.id, dir, files }, () => files.map((file) => file.path))
    })
}
