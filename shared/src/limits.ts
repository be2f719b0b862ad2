/** @module Limits enforced by the edge and the worker; documented in README "Limits". */
export const LIMITS = {
  /** Largest single uploaded file, bytes. */
  maxUploadBytes: 2 * 1024 ** 3,
  /** Most points one job may embed. */
  maxPoints: 2_000_000,
  /** Fewest points t-SNE can meaningfully embed. */
  minPoints: 5,
  /** Widest feature vector. */
  maxDims: 65_536,
  /** Largest `.npy` header, bytes (numpy writes < 200 for plain arrays). */
  maxNpyHeaderBytes: 10_000,
  /** Files above this size upload in parts (S3 multipart), so browsers can resume them. */
  multipartThresholdBytes: 100 * 1024 ** 2,
  /** Smallest part size (S3's minimum is 5 MiB). */
  minPartBytes: 8 * 1024 ** 2,
  /** Presigned upload URLs stay valid this long, seconds. */
  presignExpirySeconds: 15 * 60,
  /** Text files up to this size are scanned by the edge at completion to count rows. */
  maxScannedTextBytes: 64 * 1024 ** 2,
  /** Most iterations a job may ask for. */
  maxIterations: 10_000,
  /** Largest perplexity accepted. */
  maxPerplexity: 1_000,
  /** Longest a job may run before it is failed, seconds. */
  jobWallTimeSeconds: 2 * 60 * 60,
  /** Jobs queued or running at once per workspace. */
  maxActiveJobsPerWorkspace: 20,
  /** Largest ONNX model, bytes (weights must be inside the file: external data is refused). */
  maxModelBytes: 512 * 1024 ** 2,
  /** Most nodes in an ONNX graph (subgraphs included). */
  maxModelNodes: 100_000,
  /** Most inputs (rows of an input tensor, or images in an archive) one model job may run. */
  maxModelInputs: 200_000,
  /** Most layers one model job may embed (one map each). */
  maxModelLayers: 8,
  /** Longest a model job's inference may take in total, seconds. */
  inferenceTimeSeconds: 30 * 60,
  /** Largest decoded image side, pixels (bigger images are refused before decoding). */
  maxImageSide: 4096,
} as const

/** Smallest N for a perplexity: k = 3*perplexity neighbours must exist. */
export function minPointsForPerplexity(perplexity: number): number {
  return Math.floor(3 * perplexity) + 1
}

/** Part size for a multipart upload of `size` bytes: at least minPartBytes, and at most 10,000 parts. */
export function partSizeFor(size: number, minPartBytes: number = LIMITS.minPartBytes): number {
  const mib = 1024 ** 2
  return Math.max(minPartBytes, Math.ceil(size / 10_000 / mib) * mib)
}
