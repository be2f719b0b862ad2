/** @module Local files as upload sources (lazy Blob slices, so a 2 GiB file is never read whole). */
import { openAsBlob, statSync } from 'node:fs'
import { basename } from 'node:path'
import type { UploadSource } from '@constellate/shared'
import { UsageError } from './exit-codes.ts'

export function isReadableFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

export async function fileSource(path: string): Promise<UploadSource> {
  if (!isReadableFile(path)) throw new UsageError(`No such file: ${path}`)
  const blob = await openAsBlob(path)
  return { name: basename(path), size: blob.size, slice: (start, end) => blob.slice(start, end) }
}
