/** @module backends/tfjs — the TensorFlow.js compute backend (re-exports). */
export { embedWithRuntime, closeTfjsEngine, tfjsKernels, TFJS_DEFAULTS, type TfjsSettings } from './backend.ts'
export { GPU_MODULE, JS_MODULE, probeGpuRuntime, loadJsRuntime, type ModuleLoader, type TfjsRuntime } from './runtime.ts'
export type { Tf } from './tf.ts'
