/**
 * @module backends/tfjs/runtime — finding a TensorFlow.js runtime at run time. `@tensorflow/tfjs-node-gpu`
 * is installed only in the GPU image (its install downloads libtensorflow), so it is imported by a
 * name held in a variable, which bundlers and TypeScript leave alone, and its absence is an
 * ordinary outcome. `@tensorflow/tfjs` (pure JS) is a dependency and always loads.
 */
import type { Tf } from './tf.ts'

/** A tfjs runtime: the namespace and what it runs on (for the manifest). */
export interface TfjsRuntime {
  tf: Tf
  /** The module it came from: '@tensorflow/tfjs-node-gpu' or '@tensorflow/tfjs'. */
  module: string
  /** 'cuda' when TensorFlow placed ops on a GPU, else 'cpu'. */
  device: 'cuda' | 'cpu'
}

export const GPU_MODULE = '@tensorflow/tfjs-node-gpu'
export const JS_MODULE = '@tensorflow/tfjs'

/** Imports a module by name (injected in tests to simulate a GPU module). */
export type ModuleLoader = (name: string) => Promise<unknown>

export const importModule: ModuleLoader = (name) => import(name)

function namespaceOf(module: unknown): Tf | undefined {
  const isTf = (x: unknown): x is Tf => typeof x === 'object' && x !== null && typeof (x as Tf).getBackend === 'function' && typeof (x as Tf).tensor === 'function'
  if (isTf(module)) return module
  const fallback = (module as { default?: unknown } | undefined)?.default
  return isTf(fallback) ? fallback : undefined
}

/** The outcome of trying tfjs-node-gpu: the runtime when it loaded, and a sentence saying what happened. */
export interface GpuProbe {
  runtime?: TfjsRuntime
  detail: string
}

/**
 * Loads tfjs-node-gpu and asks it whether TensorFlow placed ops on a CUDA device: the 'tensorflow'
 * backend of tfjs-node(-gpu) exposes `isUsingGpuDevice` (set when TensorFlow found a GPU at start).
 */
export async function probeGpuRuntime(load: ModuleLoader = importModule): Promise<GpuProbe> {
  let module: unknown
  try {
    module = await load(GPU_MODULE)
  } catch (error) {
    const message = (error as Error).message?.split('\n')[0] ?? String(error)
    const absent = /cannot find (module|package)|ERR_MODULE_NOT_FOUND/i.test(message)
    return { detail: absent ? `${GPU_MODULE} is not installed` : `${GPU_MODULE} failed to load (${message})` }
  }
  const tf = namespaceOf(module)
  if (!tf) return { detail: `${GPU_MODULE} loaded but does not look like TensorFlow.js` }
  try {
    await tf.ready()
  } catch (error) {
    return { detail: `${GPU_MODULE} loaded but its backend failed to start (${(error as Error).message})` }
  }
  const backendName = tf.getBackend()
  const backend = tf.backend() as { isUsingGpuDevice?: boolean; isGPUPackage?: boolean }
  if (backendName === 'tensorflow' && backend.isUsingGpuDevice === true) {
    return { runtime: { tf, module: GPU_MODULE, device: 'cuda' }, detail: `${GPU_MODULE} loaded and TensorFlow uses a CUDA device` }
  }
  return {
    runtime: { tf, module: GPU_MODULE, device: 'cpu' },
    detail: `${GPU_MODULE} loaded but TensorFlow sees no CUDA device (backend "${backendName}"; check the NVIDIA driver, CUDA/cuDNN libraries and that the container was given a GPU)`,
  }
}

/** `@tensorflow/tfjs` on its pure-JS CPU backend (slow; for tests and machines without native TensorFlow). */
export async function loadJsRuntime(load: ModuleLoader = importModule): Promise<TfjsRuntime> {
  const tf = namespaceOf(await load(JS_MODULE))
  if (!tf) throw new Error(`${JS_MODULE} did not load as TensorFlow.js`)
  // production mode: no debug checks and no "install tfjs-node" banner
  tf.enableProdMode()
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu')
  await tf.ready()
  return { tf, module: JS_MODULE, device: 'cpu' }
}
