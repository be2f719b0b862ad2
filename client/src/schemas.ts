/**
 * @module Envelopes of the API's answers, built from the shared zod schemas (`@constellate/shared`), plus
 * the few answers shared does not describe yet (frame list, part report, generic JSON files).
 */
import { z } from 'zod'
import { ApiToken, CreateTokenResponse, CreateUploadResponse, Job, JobLabels, JobLayers, JobMetadata, ModelLayers, MultipartPlan, ShareLink, ThumbnailIndex, Upload } from '@constellate/shared'

export const UploadEnvelope = z.object({ upload: Upload })
export const UploadPartsEnvelope = z.object({ upload: Upload, multipart: MultipartPlan })
export const ReportPartResponse = z.object({ partNumber: z.number(), etag: z.string() })
export { CreateUploadResponse, CreateTokenResponse, JobLabels, JobLayers, JobMetadata, ModelLayers, ThumbnailIndex }

export const JobEnvelope = z.object({ job: Job })
export const JobList = z.object({ jobs: z.array(Job) })

/** `GET /jobs/:id/frames`: the stored frames of the job's current attempt, for replay. Not in shared yet. */
export const FrameList = z.object({
  frames: z.array(z.object({ seq: z.number().int(), iteration: z.number().int(), kl: z.number().nullable().optional() })),
})
export type FrameList = z.infer<typeof FrameList>
/** One stored frame: its sequence number, iteration and KL divergence (null or absent when not computed). */
export type FrameInfo = FrameList['frames'][number]

export const LinkEnvelope = z.object({ link: ShareLink })
export const LinkList = z.object({ links: z.array(ShareLink) })

export const TokenEnvelope = z.object({ token: ApiToken })
export const TokenList = z.object({ tokens: z.array(ApiToken) })

/** manifest.json, metrics.json, the OpenAPI document: JSON objects whose inside the client does not check. */
export const JsonObject = z.record(z.string(), z.unknown())
