/** @module Worker configuration from the environment, with defaults in one place. */
import { parseBackendChoice, type BackendChoice } from './backends/backend.ts'

export interface WorkerConfig {
  edgeUrl: string
  workerSecret: string
  workerId: string
  s3: { endpoint: string; bucket: string; region: string; accessKeyId: string; secretAccessKey: string }
  /** Long-poll wait per lease request, seconds. */
  leaseWaitSeconds: number
  /** Compute backend for jobs that don't name one: `cpu` (default), `tfjs` or `auto`. */
  backend: BackendChoice
  /** Port for `GET /healthz` (0: no health server). */
  healthPort: number
  /** Largest features file this worker accepts, bytes (0: no cap). One job runs at a time per worker. */
  maxInputBytes: number
  /** Compile the engine's kernels on a small synthetic map before taking work (about 3 s of start-up). */
  warmUp: boolean
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** `--backend cpu|tfjs|auto` on the command line wins over the BACKEND variable. */
export function backendFromArgs(argv: string[]): string | undefined {
  const at = argv.findIndex((arg) => arg === '--backend' || arg.startsWith('--backend='))
  if (at < 0) return undefined
  return argv[at]!.includes('=') ? argv[at]!.split('=')[1] : argv[at + 1]
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv.slice(2)): WorkerConfig {
  const required = (name: string): string => {
    const value = env[name]
    if (!value) throw new ConfigError(`${name} is not set. See README "Running a worker" for the variables a worker needs.`)
    return value
  }
  return {
    edgeUrl: required('EDGE_URL').replace(/\/$/, ''),
    workerSecret: required('WORKER_SECRET'),
    workerId: env.WORKER_ID ?? `worker-${process.pid}-${Math.floor(Date.now() / 1000).toString(36)}`,
    s3: {
      endpoint: required('S3_ENDPOINT'),
      bucket: env.S3_BUCKET ?? 'constellate',
      region: env.S3_REGION ?? 'us-east-1',
      accessKeyId: required('S3_ACCESS_KEY_ID'),
      secretAccessKey: required('S3_SECRET_ACCESS_KEY'),
    },
    leaseWaitSeconds: Number(env.LEASE_WAIT_SECONDS ?? 20),
    backend: parseBackendChoice(backendFromArgs(argv) ?? env.BACKEND ?? 'cpu', backendFromArgs(argv) ? '--backend' : 'BACKEND'),
    healthPort: Number(env.WORKER_HEALTH_PORT ?? 0),
    maxInputBytes: Number(env.MAX_INPUT_BYTES ?? 0),
    warmUp: (env.WORKER_WARM_UP ?? '1') !== '0',
  }
}
