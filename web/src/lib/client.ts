/**
 * @module The web app's one instance of `@constellate/client` (the same typed client the CLI uses): same
 * origin with the workspace cookie, XHR PUTs for byte-level upload progress, and its errors turned into the
 * page's ApiError so messages show next to the right control.
 */
import { ConstellateClient, ConstellateError } from '@constellate/client'
import { ApiError, putWithProgress } from './api.ts'

export const client = new ConstellateClient({
  baseUrl: '',
  credentials: 'same-origin',
  putObject: (url, body, onProgress) => {
    const blob = body instanceof Blob ? body : new Blob([body as Uint8Array<ArrayBuffer>])
    return putWithProgress(url, blob, (loaded) => onProgress?.(loaded))
  },
})

/** Runs a client call, translating ConstellateError into ApiError (status, code, plain message). */
export async function viaClient<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof ConstellateError) throw new ApiError(error.status, error.status === 0 && error.code !== 'aborted' ? 'network' : error.code, error.message)
    throw error
  }
}
