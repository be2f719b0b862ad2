/** @module Helpers for the viewer's browser tests: jobs created from inside the page (same workspace cookie), pixel counts. */
import type { Page } from 'playwright-core'
import { npyFloat32, npyInt32 } from './fixtures.ts'
import { seededRandom } from './seeded-random.ts'

/** Seeded gaussian clusters in `d` dims, well separated, `classes` of them, float32 [n, d] + labels. */
export function clusters(n: number, d: number, classes: number, seed = 3): { features: Float32Array; labels: Int32Array } {
  const random = seededRandom(seed)
  const features = new Float32Array(n * d)
  const labels = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const c = i % classes
    labels[i] = c
    for (let k = 0; k < d; k++) features[i * d + k] = (k % classes === c ? 8 : 0) + (random() - 0.5) * 2
  }
  return { features, labels }
}

/**
 * Uploads features (and labels) and creates a job through the API from inside `page`, so the job belongs
 * to the page's workspace. Returns the job id.
 */
export async function createJobInPage(
  page: Page,
  input: { features: Float32Array; d: number; labels?: Int32Array; params: Record<string, unknown> },
): Promise<string> {
  const n = input.features.length / input.d
  const features = Array.from(npyFloat32(input.features, [n, input.d]))
  const labels = input.labels ? Array.from(npyInt32(input.labels)) : null
  return page.evaluate(
    async ({ features, labels, params }) => {
      async function upload(bytes: number[], filename: string, kind: string): Promise<string> {
        const body = new Uint8Array(bytes)
        const created = await fetch('/api/v1/uploads', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ filename, size: body.byteLength, kind }) })
        if (created.status !== 201) throw new Error(`create upload: ${created.status} ${await created.text()}`)
        const { upload, uploadUrl } = await created.json()
        const put = await fetch(uploadUrl, { method: 'PUT', body })
        if (!put.ok) throw new Error(`PUT: ${put.status}`)
        const done = await fetch(`/api/v1/uploads/${upload.id}/complete`, { method: 'POST' })
        if (!done.ok) throw new Error(`complete: ${done.status} ${await done.text()}`)
        return upload.id
      }
      const featuresId = await upload(features, 'features.npy', 'features')
      const labelsId = labels ? await upload(labels, 'labels.npy', 'labels') : undefined
      const job = await fetch('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ features: featuresId, labels: labelsId, params }) })
      if (job.status !== 201) throw new Error(`create job: ${job.status} ${await job.text()}`)
      return (await job.json()).job.id as string
    },
    { features, labels, params: input.params },
  )
}

/** Waits until the job page shows a final status; returns it. */
export async function waitForEnd(page: Page, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const status = (await page.getByTestId('job-status').textContent({ timeout: timeoutMs }).catch(() => ''))?.trim() ?? ''
    if (['succeeded', 'failed', 'cancelled'].includes(status)) return status
    if (Date.now() > deadline) throw new Error(`job still "${status}" after ${timeoutMs} ms`)
    await page.waitForTimeout(200)
  }
}

/** How many pixels of the map canvas are within `tolerance` of each colour. */
export async function countColours(page: Page, colours: [number, number, number][], tolerance = 2): Promise<number[]> {
  return page.getByTestId('scatter-canvas').evaluate(
    (canvas: HTMLCanvasElement, { colours, tolerance }) => {
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data
      const counts = colours.map(() => 0)
      for (let i = 0; i < data.length; i += 4) {
        for (let k = 0; k < colours.length; k++) {
          const [r, g, b] = colours[k]!
          if (Math.abs(data[i]! - r) <= tolerance && Math.abs(data[i + 1]! - g) <= tolerance && Math.abs(data[i + 2]! - b) <= tolerance) counts[k]!++
        }
      }
      return counts
    },
    { colours, tolerance },
  )
}

/** Pixels of the map canvas that are not white. */
export async function inkedPixels(page: Page): Promise<number> {
  return page.getByTestId('scatter-canvas').evaluate((canvas: HTMLCanvasElement) => {
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data
    let count = 0
    for (let i = 0; i < data.length; i += 4) if (data[i]! < 245 || data[i + 1]! < 245 || data[i + 2]! < 245) count++
    return count
  })
}

/** A short fingerprint of what the map canvas shows. */
export async function canvasSignature(page: Page): Promise<string> {
  return page.getByTestId('scatter-canvas').evaluate((canvas: HTMLCanvasElement) => {
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data
    let hash = 2166136261
    for (let i = 0; i < data.length; i += 16) hash = Math.imul(hash ^ data[i]!, 16777619)
    return (hash >>> 0).toString(16)
  })
}

/** Width, height and DPI from PNG bytes (IHDR and pHYs). */
export function pngInfo(bytes: Uint8Array): { width: number; height: number; dpi: number | null } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const width = view.getUint32(16)
  const height = view.getUint32(20)
  let dpi: number | null = null
  let offset = 8
  while (offset + 8 <= bytes.length) {
    const length = view.getUint32(offset)
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8))
    if (type === 'pHYs' && bytes[offset + 16] === 1) dpi = Math.round(view.getUint32(offset + 8) * 0.0254)
    if (type === 'IEND') break
    offset += 12 + length
  }
  return { width, height, dpi }
}
