/**
 * @module compute/kernels — SPMD kernels by name, as a pool runs them. The layers above define kernels in
 * kernel modules: a module whose default export is `defineKernels(import.meta.url, { name: kernel })`.
 * Whoever creates a pool names the modules it needs; in-process runs call the tables directly and every
 * worker thread imports the same modules by URL (a worker cannot be handed functions), so this layer
 * never imports the kernels themselves.
 */
import type { SpmdContext } from './barrier.ts'

/** One rank's share of a kernel; the payload is structured-cloned to workers (shared memory stays shared). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Kernel = (payload: any, ctx: SpmdContext) => unknown

/** Kernels by name, and the URL of the module that exports them as its default (for worker threads). */
export interface KernelModule {
  readonly url: string
  readonly kernels: Readonly<Record<string, Kernel>>
}

/** The default export of a kernel module. */
export function defineKernels(url: string, kernels: Record<string, Kernel>): KernelModule {
  return { url, kernels }
}

/** The kernels of several modules by name; a name two modules define is a mistake. */
export function kernelTable(modules: readonly KernelModule[]): Map<string, Kernel> {
  const table = new Map<string, Kernel>()
  for (const module of modules) {
    for (const [name, kernel] of Object.entries(module.kernels)) {
      if (table.has(name)) throw new Error(`kernel ${name} is defined twice (again in ${module.url})`)
      table.set(name, kernel)
    }
  }
  return table
}

/** Loads kernel modules by URL (inside a worker thread) into one table. */
export async function importKernels(urls: readonly string[]): Promise<Map<string, Kernel>> {
  const modules = await Promise.all(urls.map(async (url) => ((await import(url)) as { default: KernelModule }).default))
  return kernelTable(modules)
}

/** Runs the named kernel for one rank. */
export function runKernel(table: Map<string, Kernel>, name: string, payload: object, ctx: SpmdContext): unknown {
  const kernel = table.get(name)
  if (!kernel) throw new Error(`unknown kernel ${name}: the pool was started with ${[...table.keys()].join(', ') || 'no kernels'}`)
  return kernel(payload, ctx)
}
