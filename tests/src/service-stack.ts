/**
 * @module A second stack for job-service tests: test clock on, no workers until a test starts one (unless
 * `options` asks for some), in a fresh data dir unless `options.dataDir` names one (then the caller keeps it).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import { startStack, LOCAL_SECRETS, type Stack, type StackOptions } from '../../scripts/local-stack.ts'

export interface ServiceStack extends Stack {
  s3: S3Client
  dataDir: string
  advanceClock(ms: number): Promise<{ now: number; reclaimed: number }>
  objectExists(key: string): Promise<boolean>
  getObject(key: string): Promise<Uint8Array>
  listKeys(prefix: string): Promise<string[]>
  dispose(): Promise<void>
}

export async function startServiceStack(edgeVars: Record<string, string> = {}, options: Partial<StackOptions> = {}): Promise<ServiceStack> {
  const ownsDataDir = options.dataDir === undefined
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'constellate-svc-'))
  const stack = await startStack({ port: 0, s3Port: 0, workers: 0, verbose: process.env.VERBOSE === '1', ...options, dataDir, edgeVars: { TEST_CLOCK: '1', ...edgeVars } })
  const s3 = new S3Client({
    endpoint: stack.s3Url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: LOCAL_SECRETS.accessKeyId, secretAccessKey: LOCAL_SECRETS.secretAccessKey },
  })
  const Bucket = LOCAL_SECRETS.bucket
  return {
    ...stack,
    s3,
    dataDir,
    async advanceClock(ms) {
      const res = await fetch(`${stack.url}/api/v1/_test/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceMs: ms }) })
      if (!res.ok) throw new Error(`advancing the clock failed: ${res.status} ${await res.text()}`)
      return (await res.json()) as { now: number; reclaimed: number }
    },
    async objectExists(key) {
      try {
        await s3.send(new HeadObjectCommand({ Bucket, Key: key }))
        return true
      } catch {
        return false
      }
    },
    async getObject(key) {
      const res = await s3.send(new GetObjectCommand({ Bucket, Key: key }))
      return res.Body!.transformToByteArray()
    },
    async listKeys(prefix) {
      const res = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: prefix }))
      return (res.Contents ?? []).map((o) => o.Key!)
    },
    async dispose() {
      s3.destroy()
      await stack.stop()
      if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
