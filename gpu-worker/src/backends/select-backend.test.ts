import { createRequire } from 'node:module'
import { afterEach, describe, expect, it } from 'vitest'
import { BackendChoiceError, cpuBackend, parseBackendChoice } from './backend.ts'
import { resetBackendSelection, selectBackend } from './select-backend.ts'
import { GPU_MODULE, importModule, JS_MODULE, type ModuleLoader } from './tfjs/runtime.ts'

const gpuModuleInstalled = (() => {
  try {
    createRequire(import.meta.url).resolve(GPU_MODULE)
    return true
  } catch {
    return false
  }
})()

/** The real loader, except that tfjs-node-gpu is replaced by `gpuModule` (or missing). */
function loaderWith(gpuModule?: () => unknown): ModuleLoader {
  return async (name) => {
    if (name === GPU_MODULE) {
      if (!gpuModule) throw Object.assign(new Error(`Cannot find package '${GPU_MODULE}' imported from here`), { code: 'ERR_MODULE_NOT_FOUND' })
      return gpuModule()
    }
    return importModule(name)
  }
}

/** A stand-in for tfjs-node-gpu: real tfjs, but reporting the 'tensorflow' backend on a CUDA device. */
async function simulatedGpuModule(usingGpu: boolean): Promise<object> {
  const tf = (await import('@tensorflow/tfjs')) as unknown as Record<string, unknown>
  return { default: { ...tf, ready: async () => {}, getBackend: () => 'tensorflow', backend: () => ({ isGPUPackage: true, isUsingGpuDevice: usingGpu }) } }
}

describe('choosing the compute backend', () => {
  afterEach(() => resetBackendSelection())

  it('auto falls back to the CPU engine and says why when tfjs-node-gpu is not installed', async () => {
    const selection = await selectBackend('auto', { load: loaderWith() })
    expect(selection.backend).toBe(cpuBackend)
    expect(selection.reason).toBe(`auto: ${GPU_MODULE} is not installed; using the CPU engine`)
  })

  it.skipIf(gpuModuleInstalled)('auto in this repository (no tfjs-node-gpu in node_modules) is the CPU engine', async () => {
    const selection = await selectBackend('auto')
    expect(selection.backend.name).toBe('cpu')
    expect(selection.reason).toMatch(/not installed/)
  })

  it('auto picks tfjs when tfjs-node-gpu loads and reports a CUDA device', async () => {
    const gpu = await simulatedGpuModule(true)
    const selection = await selectBackend('auto', { load: loaderWith(() => gpu) })
    expect(selection.backend).toMatchObject({ name: 'tfjs', runtime: GPU_MODULE, device: 'cuda' })
    expect(selection.reason).toBe(`auto: ${GPU_MODULE} loaded and TensorFlow uses a CUDA device`)
  })

  it('auto stays on the CPU engine when tfjs-node-gpu loads but TensorFlow sees no GPU', async () => {
    const gpu = await simulatedGpuModule(false)
    const selection = await selectBackend('auto', { load: loaderWith(() => gpu) })
    expect(selection.backend.name).toBe('cpu')
    expect(selection.reason).toMatch(/sees no CUDA device .*using the CPU engine/)
  })

  it('auto reports a tfjs-node-gpu that is installed but broken (e.g. missing CUDA libraries)', async () => {
    const selection = await selectBackend('auto', {
      load: loaderWith(() => {
        throw new Error('libcudart.so.11.0: cannot open shared object file')
      }),
    })
    expect(selection.backend.name).toBe('cpu')
    expect(selection.reason).toMatch(/failed to load \(libcudart/)
  })

  it('tfjs without tfjs-node-gpu runs on @tensorflow/tfjs (pure JS CPU) and says so', async () => {
    const selection = await selectBackend('tfjs', { load: loaderWith() })
    expect(selection.backend).toMatchObject({ name: 'tfjs', runtime: JS_MODULE, device: 'cpu' })
    expect(selection.reason).toMatch(/not installed; running on @tensorflow\/tfjs's pure-JS CPU backend/)
    const { points } = { points: Float32Array.from({ length: 60 * 3 }, (_, t) => Math.sin(t * 1.7) + (t % 3)) }
    const result = await selection.backend.embed(points, 60, 3, { perplexity: 5, iterations: 20, earlyExaggerationIterations: 10 })
    expect(result.backend).toBe('tfjs')
    expect(result.resolved.tfjs).toMatchObject({ module: JS_MODULE, device: 'cpu', tfBackend: 'cpu' })
  })

  it('cpu is the CPU engine whatever is installed', async () => {
    const gpu = await simulatedGpuModule(true)
    const selection = await selectBackend('cpu', { load: loaderWith(() => gpu) })
    expect(selection.backend).toBe(cpuBackend)
    expect(selection.reason).toBe('cpu requested')
  })

  it('refuses an unknown backend name with the ones it accepts', async () => {
    expect(() => parseBackendChoice('cuda', 'BACKEND')).toThrow(new BackendChoiceError('BACKEND must be one of cpu, tfjs, auto; got "cuda".'))
    expect(parseBackendChoice(undefined)).toBe('auto')
    expect(parseBackendChoice(' TFJS ')).toBe('tfjs')
    await expect(selectBackend('gpu')).rejects.toBeInstanceOf(BackendChoiceError)
  })
})
