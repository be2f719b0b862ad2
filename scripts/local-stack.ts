/**
 * @module The whole service on one machine: a local S3-compatible server (s3rver), the edge in
 * `wrangler dev` (workerd, local D1 + Durable Objects), and CPU workers. Used by `npm start` and by the
 * integration tests, so both run exactly the same stack. It stops in dependency order: workers first (each
 * hands its job back to the edge), then the edge, then storage.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { appendFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver'
import { startGateway } from './s3-gateway.ts'
import { signalGroup, stopGroup } from './process-group.ts'
import { WorkerPool, type StackWorker } from './worker-pool.ts'

export type { StackWorker } from './worker-pool.ts'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

export interface StackOptions {
  /** Edge port (default 8787; 0 picks a free one). */
  port: number
  /** S3 port (default 9000; 0 picks a free one). */
  s3Port: number
  /** Where S3 objects and wrangler's D1/DO state live (git-ignored). */
  dataDir: string
  /** CPU workers to start. */
  workers: number
  /**
   * Restart one of those `workers` that exits while the stack is not stopping (crash, OOM, kill -9), with the
   * backoff of WORKER_RESTART. Workers from `startWorker()` are never restarted: their caller owns their life.
   */
  restartWorkers: boolean
  /** How long stop() waits for a worker to hand its job back and exit before killing it, ms. */
  workerStopTimeoutMs: number
  /** Lease length the edge uses, seconds. */
  leaseSeconds: number
  /** Extra environment for the workers. */
  workerEnv: Record<string, string>
  /** Extra edge variables (wrangler `--var`), e.g. TEST_CLOCK=1 for tests. */
  edgeVars: Record<string, string>
  /** Print child output (prefixed) to this process's stdout. */
  verbose: boolean
  /** Also append each process's output to `<logDir>/<name>.log` (null: don't). */
  logDir: string | null
  /** Where the stack says what it does: worker restarts, each step of stop() (null: stay quiet). */
  report: ((line: string) => void) | null
}

export const STACK_DEFAULTS: StackOptions = {
  port: 8787,
  s3Port: 9000,
  dataDir: join(ROOT, '.data'),
  workers: 1,
  restartWorkers: true,
  workerStopTimeoutMs: 30_000,
  leaseSeconds: 90,
  workerEnv: {},
  edgeVars: {},
  verbose: false,
  logDir: null,
  report: null,
}

/** How long stop() gives the edge (wrangler and workerd) to exit before killing it, ms. */
const EDGE_STOP_TIMEOUT_MS = 5000

export const LOCAL_SECRETS = {
  bucket: 'constellate',
  accessKeyId: 'S3RVER',
  secretAccessKey: 'S3RVER',
  workerSecret: 'local-worker-secret',
}

const CORS = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`

export interface Stack {
  url: string
  s3Url: string
  options: StackOptions
  /** Starts one more worker (e.g. after killing one in a test); it is never restarted. */
  startWorker(env?: Record<string, string>): ChildProcess
  /** Every worker started, in order (`workers[0]` is `worker-1`); a restart replaces a worker's process. */
  workers: readonly StackWorker[]
  /** Stops workers (each hands its job back), then the edge, then storage. */
  stop(): Promise<void>
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolvePort(port))
    })
  })
}

function pipeOutput(child: ChildProcess, name: string, verbose: boolean, log: string[], logDir: string | null = null): void {
  const file = logDir ? join(logDir, `${name}.log`) : null
  const onData = (chunk: Buffer) => {
    const text = chunk.toString()
    if (file) appendFileSync(file, text)
    log.push(text)
    if (log.length > 400) log.splice(0, log.length - 400)
    if (verbose) for (const line of text.split('\n')) if (line.trim()) process.stdout.write(`[${name}] ${line}\n`)
  }
  child.stdout?.on('data', onData)
  child.stderr?.on('data', onData)
}

async function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const log: string[] = []
  // detached like every child: a Ctrl-C during start-up must not kill a setup step (start.ts stops the stack
  // once it is up)
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  pipeOutput(child, 'setup', false, log)
  const code = await new Promise<number | null>((done) => child.on('exit', done))
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}:\n${log.join('')}`)
}

async function waitFor(url: string, timeoutMs: number, child: ChildProcess, log: string[]): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`edge exited with ${child.exitCode}:\n${log.join('')}`)
    try {
      const res = await fetch(url)
      if (res.ok) return
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`edge did not answer ${url} within ${timeoutMs} ms:\n${log.join('')}`)
}

/** The repo's wrangler.toml pointed at a prebuilt bundle, with every relative path made absolute. */
export function bundledConfig(toml: string, bundlePath: string, assetsDir: string): string {
  const absolute = (path: string) => JSON.stringify(resolve(ROOT, path))
  return (
    toml
      .replace(/^main = .*$/m, `main = ${JSON.stringify(bundlePath)}\nno_bundle = true`)
      .replace(/^directory = ".*"$/m, `directory = ${JSON.stringify(assetsDir)}`)
      .replace(/^migrations_dir = "(.*)"$/m, (_, path: string) => `migrations_dir = ${absolute(path)}`)
  )
}

export async function startStack(options: Partial<StackOptions> = {}): Promise<Stack> {
  const opts: StackOptions = { ...STACK_DEFAULTS, ...options }
  const report = opts.report ?? (() => {})
  const port = opts.port || (await freePort())
  const s3Port = opts.s3Port || (await freePort())
  const inspectorPort = await freePort()
  const s3Dir = join(opts.dataDir, 's3')
  const wranglerDir = join(opts.dataDir, 'wrangler')
  mkdirSync(s3Dir, { recursive: true })
  mkdirSync(wranglerDir, { recursive: true })

  const s3InternalPort = await freePort()
  const s3 = new S3rver({
    port: s3InternalPort,
    address: '127.0.0.1',
    directory: s3Dir,
    silent: true,
    configureBuckets: [{ name: LOCAL_SECRETS.bucket, configs: [CORS] }],
  })
  await s3.run()
  const gateway = await startGateway({
    port: s3Port,
    host: '127.0.0.1',
    upstreamPort: s3InternalPort,
    credentials: { accessKeyId: LOCAL_SECRETS.accessKeyId, secretAccessKey: LOCAL_SECRETS.secretAccessKey },
  })
  const closeStorage = async () => {
    await new Promise<void>((done) => gateway.close(() => done()))
    await s3.close()
  }
  const s3Url = `http://127.0.0.1:${s3Port}`

  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    WRANGLER_SEND_METRICS: 'false',
    // Never reach out for Request.cf data: the local stack must work offline.
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    WRANGLER_LOG_PATH: join(opts.dataDir, 'wrangler-logs'),
    NO_COLOR: '1',
  }
  const wrangler = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js')
  await run(process.execPath, [wrangler, 'd1', 'migrations', 'apply', 'constellate', '--local', '--persist-to', wranglerDir], { ...baseEnv, CI: 'true' })

  // Bundle the edge once and serve that bundle: a source edit while the stack runs must not restart the
  // edge mid-request (wrangler dev would reload on every change and answer 503 meanwhile).
  const bundleDir = join(opts.dataDir, 'edge-bundle')
  await run(process.execPath, [wrangler, 'deploy', '--dry-run', '--outdir', bundleDir], baseEnv)
  // Serve a snapshot of the built web app too, so a rebuild during the run does not reload the edge.
  const assetsDir = join(opts.dataDir, 'web-assets')
  rmSync(assetsDir, { recursive: true, force: true })
  cpSync(join(ROOT, 'web', 'dist'), assetsDir, { recursive: true })
  const localConfig = join(opts.dataDir, 'wrangler.local.toml')
  writeFileSync(localConfig, bundledConfig(readFileSync(join(ROOT, 'wrangler.toml'), 'utf8'), join(bundleDir, 'index.js'), assetsDir))

  const edgeLog: string[] = []
  const edge = spawn(
    process.execPath,
    [
      wrangler, 'dev',
      '--config', localConfig,
      '--ip', '127.0.0.1',
      '--port', String(port),
      '--inspector-port', String(inspectorPort),
      '--persist-to', wranglerDir,
      '--show-interactive-dev-session=false',
      '--live-reload=false',
      '--var', `S3_ENDPOINT:${s3Url}`,
      '--var', `LEASE_SECONDS:${opts.leaseSeconds}`,
      ...Object.entries(opts.edgeVars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
    ],
    { cwd: ROOT, env: baseEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  )
  if (opts.logDir) mkdirSync(opts.logDir, { recursive: true })
  pipeOutput(edge, 'edge', opts.verbose, edgeLog, opts.logDir)
  const url = `http://127.0.0.1:${port}`
  try {
    await waitFor(`${url}/api/health`, 90_000, edge, edgeLog)
  } catch (err) {
    signalGroup(edge, 'SIGTERM')
    await closeStorage()
    throw err
  }

  const pool = new WorkerPool({
    launch(name, env) {
      const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'gpu-worker', 'src', 'main.ts')], {
        cwd: ROOT,
        env: {
          ...process.env,
          EDGE_URL: url,
          WORKER_SECRET: LOCAL_SECRETS.workerSecret,
          S3_ENDPOINT: s3Url,
          S3_BUCKET: LOCAL_SECRETS.bucket,
          S3_REGION: 'us-east-1',
          S3_ACCESS_KEY_ID: LOCAL_SECRETS.accessKeyId,
          S3_SECRET_ACCESS_KEY: LOCAL_SECRETS.secretAccessKey,
          ...opts.workerEnv,
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      })
      pipeOutput(child, name, opts.verbose, [], opts.logDir)
      return child
    },
    restart: opts.restartWorkers,
    stopTimeoutMs: opts.workerStopTimeoutMs,
    report,
  })
  for (let i = 0; i < opts.workers; i++) pool.start({}, true)

  let stopping: Promise<void> | null = null
  const stop = () => {
    stopping ??= (async () => {
      // Workers first, while the edge still answers: each releases its lease, so its job is queued again at
      // once instead of waiting out the lease.
      await pool.stop()
      report('stopping edge…')
      await stopGroup(edge, EDGE_STOP_TIMEOUT_MS)
      report('stopping storage…')
      gateway.closeAllConnections()
      await closeStorage()
    })()
    return stopping
  }
  return {
    url,
    s3Url,
    options: { ...opts, port, s3Port },
    startWorker: (env = {}) => pool.start(env, false).process,
    workers: pool.workers,
    stop,
  }
}
