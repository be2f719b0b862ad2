/**
 * @module Verifying a features or labels `.npy` upload: what numpy.load would make of it (header, dtype,
 * data size) and whether its shape fits the kind, in messages that say how to save it right.
 */
import { LIMITS } from '../limits.ts'
import { NpyFormatError, hasNpyMagic, npyDataProblem, npyDtypeName, npyShapeText, parseNpyHeader, type NpyHeader } from '../npy/npy.ts'
import type { UploadInfo, UploadKind } from '../schemas.ts'
import { failUpload } from './errors.ts'
import { describeContent } from './sniff.ts'

/**
 * Checks a features or labels `.npy` from its first bytes (at least NPY_PREFIX_BYTES) and stored size: magic,
 * header, dtype, shape and exact data size.
 * @throws UploadVerificationError
 */
export function verifyNpy(kind: UploadKind, filename: string, actualSize: number, head: Uint8Array): UploadInfo {
  if (!hasNpyMagic(head)) {
    failUpload('content_mismatch', `"${filename}" says .npy but its content ${describeContent(head)}. Save the array with numpy.save(path, array), or give the file the extension that matches its content.`)
  }
  let header: NpyHeader
  try {
    header = parseNpyHeader(head)
  } catch (err) {
    if (!(err instanceof NpyFormatError)) throw err
    const labelsHint = kind === 'labels' && (err.code === 'npy_object_dtype' || err.code === 'npy_unsupported_dtype')
      ? ' For text labels, write one per line instead: numpy.savetxt("labels.txt", labels, fmt="%s").'
      : ''
    failUpload(err.code, err.message + labelsHint)
  }
  const shape = npyShapeText(header.shape)
  const dtype = npyDtypeName(header)
  const held = actualSize - header.dataOffset
  const problem = npyDataProblem(header, held)
  if (problem?.code === 'npy_truncated') {
    failUpload('npy_truncated', `The .npy header declares shape ${shape} ${dtype} = ${header.dataBytes} bytes of data but the file holds only ${held}. The file was cut short (an interrupted save or copy); save it again with numpy.save() and upload it again.`)
  }
  if (problem) failUpload(problem.code, subArrayTrailingMessage(header, shape, problem.extra))
  const info = kind === 'features' ? npyFeaturesInfo(header, shape, dtype) : npyLabelsInfo(header, shape, dtype)
  // numpy.load reads the declared array and ignores what follows it; so does every reader here, and the
  // info says how much was ignored (e.g. a second array saved into the same file)
  return held > header.dataBytes ? { ...info, trailingBytes: held - header.dataBytes } : info
}

/** Why a sub-array dtype's file with a whole element after its data does not load (numpy's reshape fails). */
export function subArrayTrailingMessage(header: NpyHeader, shape: string, extra: number): string {
  return `The .npy dtype groups ${header.elementBytes / header.itemSize} values per element and ${extra} bytes follow the data of shape ${shape}, so numpy.load reads more values than the shape holds and refuses the file. Save a plain array, e.g. numpy.save(path, x.astype("float32")).`
}

function npyFeaturesInfo(header: NpyHeader, shape: string, dtype: string): UploadInfo {
  const dims = header.shape.length
  if (dims === 0) failUpload('npy_bad_shape', `The features .npy holds a single number (shape ()); features must be a 2-D array [points, dimensions].`)
  if (dims === 1) {
    failUpload('npy_bad_shape', `The features .npy has shape ${shape}, a 1-D array; features must be 2-D [points, dimensions]. If each point has a single value, save x.reshape(-1, 1).`)
  }
  if (dims > 2) {
    failUpload('npy_bad_shape', `The features .npy has shape ${shape}; features must be 2-D [points, dimensions]. Flatten each point first: numpy.save(path, x.reshape(len(x), -1)).`)
  }
  const [rows, cols] = header.shape as [number, number]
  checkPointCount(rows, 'features', shape)
  if (cols === 0) failUpload('empty_file', `The features .npy has shape ${shape}: its points have no dimensions.`)
  if (cols > LIMITS.maxDims) failUpload('too_many_dims', `The features have ${cols} dimensions; at most ${LIMITS.maxDims} are accepted. Reduce them first (e.g. PCA) or pick a smaller layer.`)
  return { format: 'npy', rows, cols, dtype, fortranOrder: header.fortranOrder }
}

function npyLabelsInfo(header: NpyHeader, shape: string, dtype: string): UploadInfo {
  const s = header.shape
  if (!(s.length === 1 || (s.length === 2 && s[1] === 1))) {
    const oneHot = s.length === 2 ? ' If the rows are one-hot or scores, save labels.argmax(axis=1).' : ''
    failUpload('npy_bad_shape', `The labels .npy has shape ${shape}; labels must be 1-D, one per point (shape (N,) or (N, 1)).${oneHot}`)
  }
  if (header.kind === 'f') {
    failUpload('labels_not_integer', `The labels .npy has dtype ${dtype}; labels must be integers, booleans or text. Save labels.astype(int), or write text labels one per line to a .txt file.`)
  }
  checkPointCount(s[0]!, 'labels', shape)
  return { format: 'npy', rows: s[0]!, cols: null, dtype, fortranOrder: header.fortranOrder }
}

function checkPointCount(rows: number, kind: UploadKind, shape: string): void {
  if (rows === 0) failUpload('empty_file', `The ${kind} .npy has shape ${shape}: it holds no points.`)
  if (rows > LIMITS.maxPoints) failUpload('too_many_points', `The ${kind} hold ${rows} points; at most ${LIMITS.maxPoints} are accepted. Subsample them first.`)
}
