/** @module ONNX models without a runtime: the protobuf reader, the model check and layer list, model-job requests. */
export * from './onnx-proto.ts'
export * from './onnx-model-error.ts'
export { onnxElemTypeName, type AttributeValue, type OnnxValueInfo } from './onnx-graph.ts'
export type { OnnxDim } from './onnx-shapes.ts'
export * from './onnx-model.ts'
export * from './onnx-job.ts'
export * from './onnx-uploads.ts'
