/**
 * @module backends/backend — a compute backend as the job code sees it: what runs (name, runtime, device)
 * and embed(), the pipeline on that backend's kernels (pipeline/backend.ts); the backend names a worker
 * or job may ask for; and the CPU backend.
 */
import { embed } from './cpu/engine.ts'
import type { EmbedHooks, EmbedResult } from '../pipeline/embed.ts'
import type { EmbedOptions } from '../pipeline/options.ts'

/** What a worker (`--backend`, `BACKEND`) or a job may ask for. */
export type BackendChoice = 'cpu' | 'tfjs' | 'auto'
export const BACKEND_CHOICES: readonly BackendChoice[] = ['cpu', 'tfjs', 'auto']

export interface ComputeBackend {
  name: 'cpu' | 'tfjs'
  /** What computes: 'typescript (worker_threads)', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs'. */
  runtime: string
  device: 'cpu' | 'cuda'
  /** pipeline/embed.ts's contract: row-major n x d float32 in, embedding, frames and cancellation. */
  embed(points: Float32Array, n: number, d: number, options?: Partial<EmbedOptions>, hooks?: EmbedHooks): Promise<EmbedResult>
}

export const cpuBackend: ComputeBackend = {
  name: 'cpu',
  runtime: 'typescript (worker_threads)',
  device: 'cpu',
  embed,
}

export class BackendChoiceError extends Error {
  override name = 'BackendChoiceError'
}

/** Parses a backend name from a flag, the environment or job params; undefined means 'auto'. */
export function parseBackendChoice(value: string | undefined, source = 'backend'): BackendChoice {
  const choice = (value ?? 'auto').trim().toLowerCase()
  if ((BACKEND_CHOICES as readonly string[]).includes(choice)) return choice as BackendChoice
  throw new BackendChoiceError(`${source} must be one of ${BACKEND_CHOICES.join(', ')}; got "${value}".`)
}
