/** @module Reading inputs and writing results in the S3-compatible bucket with @aws-sdk/client-s3. */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import type { WorkerConfig } from './config.ts'

export class ObjectStore {
  private readonly client: S3Client
  constructor(private readonly config: WorkerConfig['s3']) {
    this.client = new S3Client({
      endpoint: config.endpoint,
      region: config.region,
      forcePathStyle: true,
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    })
  }

  async get(key: string): Promise<Uint8Array> {
    const result = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: key }))
    if (!result.Body) throw new Error(`storage returned no body for ${key}`)
    return result.Body.transformToByteArray()
  }

  async put(key: string, body: Uint8Array | string, contentType: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.config.bucket, Key: key, Body: body, ContentType: contentType }))
  }

  destroy(): void {
    this.client.destroy()
  }
}
