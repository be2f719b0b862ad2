/** @module backends — compute backends behind one interface, and the choice between them (re-exports). */
export { cpuBackend, parseBackendChoice, BackendChoiceError, BACKEND_CHOICES, type BackendChoice, type ComputeBackend } from './backend.ts'
export { selectBackend, tfjsBackend, resetBackendSelection, embedTfjs, type BackendSelection, type SelectOptions } from './select-backend.ts'
export { closeTfjsEngine } from './tfjs/index.ts'
