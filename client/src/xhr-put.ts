/**
 * @module The browser's storage PUT: XMLHttpRequest, because fetch cannot report upload progress. Pass it as
 * the client's `putObject` to see a file's bytes leave as they go. Sends no Content-Type (the presigned
 * signature covers none) and never the API token (the URL is the credential).
 */
import { CLIENT_ERROR_CODES, ConstellateError } from './errors.ts'
import type { PutObject } from './upload.ts'

/** The message of an S3-style XML error body (`<Message>...</Message>`), if any. */
export function storageErrorMessage(body: string): string | null {
  const match = /<Message>([^<]*)<\/Message>/.exec(body)
  return match?.[1]?.trim() || null
}

/** PUTs `body` to a presigned URL with XMLHttpRequest, reporting bytes sent; resolves with the ETag header. */
export const xhrPutObject: PutObject = (url, body, onProgress, signal) => {
  const blob = body instanceof Blob ? body : new Blob([body as Uint8Array<ArrayBuffer>])
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ConstellateError(0, CLIENT_ERROR_CODES.aborted, 'The upload was aborted.'))
    const xhr = new XMLHttpRequest()
    xhr.open('PUT', url)
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress?.(event.loaded)
    }
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress?.(blob.size)
        // The ETag identifies a stored part of a multipart upload (storage's CORS rules expose it).
        resolve(xhr.getResponseHeader('ETag') ?? '')
        return
      }
      const detail = storageErrorMessage(xhr.responseText ?? '')
      reject(new ConstellateError(xhr.status, CLIENT_ERROR_CODES.storage, `Storage refused the file (HTTP ${xhr.status})${detail ? `: ${detail}` : '.'}`))
    }
    xhr.onerror = () => reject(new ConstellateError(0, CLIENT_ERROR_CODES.network, 'The connection to storage failed while sending the file. Check your connection and try again.'))
    xhr.onabort = () => reject(new ConstellateError(0, CLIENT_ERROR_CODES.aborted, 'The upload was aborted.'))
    signal?.addEventListener('abort', () => xhr.abort(), { once: true })
    // A typeless Blob makes the browser send no Content-Type header.
    xhr.send(blob.slice(0, blob.size, ''))
  })
}
