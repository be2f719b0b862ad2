/**
 * @module Verifying the uploads of model jobs from their first bytes: a model (kind "model": not some other
 * binary; its full check streams the whole file, see verifyOnnxObject) and its inputs (kind "inputs": an
 * `.npy` batch [N, ...] or a `.zip`/`.tar` image archive, checked by header). Web APIs only.
 */
import { LIMITS } from '../limits.ts'
import { NpyFormatError, hasNpyMagic, npyDataProblem, npyDtypeName, npyShapeText, parseNpyHeader } from '../npy/npy.ts'
import type { UploadFormat, UploadInfo } from '../schemas.ts'
import { failUpload } from './errors.ts'
import { sniffBinaryFormat } from './sniff.ts'
import { subArrayTrailingMessage } from './verify-npy.ts'

/**
 * The header check of a model or inputs upload from its first bytes (the model's full check streams the
 * whole file: verifyOnnxObject).
 * @throws UploadVerificationError
 */
export function verifyModelJobUpload(kind: 'model' | 'inputs', format: UploadFormat, filename: string, actualSize: number, head: Uint8Array): UploadInfo {
  const known = sniffBinaryFormat(head)
  if (kind === 'model') {
    if (known) failUpload('content_mismatch', `"${filename}" says .onnx but its content looks like ${known}. Upload the model exported with torch.onnx.export (one .onnx file).`)
    return { format, rows: null, cols: null, dtype: null }
  }
  if (format === 'zip') {
    if (!(head[0] === 0x50 && head[1] === 0x4b && (head[2] === 0x03 || head[2] === 0x05))) {
      failUpload('content_mismatch', `"${filename}" says .zip but its content ${known ? `looks like ${known}` : 'is not a ZIP archive'}. Create it with "zip -r images.zip folder/".`)
    }
    if (head[2] === 0x05) failUpload('empty_file', `"${filename}" is an empty ZIP archive; put the images in class folders inside it.`)
    return { format, rows: null, cols: null, dtype: null }
  }
  if (format === 'tar') {
    const ustar = head.length >= 262 && String.fromCharCode(...head.subarray(257, 262)) === 'ustar'
    if (!ustar) failUpload('content_mismatch', `"${filename}" says .tar but its content ${known ? `looks like ${known}` : 'is not a tar archive'}. Create it with "tar -cf images.tar folder/" (not compressed).`)
    return { format, rows: null, cols: null, dtype: null }
  }
  if (!hasNpyMagic(head)) failUpload('content_mismatch', `"${filename}" says .npy but its content ${known ? `looks like ${known}` : 'is not a NumPy array'}. Save the input batch with numpy.save(path, x).`)
  let header
  try {
    header = parseNpyHeader(head)
  } catch (err) {
    if (err instanceof NpyFormatError) failUpload(err.code, err.message)
    throw err
  }
  const shape = npyShapeText(header.shape)
  const held = actualSize - header.dataOffset
  const problem = npyDataProblem(header, held)
  if (problem?.code === 'npy_truncated') failUpload('npy_truncated', `The .npy header declares shape ${shape} = ${header.dataBytes} bytes of data but the file holds only ${held}. Save it again with numpy.save() and upload it again.`)
  if (problem) failUpload(problem.code, subArrayTrailingMessage(header, shape, problem.extra))
  if (header.shape.length < 1) failUpload('npy_bad_shape', `The inputs .npy holds a single number; model inputs are a batch [N, ...] with one row per input.`)
  const rows = header.shape[0]!
  if (rows === 0) failUpload('empty_file', `The inputs .npy has shape ${shape}: it holds no inputs.`)
  if (rows > LIMITS.maxModelInputs) failUpload('too_many_points', `The inputs hold ${rows} rows; a model job runs at most ${LIMITS.maxModelInputs}. Subsample them first.`)
  return { format, rows, cols: null, dtype: npyDtypeName(header), fortranOrder: header.fortranOrder, ...(held > header.dataBytes ? { trailingBytes: held - header.dataBytes } : {}) }
}
