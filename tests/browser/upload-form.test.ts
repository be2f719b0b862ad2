import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ARTIFACTS, launchChromium } from '../src/browser.ts'
import { blobs, mnistDigits, npyFloat32, npyInt32 } from '../src/fixtures.ts'

/** GET from inside the page, so the request carries the page's workspace cookie; retries wrangler's odd 503. */
async function pageGet(page: Page, path: string, as: 'json' | 'bytes' = 'json'): Promise<{ status: number; body: any }> {
  return page.evaluate(
    async ({ path, as }) => {
      for (let attempt = 1; ; attempt++) {
        const res = await fetch(path)
        if (res.status === 503 && attempt < 4) {
          await new Promise((resolve) => setTimeout(resolve, 250 * attempt))
          continue
        }
        if (as === 'bytes' && res.ok) return { status: res.status, body: Array.from(new Uint8Array(await res.arrayBuffer())) }
        return { status: res.status, body: await res.json().catch(() => null) }
      }
    },
    { path, as },
  )
}

/** Rows [from, to) of a row-major [n, d] matrix, as an .npy file for setInputFiles. */
function npyRows(name: string, features: Float32Array, d: number, from: number, to: number, keepCols = d) {
  const rows = to - from
  const out = new Float32Array(rows * keepCols)
  for (let r = 0; r < rows; r++) out.set(features.subarray((from + r) * d, (from + r) * d + keepCols), r * keepCols)
  return { name, mimeType: 'application/octet-stream', buffer: Buffer.from(npyFloat32(out, [rows, keepCols])) }
}

/** Int32 values of a little-endian int32 .npy. */
function int32Npy(bytes: number[]): Int32Array {
  const data = Uint8Array.from(bytes)
  const headerLength = new DataView(data.buffer).getUint16(8, true)
  return new Int32Array(data.slice(10 + headerLength).buffer)
}

/** Every form control has a name a screen reader can say, and the page does not scroll sideways. */
async function checkAccessibleLayout(page: Page, width: number): Promise<void> {
  const unnamed = await page.locator('form input, form button, form select').evaluateAll((elements) =>
    elements
      .filter((el) => !(el as HTMLInputElement).labels?.length && !el.getAttribute('aria-label') && !(el.textContent ?? '').trim())
      .map((el) => el.outerHTML.slice(0, 120)),
  )
  expect(unnamed).toEqual([])
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width)
}

describe('the upload form with several feature files, in Debian Chromium', () => {
  let browser: Browser
  const digits = mnistDigits(100) // 1,000 points, 100 of each digit, rows cycling 0..9
  const half = digits.n / 2
  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
  })

  it('maps two files of MNIST digits as one, with a source column, after a stratified subsample', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
    await page.goto(inject('stackUrl'))
    await page.getByTestId('features-input').setInputFiles([
      npyRows('digits-a.npy', digits.features, digits.d, 0, half),
      npyRows('digits-b.npy', digits.features, digits.d, half, digits.n),
    ])
    await page.getByTestId('labels-input').setInputFiles({ name: 'labels.npy', mimeType: 'application/octet-stream', buffer: Buffer.from(npyInt32(digits.labels)) })

    await expect.poll(() => page.getByTestId('feature-file').count()).toBe(2)
    await expect.poll(() => page.getByTestId('features-total').textContent()).toMatch(/2 files · 1,000 points · D = 784/)
    expect(await page.getByTestId('feature-file').first().textContent()).toMatch(/shape \(500, 784\) · float32/)
    expect(await page.getByTestId('source-hint').textContent()).toMatch(/source column/)
    await expect.poll(() => page.locator('#labels-file-summary').textContent()).toMatch(/10 classes/)

    // A metadata table one row short is flagged before anything is sent; the right one shows its columns.
    const metadataRows = Array.from({ length: digits.n }, (_, i) => `${i % 5 === 0 ? 'test' : 'train'},${(i % 17) / 4}`)
    const metadataFile = (rows: string[]) => ({ name: 'digits-meta.csv', mimeType: 'text/csv', buffer: Buffer.from(['split,brightness', ...rows].join('\n') + '\n') })
    await page.getByTestId('metadata-input').setInputFiles(metadataFile(metadataRows.slice(1)))
    await expect.poll(async () => (await page.locator('.field-warning').allTextContents()).join(' ')).toMatch(/digits-meta\.csv has 999 rows but the features have 1,000 points/)
    await page.getByRole('button', { name: 'Remove digits-meta.csv' }).click()
    await page.getByTestId('metadata-input').setInputFiles(metadataFile(metadataRows))
    await expect.poll(() => page.locator('#metadata-file-summary').textContent()).toMatch(/1,000 rows × 2 columns/)
    expect(await page.getByTestId('detected-column').allTextContents()).toEqual(['split text', 'brightness number'])
    expect(await page.locator('.field-warning').count()).toBe(0)
    await page.screenshot({ path: join(ARTIFACTS, 'upload-multi-files.png'), fullPage: true })

    // Stratified: at most 30 of each digit, so 300 points; perplexity is checked against those.
    await page.getByTestId('subsample-stratified').check()
    await page.getByTestId('subsample-per-label').fill('30')
    await expect.poll(() => page.getByTestId('subsample-summary').textContent()).toMatch(/keeps 300 of 1,000 points/)
    await page.getByLabel('Perplexity').fill('120')
    await expect.poll(() => page.locator('#param-perplexity-error').textContent()).toMatch(/the subsample keeps 300/)
    await page.getByLabel('Perplexity').fill('30')
    await expect.poll(() => page.locator('#param-perplexity-error').count()).toBe(0)
    await page.getByTestId('subsample-fields').scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(ARTIFACTS, 'upload-subsample.png') })
    await checkAccessibleLayout(page, 1280)

    await page.setViewportSize({ width: 390, height: 844 })
    await checkAccessibleLayout(page, 390)
    await page.screenshot({ path: join(ARTIFACTS, 'upload-multi-files-phone.png'), fullPage: true })
    await page.setViewportSize({ width: 1280, height: 720 })

    // Each file gets its own progress bar while the form uploads them (the page moves on once the job exists).
    await page.evaluate(() => {
      const seen = { bars: 0 }
      ;(window as unknown as { uploadBars: typeof seen }).uploadBars = seen
      new MutationObserver(() => {
        seen.bars = Math.max(seen.bars, document.querySelectorAll('[data-testid="upload-progress"]').length)
      }).observe(document.body, { subtree: true, childList: true })
    })
    await page.getByTestId('submit-job').click()
    await page.waitForURL(/\/jobs\/job_/, { timeout: 90_000 })
    expect(await page.evaluate(() => (window as unknown as { uploadBars: { bars: number } }).uploadBars.bars)).toBe(4)
    const jobId = /\/jobs\/(job_[^/?#]+)/.exec(page.url())![1]!

    let job: any
    const deadline = Date.now() + 240_000
    for (;;) {
      job = (await pageGet(page, `/api/v1/jobs/${jobId}`)).body.job
      if (['succeeded', 'failed', 'cancelled'].includes(job.status)) break
      if (Date.now() > deadline) throw new Error(`job still ${job.status} after 240 s`)
      await page.waitForTimeout(500)
    }
    expect(job.error).toBeNull()
    expect(job.status).toBe('succeeded')
    expect(job.featureUploads).toHaveLength(2)
    expect(job.params.subsample).toEqual({ method: 'stratified', perLabel: 30 })
    expect(job.n).toBe(300)

    // The source column names both files; its counts are the kept rows of each file (indices.npy says which).
    const metadata = await pageGet(page, `/api/v1/jobs/${jobId}/metadata`)
    expect(metadata.status).toBe(200)
    expect(metadata.body.n).toBe(300)
    expect(metadata.body.columns.map((column: any) => column.name)).toEqual(['source', 'split', 'brightness'])
    const source = metadata.body.columns.find((column: any) => column.name === 'source')
    expect(source).toMatchObject({ type: 'categorical', categories: ['digits-a.npy', 'digits-b.npy'], missing: 0 })
    const indices = int32Npy((await pageGet(page, job.results.indicesNpy, 'bytes')).body)
    expect(indices.length).toBe(300)
    const fromFirst = indices.filter((row) => row < half).length
    expect(source.counts).toEqual([fromFirst, 300 - fromFirst])
    expect(fromFirst).toBeGreaterThan(0)
    expect(fromFirst).toBeLessThan(300)
    source.codes.forEach((code: number, i: number) => expect(code).toBe(indices[i]! < half ? 0 : 1))
    // The uploaded metadata follows the kept rows too.
    const split = metadata.body.columns.find((column: any) => column.name === 'split')
    split.codes.forEach((code: number, i: number) => expect(split.categories[code]).toBe(indices[i]! % 5 === 0 ? 'test' : 'train'))
    // 30 of each digit were kept.
    const perDigit = new Array(10).fill(0)
    for (const row of indices) perDigit[digits.labels[row]!]++
    expect(perDigit).toEqual(new Array(10).fill(30))

    const manifest = await pageGet(page, job.results.manifest)
    expect(manifest.body.subsample).toMatchObject({ method: 'stratified', perLabel: 30, size: null, nBefore: 1000, nAfter: 300 })
    expect(Object.values(manifest.body.subsample.perLabelCounts)).toEqual(new Array(10).fill(30))
    await page.close()
  })

  it('names both files and their D when the files do not match, and sends nothing', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
    const requests: string[] = []
    page.on('request', (request) => {
      if (request.method() !== 'GET') requests.push(`${request.method()} ${request.url()}`)
    })
    await page.goto(inject('stackUrl'))
    await page.getByTestId('features-input').setInputFiles(npyRows('digits-a.npy', digits.features, digits.d, 0, half))
    // A second pick adds to the list rather than replacing the first file.
    await page.getByTestId('features-input').setInputFiles(npyRows('digits-cropped.npy', digits.features, digits.d, half, digits.n, 392))
    await expect.poll(() => page.getByTestId('feature-file').count()).toBe(2)
    const mismatch = 'digits-cropped.npy has 392 columns (D) but digits-a.npy has 784; every features file of one map needs the same D.'
    await expect.poll(() => page.getByTestId('feature-file').nth(1).textContent()).toContain(mismatch)
    await page.getByTestId('submit-job').click()
    await expect.poll(() => page.getByTestId('form-error').textContent()).toContain(mismatch)
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('features-file')
    await page.screenshot({ path: join(ARTIFACTS, 'upload-dims-mismatch.png'), fullPage: true })
    expect(page.url()).not.toMatch(/\/jobs\//)
    expect(await page.getByTestId('upload-progress').count()).toBe(0)
    expect(requests.filter((line) => /\/api\/v1\/(uploads|jobs)/.test(line))).toEqual([])

    // Removing the odd file clears the error.
    await page.getByRole('button', { name: 'Remove digits-cropped.npy' }).click()
    await expect.poll(() => page.getByTestId('feature-file').count()).toBe(1)
    expect(await page.getByText(mismatch).count()).toBe(0)

    // Without labels, stratified sampling is unavailable and says why; a random sample must be smaller than N.
    expect(await page.getByTestId('subsample-stratified').isDisabled()).toBe(true)
    expect(await page.locator('#subsample-stratified-why').textContent()).toMatch(/needs a labels file/)
    await page.getByTestId('subsample-random').check()
    await page.getByTestId('subsample-size').fill('500')
    await expect.poll(() => page.locator('#subsample-size-error').textContent()).toBe(
      'A sample of 500 keeps all 500 points. Choose fewer than 500, or turn subsampling off.',
    )
    await page.getByTestId('submit-job').click()
    await expect.poll(() => page.getByTestId('form-error').textContent()).toMatch(/A sample of 500 keeps all 500 points/)
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('subsample-size')
    await page.getByTestId('subsample-size').fill('50')
    await expect.poll(() => page.locator('#param-perplexity-error').textContent()).toMatch(/Perplexity 30 needs at least 91 points; the subsample keeps 50/)
    expect(requests.filter((line) => /\/api\/v1\/(uploads|jobs)/.test(line))).toEqual([])
    await page.close()
  })

  it('sorts files dropped on the page into features, labels and metadata', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } })
    await page.goto(inject('stackUrl'))
    const { features, labels } = blobs(60, 4, 3)
    const files = [
      { name: 'run1_embeddings.npy', bytes: Array.from(npyFloat32(features.subarray(0, 120), [30, 4])) },
      { name: 'labels.npy', bytes: Array.from(npyInt32(labels)) },
      { name: 'run2_embeddings.npy', bytes: Array.from(npyFloat32(features.subarray(120), [30, 4])) },
      { name: 'sample_info.tsv', bytes: Array.from(Buffer.from(['batch\tscore', ...Array.from({ length: 60 }, (_, i) => `b${i % 2}\t${i}`)].join('\n'))) },
    ]
    await page.evaluate((files) => {
      const transfer = new DataTransfer()
      for (const file of files) transfer.items.add(new File([new Uint8Array(file.bytes)], file.name))
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }))
    }, files)
    await expect.poll(() => page.getByTestId('feature-file').count()).toBe(2)
    expect((await page.getByTestId('feature-file').allTextContents()).map((text) => text.split(' ')[0])).toEqual(['run1_embeddings.npy', 'run2_embeddings.npy'])
    await expect.poll(() => page.getByTestId('features-total').textContent()).toMatch(/60 points · D = 4/)
    await expect.poll(() => page.locator('#labels-file-summary').textContent()).toMatch(/shape \(60,\) · int32 · 3 classes/)
    await expect.poll(() => page.locator('#metadata-file-summary').textContent()).toMatch(/60 rows × 2 columns/)
    // 60 points in all are too few for the default perplexity; that is the one thing the form flags.
    expect(await page.locator('.field-warning, .field-error').allTextContents()).toEqual([
      'Perplexity 30 needs at least 91 points; the features have 60. Lower perplexity to 19 or less (or "auto", the largest that fits), or upload more points.',
    ])
    await page.getByLabel('Perplexity').fill('15')
    await expect.poll(() => page.locator('.field-warning, .field-error').count()).toBe(0)
    await page.screenshot({ path: join(ARTIFACTS, 'upload-dropped-files-phone.png'), fullPage: true })
    await page.close()
  })
})
