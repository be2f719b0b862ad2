/**
 * @module backends/select-backend — which compute backend runs a job, and why (for the manifest).
 *
 * - `cpu`: the TypeScript engine (backends/cpu).
 * - `tfjs`: tfjs-node-gpu when it loads (on CUDA, or TensorFlow's CPU kernels when it sees no GPU),
 *   else `@tensorflow/tfjs`'s pure-JS CPU backend, which is correct but slow (tests).
 * - `auto`: tfjs when tfjs-node-gpu loads and TensorFlow uses a CUDA device, else cpu.
 * Module loading is tried once per process and remembered.
 */
import type { EmbedHooks, EmbedResult } from '../pipeline/embed.ts'
import type { EmbedOptions } from '../pipeline/options.ts'
import { cpuBackend, parseBackendChoice, type BackendChoice, type ComputeBackend } from './backend.ts'
import { embedWithRuntime, type TfjsSettings } from './tfjs/backend.ts'
import { importModule, loadJsRuntime, probeGpuRuntime, type GpuProbe, type ModuleLoader, type TfjsRuntime } from './tfjs/runtime.ts'

export interface BackendSelection {
  requested: BackendChoice
  backend: ComputeBackend
  /** One sentence: why this backend (goes into the manifest with backend.name and runtime). */
  reason: string
}

export interface SelectOptions {
  /** Imports a module by name; tests inject one that simulates tfjs-node-gpu. */
  load?: ModuleLoader
  /** Extra knobs for the tfjs backend. */
  tfjs?: Partial<TfjsSettings>
}

/** A ComputeBackend over a tfjs runtime. */
export function tfjsBackend(runtime: TfjsRuntime, settings: Partial<TfjsSettings> = {}): ComputeBackend {
  return {
    name: 'tfjs',
    runtime: runtime.module,
    device: runtime.device,
    embed: (points, n, d, options, hooks) => embedWithRuntime(runtime, points, n, d, options, hooks, settings),
  }
}

const probes = new Map<ModuleLoader, Promise<GpuProbe>>()
const jsRuntimes = new Map<ModuleLoader, Promise<TfjsRuntime>>()

function probe(load: ModuleLoader): Promise<GpuProbe> {
  let result = probes.get(load)
  if (!result) probes.set(load, (result = probeGpuRuntime(load)))
  return result
}

function jsRuntime(load: ModuleLoader): Promise<TfjsRuntime> {
  let result = jsRuntimes.get(load)
  if (!result) jsRuntimes.set(load, (result = loadJsRuntime(load)))
  return result
}

/** Picks the backend for `requested` (a BackendChoice or a raw string from a flag / env / job). */
export async function selectBackend(requested: BackendChoice | string | undefined = 'auto', options: SelectOptions = {}): Promise<BackendSelection> {
  const choice = parseBackendChoice(requested)
  const load = options.load ?? importModule
  if (choice === 'cpu') return { requested: choice, backend: cpuBackend, reason: 'cpu requested' }
  const gpu = await probe(load)
  if (choice === 'auto') {
    if (gpu.runtime?.device === 'cuda') return { requested: choice, backend: tfjsBackend(gpu.runtime, options.tfjs), reason: `auto: ${gpu.detail}` }
    return { requested: choice, backend: cpuBackend, reason: `auto: ${gpu.detail}; using the CPU engine` }
  }
  if (gpu.runtime) {
    const where = gpu.runtime.device === 'cuda' ? '' : '; tfjs runs on TensorFlow CPU kernels'
    return { requested: choice, backend: tfjsBackend(gpu.runtime, options.tfjs), reason: `tfjs requested: ${gpu.detail}${where}` }
  }
  const runtime = await jsRuntime(load)
  return {
    requested: choice,
    backend: tfjsBackend(runtime, options.tfjs),
    reason: `tfjs requested: ${gpu.detail}; running on ${runtime.module}'s pure-JS CPU backend (correct but slow: meant for tests)`,
  }
}

/** Forgets loaded modules (tests). */
export function resetBackendSelection(): void {
  probes.clear()
  jsRuntimes.clear()
}

/**
 * The pipeline on the tfjs backend: tfjs-node-gpu when installed, else `@tensorflow/tfjs`
 * (pure JS). The result's `resolved.tfjs` says which module and device ran.
 */
export async function embedTfjs(points: Float32Array, n: number, d: number, options?: Partial<EmbedOptions>, hooks?: EmbedHooks): Promise<EmbedResult> {
  const { backend } = await selectBackend('tfjs')
  return backend.embed(points, n, d, options, hooks)
}
