/** @module Model inference: open an ONNX model with chosen layers exposed, run it in batches. */
export * from './errors.ts'
export * from './expose-outputs.ts'
export * from './session.ts'
export * from './run.ts'
export * from './npy-samples.ts'
