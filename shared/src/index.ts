/** @module Everything shared by edge, worker, web and CLI. */
export * from './limits.ts'
export * from './schemas.ts'
export * from './frame-codec.ts'
export * from './npy.ts'
export * from './file-kinds.ts'
export * from './verify-upload.ts'
export * from './onnx-proto.ts'
export * from './onnx-model.ts'
