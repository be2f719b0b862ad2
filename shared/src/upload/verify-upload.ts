/**
 * @module Verifying an uploaded file when its upload completes (edge, Web APIs only): the size it was
 * announced with, an extension its kind accepts, then the content check for its format (verify-npy.ts,
 * verify-text.ts, verify-model-job.ts).
 */
import type { UploadInfo, UploadKind } from '../schemas.ts'
import { failUpload } from './errors.ts'
import { ACCEPTED_FORMATS, formatFromFilename } from './file-kinds.ts'
import { verifyModelJobUpload } from './verify-model-job.ts'
import { verifyNpy } from './verify-npy.ts'
import { verifyText } from './verify-text.ts'

export interface UploadToVerify {
  kind: UploadKind
  filename: string
  /** Size the client announced when it created the upload, bytes. */
  declaredSize: number
  /** Size of the object in storage, bytes. */
  actualSize: number
  /** The object's first bytes: at least NPY_PREFIX_BYTES for `.npy`, up to LIMITS.maxScannedTextBytes for text. */
  head: Uint8Array
  /** True when `head` is the whole file. */
  complete: boolean
}

/**
 * Checks an uploaded object against what its name and kind promise and returns what it holds.
 * `.npy`: magic, header, dtype, shape and exact data size. Text: no binary content, UTF-8, and when
 * `complete`, rows, columns, header and (features) that every cell is a number. Non-finite values are the
 * worker's to find. O(head.length) time; allocates only for labels' distinct header candidates.
 * @throws UploadVerificationError
 */
export function verifyUpload(upload: UploadToVerify): UploadInfo {
  const { kind, filename, declaredSize, actualSize, head, complete } = upload
  if (complete && head.length !== actualSize) throw new RangeError(`verifyUpload: complete head must hold all ${actualSize} bytes; got ${head.length}`)
  if (actualSize !== declaredSize) {
    failUpload('upload_size_mismatch', `The stored file is ${actualSize} bytes but the upload declared ${declaredSize}. The transfer was cut short or a different file was sent; upload the file again.`)
  }
  if (actualSize === 0) failUpload('empty_file', `"${filename}" is empty (0 bytes). Upload the file that holds the ${kind}.`)
  const format = formatFromFilename(filename)
  if (!format || !ACCEPTED_FORMATS[kind].includes(format)) failUpload('unsupported_format', unsupportedFormatMessage(kind, filename))
  if (kind === 'model' || kind === 'inputs') return verifyModelJobUpload(kind, format, filename, actualSize, head)
  return format === 'npy' ? verifyNpy(kind, filename, actualSize, head) : verifyText(kind, format, filename, head, complete)
}

function unsupportedFormatMessage(kind: UploadKind, filename: string): string {
  const ext = /\.([^./\\]+)$/.exec(filename)?.[1]?.toLowerCase()
  const accepted = ACCEPTED_FORMATS[kind].map((f) => `.${f}`).join(', ')
  const hints: Record<string, string> = {
    npz: 'An .npz holds several arrays; save the one you need with numpy.save(path, array).',
    pt: 'Convert the tensor first: numpy.save(path, tensor.detach().cpu().numpy()).',
    pth: 'Convert the tensor first: numpy.save(path, tensor.detach().cpu().numpy()).',
    xlsx: 'Export the sheet as CSV (File > Save As > CSV UTF-8).',
    xls: 'Export the sheet as CSV (File > Save As > CSV UTF-8).',
    gz: 'Decompress the file first and upload the plain file.',
    zip: 'Unpack the archive and upload the plain file.',
    txt: 'Comma, tab or space separated numbers are read from a .csv file: rename it to .csv.',
    parquet: 'Write it as CSV (DataFrame.to_csv(path, index=False)) or as .npy.',
    h5: 'Read the dataset and save it with numpy.save(path, array).',
    pkl: 'Pickles are never loaded; save the array with numpy.save(path, array).',
    onnx: 'A model is uploaded with kind "model"; a job then names it in model: {upload, inputs}.',
  }
  const got = ext ? `".${ext}"` : 'no extension'
  const hint = ext && hints[ext] ? ` ${hints[ext]}` : ''
  return `"${filename}" has ${got}; ${kind} must be ${accepted}.${hint}`
}
