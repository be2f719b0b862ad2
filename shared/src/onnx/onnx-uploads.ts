/**
 * @module An uploaded `.onnx` model as the API describes it: the full streamed ModelProto check at the edge
 * (verifyOnnxObject, see onnx-model.ts), the summary `GET /uploads/:id` shows and the layer list stored
 * beside it. Web APIs only.
 */
import { z } from 'zod'
import { readOnnxModel, type OnnxModelSummary } from './onnx-model.ts'
import { streamSource } from './onnx-proto.ts'

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
