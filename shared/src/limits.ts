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
  /** Most feature files one job may concatenate into one map (all with the same number of columns). */
  maxFeatureFiles: 16,
  /** Largest metadata file (.csv/.tsv, header row + one row per point), bytes. */
  maxMetadataBytes: 512 * 1024 ** 2,
  /** Most columns in a metadata file. */
  maxMetadataColumns: 64,
  /** Most distinct values a categorical metadata column may hold; columns with more are skipped (and reported). */
  maxMetadataCategories: 65_536,
  /** Longest metadata column name or categorical value, characters (longer ones are cut). */
  maxMetadataTextLength: 200,
  /** Neighbours per point in neighbours.npy, and k of the per-point quality in quality-points.npy. */
  mapNeighbours: 10,
  /** Largest JSON request body, bytes (every JSON route of the public and worker APIs; answers 413 above). */
  maxJsonBodyBytes: 1024 ** 2,
  /**
   * Largest animation frame a worker may post, bytes: a 3D CSTF frame of maxPoints points
   * (frameHeaderBytes(3) = 44 header bytes + 2,000,000 x 3 x 2 bytes of coordinates).
   */
  maxFrameBytes: 44 + 2_000_000 * 3 * 2,
  /** Longest filename kept, characters after normalisation (normaliseFilename): longer ones are shortened, keeping the extension. */
  maxFilenameLength: 255,
  /** Longest filename a request may send, characters (names up to this are shortened rather than refused). */
  maxFilenameRequestLength: 1024,
} as const

/** Part size for a multipart upload of `size` bytes: at least minPartBytes, and at most 10,000 parts. */
export function partSizeFor(size: number, minPartBytes: number = LIMITS.minPartBytes): number {
  const mib = 1024 ** 2
  return Math.max(minPartBytes, Math.ceil(size / 10_000 / mib) * mib)
}
