/** @module The size caps some kinds of upload have below LIMITS.maxUploadBytes, checked when the upload is announced. */
import { LIMITS } from '../limits.ts'
import type { UploadKind } from '../schemas.ts'

/** A message for an upload announced larger than its kind allows, or null. */
export function uploadSizeError(kind: UploadKind, filename: string, size: number): string | null {
  if (kind === 'model' && size > LIMITS.maxModelBytes) {
    return `"${filename}" is ${Math.round(size / 1024 ** 2)} MiB; models up to ${LIMITS.maxModelBytes / 1024 ** 2} MiB are accepted.`
  }
  if (kind === 'metadata' && size > LIMITS.maxMetadataBytes) {
    return `"${filename}" is ${Math.round(size / 1024 ** 2)} MiB; metadata files up to ${LIMITS.maxMetadataBytes / 1024 ** 2} MiB are accepted. Keep the columns you need.`
  }
  return null
}
