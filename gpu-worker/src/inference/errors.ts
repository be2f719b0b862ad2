/** @module The one error type for a model job the user can fix: the job fails at once with the message. */

export type ModelErrorCode =
  | 'model_load_failed'
  | 'model_input_mismatch'
  | 'model_input_unsupported'
  | 'model_layer_unknown'
  | 'model_run_failed'
  | 'layer_too_wide'
  | 'inference_timeout'
  | 'too_many_inputs'
  | 'too_few_inputs'
  | 'image_unreadable'
  | 'image_too_large'
  | 'archive_unreadable'
  | 'archive_empty'
  | 'label_count_mismatch'
  | 'bad_preprocess'

/** A problem with the model, its inputs or the chosen layers. `message` says what is wrong and how to fix it. */
export class ModelError extends Error {
  override name = 'ModelError'
  constructor(
    /** Machine-readable reason, shown as the job's error code. */
    readonly code: ModelErrorCode,
    message: string,
  ) {
    super(message)
  }
}
