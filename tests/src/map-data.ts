/** @module Helpers for the map-data tests: metadata tables, uploads of any kind, result .npy reading. */
import { decodeNpyArray, type Job } from '@constellate/shared'
import type { ApiResponse, TestClient } from './api-client.ts'

export type AnyUploadKind = 'features' | 'labels' | 'metadata' | 'model' | 'inputs'

/** Create, PUT, complete an upload of any kind; the verified upload id, failing loudly otherwise. */
export async function uploadAny(client: TestClient, filename: string, bytes: Uint8Array, kind: AnyUploadKind): Promise<string> {
  const res = await client.upload(filename, bytes, kind as 'features')
  if (res.status !== 200) throw new Error(`upload of ${filename} failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.upload.id
}

/** A CSV with a header row from column name -> values (null: an empty cell). */
export function metadataCsv(columns: Record<string, (string | number | null)[]>): Uint8Array {
  const names = Object.keys(columns)
  const rows = columns[names[0]!]!.length
  const cell = (v: string | number | null) => (v === null ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v))
  const lines = [names.join(',')]
  for (let i = 0; i < rows; i++) lines.push(names.map((name) => cell(columns[name]![i]!)).join(','))
  return new TextEncoder().encode(lines.join('\n') + '\n')
}

/** A result .npy of a job (int32 or float32), failing with the route and status otherwise. */
export async function resultNpy(client: TestClient, path: string): Promise<{ shape: number[]; data: Float32Array | Int32Array }> {
  const res: ApiResponse = await client.request('GET', path)
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(res.body)}`)
  return decodeNpyArray(res.body as Uint8Array)
}

/** Queues a job and waits for it to end; throws with the answer when it is refused. */
export async function runToEnd(client: TestClient, body: object): Promise<Job> {
  const created = await client.request('POST', '/api/v1/jobs', body)
  if (created.status !== 201) throw new Error(`job refused: ${created.status} ${JSON.stringify(created.body)}`)
  return client.waitForJob(created.body.job.id, 180_000)
}
