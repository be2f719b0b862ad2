/** @module The code an upload check refuses with, for tests that compare many inputs at once. */
import { UploadVerificationError } from '../../shared/src/upload/errors.ts'

/** The UploadVerificationError code `work` throws, or 'accepted' when it returns (other errors propagate). */
export function verificationCode(work: () => unknown): string {
  try {
    work()
  } catch (err) {
    if (err instanceof UploadVerificationError) return err.code
    throw err
  }
  return 'accepted'
}
