/**
 * @module Uploading a File from the browser with @constellate/client's `uploadFile`: XHR PUTs for byte progress, and
 * multipart uploads that resume after an interruption (the pending upload id is remembered per file).
 */
import { ConstellateError } from '@constellate/client'
import type { Upload, UploadKind } from '@constellate/shared'
import { client } from '../app/client.ts'

/** Where a pending upload of this very file is remembered (same name, size and modification time). */
export function resumeKey(kind: UploadKind, file: Pick<File, 'name' | 'size' | 'lastModified'>): string {
  return `constellate.upload:${kind}:${file.name}:${file.size}:${file.lastModified}`
}

function remembered(key: string): string | null {
  try {
    return localStorage.getItem(key)
  } catch {
    return null
  }
}

function remember(key: string, uploadId: string | null): void {
  try {
    if (uploadId) localStorage.setItem(key, uploadId)
    else localStorage.removeItem(key)
  } catch {
    // Private mode or full storage: uploads still work, they just cannot resume.
  }
}

/** Uploads and verifies `file`, resuming a multipart upload of the same file left unfinished earlier. */
export async function uploadBrowserFile(file: File, kind: UploadKind, onProgress: (loaded: number, total: number) => void): Promise<Upload> {
  const key = resumeKey(kind, file)
  const source = { name: file.name, size: file.size, slice: (start: number, end: number) => file.slice(start, end, '') }
  const pending = remembered(key)
  if (pending) {
    try {
      const upload = await client.uploadFile(source, { kind, resumeUploadId: pending, onProgress })
      remember(key, null)
      return upload
    } catch (error) {
      // Only an upload the server no longer considers resumable is started afresh; other errors surface.
      if (!(error instanceof ConstellateError) || ![404, 409].includes(error.status) || error.code === 'upload_incomplete') throw error
      remember(key, null)
    }
  }
  const upload = await client.uploadFile(source, { kind, onProgress, onUploadCreated: (created) => remember(key, created.id) })
  remember(key, null)
  return upload
}
