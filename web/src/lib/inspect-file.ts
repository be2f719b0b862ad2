/**
 * @module What the browser can tell about a chosen file before uploading it: reads what each format needs
 * (a `.npy` header, the start of a text table, a model's or archive's first bytes) and reports what it holds
 * and the problems the edge or the worker would reject it for, so the user can fix them before waiting for
 * an upload.
 */
import { ACCEPTED_FORMATS, assertTextContent, formatFromFilename, LIMITS, NPY_PREFIX_BYTES, parseNpyHeader, UploadVerificationError, type UploadKind } from '@constellate/shared'
import { emptySummary, formatBytes, setClassCounts, type FileSummary } from './file-summary.ts'
import { inspectNpy, npyLabelCounts } from './inspect-npy.ts'
import { inspectMetadata, inspectText, LineCounter } from './inspect-text.ts'

// The upload form's components import these from here.
export { formatBytes, type FileSummary }

/** Text files up to this size have their rows counted exactly; larger ones are estimated. */
export const EXACT_ROW_COUNT_BYTES = 256 * 1024 ** 2
/** Labels files up to this size are read whole to count the points of each label. */
export const LABEL_COUNT_BYTES = 64 * 1024 ** 2
/** Bytes of a text file parsed to find columns and a header. */
export const TEXT_SAMPLE_BYTES = 256 * 1024

/** Checks that don't need the file's content: extension, emptiness, size. */
export function inspectName(filename: string, size: number, kind: UploadKind): FileSummary {
  const format = formatFromFilename(filename)
  const summary = emptySummary(format)
  const accepted = ACCEPTED_FORMATS[kind]
  if (!format || !accepted.includes(format)) {
    const list = accepted.map((f) => '.' + f).join(', ')
    summary.problems.push(`"${filename}" is not a file type accepted for ${kind}. Use ${list}.`)
  }
  if (size === 0) summary.problems.push(`"${filename}" is empty.`)
  if (kind === 'model' && size > LIMITS.maxModelBytes) {
    summary.problems.push(`"${filename}" is ${formatBytes(size)}; models up to ${formatBytes(LIMITS.maxModelBytes)} are accepted.`)
  }
  if (size > LIMITS.maxUploadBytes) {
    summary.problems.push(`"${filename}" is ${formatBytes(size)}; the largest accepted file is ${formatBytes(LIMITS.maxUploadBytes)}.`)
  }
  return summary
}

/** Anything with a name and Blob's reading methods: a browser File, or a Node File/Blob in tests. */
export interface NamedBlob {
  name: string
  size: number
  slice(start?: number, end?: number): Blob
}

/** Reads what is needed from `file` and inspects it. Never throws for bad content; reports problems. */
export async function inspectFile(file: NamedBlob, kind: UploadKind): Promise<FileSummary> {
  const byName = inspectName(file.name, file.size, kind)
  if (byName.problems.length > 0 || !byName.format) return byName
  const format = byName.format
  if (format === 'onnx' || format === 'zip' || format === 'tar') {
    return inspectBinaryHead(await readBytes(file, 0, Math.min(file.size, 512)), format, file.name)
  }
  if (format === 'npy') {
    const summary = inspectNpy(await readBytes(file, 0, Math.min(file.size, NPY_PREFIX_BYTES)), file.size, kind)
    if (kind === 'labels' && summary.problems.length === 0 && summary.rows !== null && file.size <= LABEL_COUNT_BYTES) {
      const whole = await readBytes(file, 0, file.size)
      setClassCounts(summary, npyLabelCounts(whole, parseNpyHeader(whole)))
    }
    return summary
  }
  const sampleBytes = await readBytes(file, 0, Math.min(file.size, TEXT_SAMPLE_BYTES))
  if (sampleBytes.length >= 6 && sampleBytes[0] === 0x93 && sampleBytes[1] === 0x4e) {
    const summary = emptySummary(format)
    summary.problems.push(`"${file.name}" is a .npy file, not ${format.toUpperCase()} text. Rename it to end in .npy.`)
    return summary
  }
  if (sampleBytes.subarray(0, 4096).includes(0)) {
    const summary = emptySummary(format)
    summary.problems.push(`"${file.name}" is binary, not ${format.toUpperCase()} text. Upload a text file, or a .npy saved with numpy.save().`)
    return summary
  }
  // Labels files small enough are read whole: the points per label come from the same read.
  const complete = sampleBytes.length === file.size || (kind === 'labels' && file.size <= LABEL_COUNT_BYTES)
  const bytes = complete && sampleBytes.length < file.size ? await readBytes(file, 0, file.size) : sampleBytes
  try {
    assertTextContent(bytes, bytes.length, !complete, file.name, format)
  } catch (error) {
    if (!(error instanceof UploadVerificationError)) throw error
    const summary = emptySummary(format)
    summary.problems.push(error.message)
    return summary
  }
  const counter = new LineCounter()
  if (complete) {
    counter.push(bytes)
  } else if (file.size <= EXACT_ROW_COUNT_BYTES) {
    const chunk = 8 * 1024 ** 2
    for (let start = 0; start < file.size; start += chunk) counter.push(await readBytes(file, start, Math.min(file.size, start + chunk)))
  } else {
    counter.push(bytes.subarray(0, bytes.lastIndexOf(0x0a) + 1))
  }
  const totalExact = complete || file.size <= EXACT_ROW_COUNT_BYTES
  const totalLines = totalExact ? counter.count : Math.round((counter.count / bytes.length) * file.size)
  const options = { format, complete, totalLines, totalExact }
  return kind === 'metadata' ? inspectMetadata(bytes, options) : inspectText(bytes, { ...options, kind })
}

async function readBytes(file: NamedBlob, start: number, end: number): Promise<Uint8Array> {
  return new Uint8Array(await file.slice(start, end).arrayBuffer())
}

/**
 * What the first bytes of a model or image archive say: whether the content is what the name claims
 * (the edge checks it again, fully). An ONNX model is a protobuf whose first field is its IR version.
 */
export function inspectBinaryHead(head: Uint8Array, format: 'onnx' | 'zip' | 'tar', filename: string): FileSummary {
  const summary = emptySummary(format)
  const zip = head[0] === 0x50 && head[1] === 0x4b
  const npy = head[0] === 0x93 && head[1] === 0x4e
  const tar = head.length >= 262 && String.fromCharCode(...head.subarray(257, 262)) === 'ustar'
  if (format === 'onnx') {
    summary.dtype = 'ONNX model'
    if (zip || npy || head[0] !== 0x08) {
      summary.problems.push(`"${filename}" does not start like an ONNX model${zip ? ' (it is a ZIP archive)' : npy ? ' (it is a .npy array)' : ''}. Export the model with torch.onnx.export and upload that one .onnx file.`)
    }
  } else if (format === 'zip') {
    summary.dtype = 'ZIP of images'
    if (!zip) summary.problems.push(`"${filename}" is not a ZIP archive. Create it with "zip -r images.zip folder/" (one folder per class).`)
    else summary.notes.push('Labels come from the folder names (one folder per class).')
  } else {
    summary.dtype = 'tar of images'
    if (!tar) summary.problems.push(`"${filename}" is not an (uncompressed) tar archive. Create it with "tar -cf images.tar folder/".`)
    else summary.notes.push('Labels come from the folder names (one folder per class).')
  }
  return summary
}
