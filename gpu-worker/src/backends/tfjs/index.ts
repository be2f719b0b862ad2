/** @module backends/tfjs — the TensorFlow.js compute backend (re-exports). */
export { embedWithRuntime, closeTfjsEngine, TFJS_DEFAULTS, type TfjsRuntime, type TfjsSettings } from './embed.ts'
export { GPU_MODULE, JS_MODULE, probeGpuRuntime, loadJsRuntime, type ModuleLoader } from './runtime.ts'
export type { Tf } from './tf.ts'
