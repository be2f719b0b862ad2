/**
 * @module Sending one chosen file: its progress bar while it goes and its error at the picker it was chosen
 * in, then one error naming the file for the form (an UploadFailedError: already shown at the file, so the
 * form does not place it again).
 */
import type { UploadKind } from '@constellate/shared'
import { errorMessage } from '../app/error-message.ts'
import { uploadBrowserFile } from './browser-upload.ts'
import type { UploadProgress } from './upload-plan.ts'

export class UploadFailedError extends Error {
  override name = 'UploadFailedError'
}

/** Where a file's upload shows: its progress and its error. */
export interface UploadTarget {
  progress: UploadProgress | null
  error: string | null
}

/**
 * Uploads and verifies `file`; resolves with the upload id. Progress and errors go to `target()`, asked
 * afresh each time: it returns null once the user chose another file there, and that file's picker stays as is.
 */
export async function uploadWithProgress(file: File, kind: UploadKind, target: () => UploadTarget | null): Promise<string> {
  const shown = target()
  if (shown) {
    shown.error = null
    shown.progress = { phase: 'sending', loaded: 0, total: file.size }
  }
  try {
    const upload = await uploadBrowserFile(file, kind, (loaded, total) => {
      const current = target()
      if (current) current.progress = { phase: loaded >= total ? 'verifying' : 'sending', loaded, total }
    })
    const current = target()
    if (current) current.progress = { phase: 'done', loaded: file.size, total: file.size }
    return upload.id
  } catch (error) {
    const current = target()
    if (current) {
      current.progress = null
      current.error = errorMessage(error)
    }
    throw new UploadFailedError(`${file.name} could not be uploaded: ${errorMessage(error)}`)
  }
}
