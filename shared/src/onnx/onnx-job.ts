/**
 * @module The `model` section of a job (features computed by an uploaded ONNX model on uploaded inputs),
 * and what such a job leaves behind: the per-layer results list and the thumbnail index.
 */
import { z } from 'zod'
import { LIMITS } from '../limits.ts'

const Side = z.number().int().min(1).max(4096)

/** How images are turned into the model's input; whatever is left out is read off the model input shape. */
export const ImagePreprocess = z
  .object({
    /** [height, width] or one number for a square. Default: the model input's fixed size. */
    size: z.union([Side, z.tuple([Side, Side])]).optional(),
    /** 1 (grey, ITU-R 601 luma) or 3 (RGB). Default: the model input's channel dimension. */
    channels: z.union([z.literal(1), z.literal(3)]).optional(),
    /** Default: NCHW unless the model input's last dimension is 1 or 3. */
    layout: z.enum(['NCHW', 'NHWC']).optional(),
    /** Pixel values 0..255 are multiplied by this first. Default 1/255. */
    scale: z.number().positive().finite().optional(),
    /** Subtracted per channel after scaling (1 value or one per channel). Default [0]. */
    mean: z.array(z.number().finite()).min(1).max(3).optional(),
    /** Divided by per channel after the mean (1 value or one per channel). Default [1]. */
    std: z.array(z.number().finite().refine((v) => v !== 0, 'std must not be 0')).min(1).max(3).optional(),
  })
  .strict()
export type ImagePreprocess = z.infer<typeof ImagePreprocess>

/** `POST /api/v1/jobs` body's `model`: embed what a model computes on the inputs instead of uploaded features. */
export const ModelJobRequest = z
  .object({
    /** Upload id of the `.onnx` model (kind "model"). */
    upload: z.string().min(1),
    /** Upload id of the inputs (kind "inputs"): `.npy` batch [N, ...] or `.zip`/`.tar` of images in class folders. */
    inputs: z.string().min(1),
    /** Tensor names to embed, one map each (see GET /uploads/:id/layers). Default: the model's default layer. */
    layers: z.array(z.string().min(1).max(1000)).min(1).max(LIMITS.maxModelLayers).optional(),
    preprocess: ImagePreprocess.optional(),
    /** Inputs per inference batch. Default: the model's fixed batch, else up to 256. */
    batchSize: z.number().int().min(1).max(4096).optional(),
  })
  .strict()
export type ModelJobRequest = z.infer<typeof ModelJobRequest>

/** One embedded layer in `GET /api/v1/jobs/:id/layers`. */
export const JobLayer = z.object({
  index: z.number().int(),
  /** Tensor name. */
  name: z.string(),
  opType: z.string().nullable(),
  /** One input's shape at this layer, as the run saw it. */
  shape: z.array(z.number().int()),
  /** Flattened width: product of shape. */
  d: z.number().int(),
  kl: z.number().nullable(),
  iterations: z.number().int(),
  embeddingNpy: z.string(),
  embeddingCsv: z.string(),
  metrics: z.string(),
  /** int32 [N, k]: each point's nearest neighbours in this layer's feature (or PCA) space. */
  neighboursNpy: z.string().optional(),
  /** float32 [N]: share of those neighbours that are also among the point's nearest in this layer's map. */
  qualityPointsNpy: z.string().optional(),
})
export type JobLayer = z.infer<typeof JobLayer>

export const JobLayers = z.object({
  layers: z.array(JobLayer),
  /** The thumbnail index route when the inputs were images, else null. */
  thumbnails: z.string().nullable(),
})
export type JobLayers = z.infer<typeof JobLayers>
