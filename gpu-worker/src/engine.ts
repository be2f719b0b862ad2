/**
 * @module engine — the embedding engine's stable entry for the job code: embed() on the CPU, the options
 * and their defaults, the hooks, frames and result, the input error, the engine's threads (start, stop, the
 * shared pool) and the input scaling. The pipeline itself is pipeline/embed.ts; the backends supply its
 * kernels (backends/), the methods its graph and optimiser (methods/).
 */
export { embed, startEngine, closeEngine } from './backends/cpu/engine.ts'
export { sharedPool } from './backends/cpu/pool.ts'
export { EMBED_DEFAULTS, type EmbedOptions } from './pipeline/options.ts'
export { TsneInputError, withinSafeMagnitude } from './pipeline/validate.ts'
export type { EmbedFrame, EmbedHooks, EmbedResult } from './pipeline/embed.ts'
