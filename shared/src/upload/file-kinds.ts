/** @module Which upload formats exist, which each kind accepts, which are binary, and how a filename maps to one. */
import type { UploadFormat, UploadKind } from '../schemas.ts'

const EXTENSIONS: Record<string, UploadFormat> = { npy: 'npy', csv: 'csv', tsv: 'tsv', txt: 'txt', onnx: 'onnx', zip: 'zip', tar: 'tar' }

/** Formats accepted per kind of upload. */
export const ACCEPTED_FORMATS: Record<UploadKind, UploadFormat[]> = {
  features: ['npy', 'csv', 'tsv'],
  labels: ['npy', 'csv', 'tsv', 'txt'],
  model: ['onnx'],
  inputs: ['npy', 'zip', 'tar'],
  metadata: ['csv', 'tsv'],
}

/** The format named by a filename's extension, or null when it names none we accept. */
export function formatFromFilename(filename: string): UploadFormat | null {
  const ext = /\.([a-z0-9]+)$/i.exec(filename)?.[1]?.toLowerCase()
  return ext ? (EXTENSIONS[ext] ?? null) : null
}

/** Formats whose first bytes (NPY_PREFIX_BYTES) are all the edge reads for the header check. */
export function isBinaryFormat(format: UploadFormat | null): boolean {
  return format === 'npy' || format === 'onnx' || format === 'zip' || format === 'tar'
}
