/**
 * @module What every job's manifest.json records the same way: the worker that ran it (version, Node,
 * compute backend and why it was chosen), the parameters as run, and the SHA-256 of each input.
 */
import { createHash } from 'node:crypto'
import type { JobParams } from '@constellate/shared'
import type { BackendSelection } from '../backends/index.ts'

export const WORKER_VERSION = '0.1.0'

/** Hex SHA-256 of an input's bytes, as the manifest records it. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** The manifest's `worker`; `name` is the backend that computed the map (the selection's unless the run says). */
export function workerSection(workerId: string, selection: BackendSelection, name: string = selection.backend.name) {
  const { backend } = selection
  return {
    id: workerId,
    version: WORKER_VERSION,
    node: process.version,
    backend: { name, runtime: backend.runtime, device: backend.device, requested: selection.requested, reason: selection.reason },
  }
}

/**
 * The manifest's `params`: the job's, with what the run resolved over them (e.g. the perplexity "auto"
 * became), and `perplexityRequested: 'auto'` when the job asked for that.
 */
export function paramsSection(params: JobParams, resolved: Record<string, unknown>) {
  return { ...params, ...resolved, ...(params.perplexity === 'auto' ? { perplexityRequested: 'auto' } : {}) }
}
