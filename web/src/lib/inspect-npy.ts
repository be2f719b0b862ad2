/**
 * @module Inspecting a `.npy` in the browser from its header (shape, dtype, order, data size) as numpy.load
 * and the edge read it, and counting the points per label of an integer labels file.
 */
import { LIMITS, NpyFormatError, npyDataProblem, npyDtypeName, npyShapeText, parseNpyHeader, type NpyHeader, type UploadKind } from '@constellate/shared'
import { checkFeatureShape, emptySummary, formatBytes, plural, type FileSummary } from './file-summary.ts'

/**
 * Inspects a `.npy` file from its first bytes (`prefix`, at least the header; `NPY_PREFIX_BYTES` is
 * enough) and its total size.
 */
export function inspectNpy(prefix: Uint8Array, fileSize: number, kind: UploadKind): FileSummary {
  const summary = emptySummary('npy')
  let header
  try {
    header = parseNpyHeader(prefix)
  } catch (error) {
    if (error instanceof NpyFormatError) {
      summary.problems.push(error.message)
      return summary
    }
    throw error
  }
  summary.shape = header.shape
  summary.fortranOrder = header.fortranOrder
  summary.dtype = npyDtypeName(header)
  const shapeText = npyShapeText(header.shape)
  const declared = header.dataOffset + header.dataBytes
  if (declared > fileSize) {
    summary.problems.push(
      `The .npy header declares shape ${shapeText} (${formatBytes(declared)}), but the file holds only ${formatBytes(fileSize)}. The file is truncated; save it again with numpy.save().`,
    )
  } else if (npyDataProblem(header, fileSize - header.dataOffset)) {
    summary.problems.push(`The .npy dtype groups several values per element and ${formatBytes(fileSize - declared)} follow the array's data, so numpy.load refuses it. Save a plain array with numpy.save().`)
  } else if (declared < fileSize) {
    summary.notes.push(`The file has ${formatBytes(fileSize - declared)} after the array's data, which will be ignored (as numpy.load ignores it).`)
  }
  if (kind === 'inputs') {
    // A model's input batch [N, ...]: whether the rest fits the model is checked against its input (model-form.ts).
    if (header.shape.length < 2) {
      summary.problems.push(`Model inputs must be a batch [N, ...] with one example per row; this one has shape ${shapeText}.`)
    } else {
      summary.rows = header.shape[0]!
      summary.rowsExact = true
      if (summary.rows < LIMITS.minPoints) summary.problems.push(`t-SNE needs at least ${LIMITS.minPoints} inputs; this file has ${summary.rows}.`)
      if (summary.rows > LIMITS.maxModelInputs) {
        summary.problems.push(`This batch has ${plural(summary.rows, 'input')}; at most ${LIMITS.maxModelInputs.toLocaleString('en-US')} are run through a model. Subsample it first.`)
      }
    }
  } else if (kind === 'features') {
    if (header.shape.length !== 2) {
      summary.problems.push(
        `Features must be a 2-D array [N, D]; this one has shape ${shapeText}. Reshape it, e.g. numpy.save(path, x.reshape(len(x), -1)).`,
      )
    } else {
      summary.rows = header.shape[0]!
      summary.cols = header.shape[1]!
      summary.rowsExact = true
      checkFeatureShape(summary, summary.rows, summary.cols)
    }
  } else {
    const [first, second] = header.shape
    if (header.shape.length === 1 || (header.shape.length === 2 && second === 1)) {
      summary.rows = first!
      summary.rowsExact = true
    } else {
      summary.problems.push(`Labels must be a 1-D array with one label per point; this one has shape ${shapeText}.`)
    }
    if (header.kind === 'f') summary.notes.push(`Labels are stored as ${summary.dtype}; integer class ids are expected.`)
  }
  return summary
}

/**
 * Points per label of an integer (or bool) `.npy` labels file, given the whole file; null for float labels.
 * O(n).
 */
export function npyLabelCounts(bytes: Uint8Array, header: NpyHeader): number[] | null {
  if (header.kind === 'f' || bytes.length < header.dataOffset + header.dataBytes) return null
  const view = new DataView(bytes.buffer, bytes.byteOffset + header.dataOffset, header.dataBytes)
  const size = header.itemSize
  const little = header.littleEndian
  const signed = header.kind === 'i'
  const counts = new Map<number, number>()
  for (let at = 0; at < header.dataBytes; at += size) {
    let value: number
    if (size === 1) value = signed ? view.getInt8(at) : view.getUint8(at)
    else if (size === 2) value = signed ? view.getInt16(at, little) : view.getUint16(at, little)
    else if (size === 4) value = signed ? view.getInt32(at, little) : view.getUint32(at, little)
    else value = Number(signed ? view.getBigInt64(at, little) : view.getBigUint64(at, little))
    counts.set(value, (counts.get(value) ?? 0) + 1)
  }
  return [...counts.values()].sort((a, b) => b - a)
}
