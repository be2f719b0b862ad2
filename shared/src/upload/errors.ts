/**
 * @module Why an upload cannot be used: the codes the API answers with and the error that carries them.
 * A leaf (types only below it), so the table scanners and the format checks can all raise it.
 */
import type { NpyFormatError } from '../npy/npy.ts'
import type { OnnxModelErrorCode } from '../onnx/onnx-model-error.ts'

export type UploadVerificationCode =
  | 'upload_size_mismatch'
  | 'unsupported_format'
  | 'content_mismatch'
  | 'text_encoding'
  | 'empty_file'
  | NpyFormatError['code']
  | 'npy_bad_shape'
  | 'labels_not_integer'
  | 'too_many_points'
  | 'too_many_dims'
  | 'text_ragged_rows'
  | 'text_not_numeric'
  | 'text_blank_line'
  | 'labels_missing_value'
  | 'metadata_too_many_columns'
  | 'metadata_no_columns'
  | OnnxModelErrorCode

/** An upload that cannot be used; `message` says what is wrong and how to fix it. */
export class UploadVerificationError extends Error {
  override name = 'UploadVerificationError'
  constructor(
    /** Machine-readable reason, used as the API error code. */
    readonly code: UploadVerificationCode,
    message: string,
  ) {
    super(message)
  }
}

/** Throws an UploadVerificationError: the one-line form the checks use. */
export function failUpload(code: UploadVerificationCode, message: string): never {
  throw new UploadVerificationError(code, message)
}
