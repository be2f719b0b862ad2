/**
 * @module Verifying the uploads of model jobs at the edge: `.onnx` models (kind "model": size cap, then a
 * streamed ModelProto check, see onnx-model.ts) and their inputs (kind "inputs": an `.npy` batch [N, ...]
 * or a `.zip`/`.tar` image archive, checked by header). Web APIs only.
 */
import { z } from 'zod'
import { LIMITS } from './limits.ts'
import { NpyFormatError, hasNpyMagic, npyDataProblem, parseNpyHeader, npyDtypeName } from './npy.ts'
import { readOnnxModel, type OnnxModelSummary } from './onnx-model.ts'
import { streamSource } from './onnx-proto.ts'
import { UploadVerificationError, npyShapeText, sniffBinaryFormat, subArrayTrailingMessage } from './verify-upload.ts'
import type { UploadFormat, UploadInfo, UploadKind } from './schemas.ts'

/** Formats whose first bytes (NPY_PREFIX_BYTES) are all the edge reads for the header check. */
export function isBinaryFormat(format: UploadFormat | null): boolean {
  return format === 'npy' || format === 'onnx' || format === 'zip' || format === 'tar'
}

/** What `GET /uploads/:id` says about a verified model (the full layer list is at /uploads/:id/layers). */
export const OnnxUploadInfo = z.object({
  irVersion: z.number().int(),
  opsetVersion: z.number().int().nullable(),
  producer: z.string(),
  inputs: z.array(z.object({ name: z.string(), elemType: z.string().nullable(), shape: z.array(z.union([z.number(), z.string(), z.null()])).nullable() })),
  outputs: z.array(z.object({ name: z.string(), elemType: z.string().nullable(), shape: z.array(z.union([z.number(), z.string(), z.null()])).nullable() })),
  nodeCount: z.number().int(),
  defaultLayer: z.string(),
})
export type OnnxUploadInfo = z.infer<typeof OnnxUploadInfo>

/** `GET /api/v1/uploads/:id/layers`: every node output of the model's graph. */
export const ModelLayers = z.object({
  defaultLayer: z.string(),
  inputs: OnnxUploadInfo.shape.inputs,
  outputs: OnnxUploadInfo.shape.outputs,
  layers: z.array(
    z.object({
      output: z.string(),
      node: z.string(),
      opType: z.string(),
      index: z.number().int(),
      shape: z.array(z.union([z.number(), z.string(), z.null()])).nullable(),
    }),
  ),
})
export type ModelLayers = z.infer<typeof ModelLayers>

/** A message for an upload announced larger than its kind allows, or null. */
export function uploadSizeError(kind: UploadKind, filename: string, size: number): string | null {
  if (kind === 'model' && size > LIMITS.maxModelBytes) {
    return `"${filename}" is ${Math.round(size / 1024 ** 2)} MiB; models up to ${LIMITS.maxModelBytes / 1024 ** 2} MiB are accepted.`
  }
  if (kind === 'metadata' && size > LIMITS.maxMetadataBytes) {
    return `"${filename}" is ${Math.round(size / 1024 ** 2)} MiB; metadata files up to ${LIMITS.maxMetadataBytes / 1024 ** 2} MiB are accepted. Keep the columns you need.`
  }
  return null
}

function fail(code: ConstructorParameters<typeof UploadVerificationError>[0], message: string): never {
  throw new UploadVerificationError(code, message)
}

/**
 * The header check of a model or inputs upload from its first bytes (the model's full check streams the
 * whole file: verifyOnnxObject).
 * @throws UploadVerificationError
 */
export function verifyModelJobUpload(kind: 'model' | 'inputs', format: UploadFormat, filename: string, actualSize: number, head: Uint8Array): UploadInfo {
  const known = sniffBinaryFormat(head)
  if (kind === 'model') {
    if (known) fail('content_mismatch', `"${filename}" says .onnx but its content looks like ${known}. Upload the model exported with torch.onnx.export (one .onnx file).`)
    return { format, rows: null, cols: null, dtype: null }
  }
  if (format === 'zip') {
    if (!(head[0] === 0x50 && head[1] === 0x4b && (head[2] === 0x03 || head[2] === 0x05))) {
      fail('content_mismatch', `"${filename}" says .zip but its content ${known ? `looks like ${known}` : 'is not a ZIP archive'}. Create it with "zip -r images.zip folder/".`)
    }
    if (head[2] === 0x05) fail('empty_file', `"${filename}" is an empty ZIP archive; put the images in class folders inside it.`)
    return { format, rows: null, cols: null, dtype: null }
  }
  if (format === 'tar') {
    const ustar = head.length >= 262 && String.fromCharCode(...head.subarray(257, 262)) === 'ustar'
    if (!ustar) fail('content_mismatch', `"${filename}" says .tar but its content ${known ? `looks like ${known}` : 'is not a tar archive'}. Create it with "tar -cf images.tar folder/" (not compressed).`)
    return { format, rows: null, cols: null, dtype: null }
  }
  if (!hasNpyMagic(head)) fail('content_mismatch', `"${filename}" says .npy but its content ${known ? `looks like ${known}` : 'is not a NumPy array'}. Save the input batch with numpy.save(path, x).`)
  let header
  try {
    header = parseNpyHeader(head)
  } catch (err) {
    if (err instanceof NpyFormatError) fail(err.code, err.message)
    throw err
  }
  const shape = npyShapeText(header.shape)
  const held = actualSize - header.dataOffset
  const problem = npyDataProblem(header, held)
  if (problem?.code === 'npy_truncated') fail('npy_truncated', `The .npy header declares shape ${shape} = ${header.dataBytes} bytes of data but the file holds only ${held}. Save it again with numpy.save() and upload it again.`)
  if (problem) fail(problem.code, subArrayTrailingMessage(header, shape, problem.extra))
  if (header.shape.length < 1) fail('npy_bad_shape', `The inputs .npy holds a single number; model inputs are a batch [N, ...] with one row per input.`)
  const rows = header.shape[0]!
  if (rows === 0) fail('empty_file', `The inputs .npy has shape ${shape}: it holds no inputs.`)
  if (rows > LIMITS.maxModelInputs) fail('too_many_points', `The inputs hold ${rows} rows; a model job runs at most ${LIMITS.maxModelInputs}. Subsample them first.`)
  return { format, rows, cols: null, dtype: npyDtypeName(header), fortranOrder: header.fortranOrder, ...(held > header.dataBytes ? { trailingBytes: held - header.dataBytes } : {}) }
}

/**
 * Streams a stored `.onnx` object through the ModelProto check (constant memory). Returns the summary
 * for the upload's info and the layer list to store beside it.
 * @throws OnnxModelError
 */
export async function verifyOnnxObject(body: ReadableStream<Uint8Array>, size: number): Promise<{ info: OnnxUploadInfo; layers: ModelLayers }> {
  const summary: OnnxModelSummary = await readOnnxModel(streamSource(body), size)
  const { irVersion, opsetVersion, producer, inputs, outputs, nodeCount, defaultLayer } = summary
  return {
    info: { irVersion, opsetVersion, producer, inputs, outputs, nodeCount, defaultLayer },
    layers: { defaultLayer, inputs, outputs, layers: summary.layers },
  }
}
