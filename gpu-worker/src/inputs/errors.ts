/** @module The one error type for bad user input: the job fails at once and shows the message. */
import { NpyFormatError, UploadVerificationError, type UploadVerificationCode } from '@constellate/shared'

export type InputErrorCode =
  | UploadVerificationCode
  | 'non_finite_features'
  | 'label_count_mismatch'
  | 'too_few_points'
  | 'labels_out_of_range'
  | 'input_too_large_for_worker'
  | 'metadata_count_mismatch'
  | 'feature_dims_mismatch'
  | 'subsample_needs_labels'
  | 'subsample_too_small'
  | 'perplexity_too_large'

/** A problem with the user's input files. `message` says what is wrong and how to fix it. */
export class InputError extends Error {
  override name = 'InputError'
  constructor(
    /** Machine-readable reason, shown as the job's error code. */
    readonly code: InputErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/** Runs `read`, turning the shared checks' errors (same codes, same messages) into InputError. */
export function asInputErrors<T>(read: () => T): T {
  try {
    return read()
  } catch (err) {
    if (err instanceof UploadVerificationError || err instanceof NpyFormatError) throw new InputError(err.code, err.message)
    throw err
  }
}
