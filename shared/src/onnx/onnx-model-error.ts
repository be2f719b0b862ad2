/** @module The error an unusable ONNX model raises: a code per failure the uploader can fix, and the message saying how. */

export type OnnxModelErrorCode =
  | 'onnx_not_protobuf'
  | 'onnx_no_ir_version'
  | 'onnx_bad_ir_version'
  | 'onnx_no_graph'
  | 'onnx_external_data'
  | 'onnx_too_many_nodes'
  | 'onnx_too_large'

/** A file that is not a usable ONNX model; the message says what is wrong and how to fix it. */
export class OnnxModelError extends Error {
  override name = 'OnnxModelError'
  constructor(
    readonly code: OnnxModelErrorCode,
    message: string,
  ) {
    super(message)
  }
}
