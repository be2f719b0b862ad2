import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ARTIFACTS, launchChromium, parseCssColour } from '../src/browser.ts'
import { mnistDigits, npyBytes, npyFloat32, npyInt32 } from '../src/fixtures.ts'

describe('the web page, in Debian Chromium', () => {
  let browser: Browser
  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
  })

  it('uploads MNIST digits, shows live frames arriving, and ends on a map coloured by label', async () => {
    const digits = mnistDigits(200)
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
    await page.goto(inject('stackUrl'))
    await page.getByTestId('features-input').setInputFiles({ name: 'features.npy', mimeType: 'application/octet-stream', buffer: Buffer.from(npyFloat32(digits.features, [digits.n, digits.d])) })
    await page.getByTestId('labels-input').setInputFiles({ name: 'labels.npy', mimeType: 'application/octet-stream', buffer: Buffer.from(npyInt32(digits.labels)) })
    await page.getByTestId('submit-job').click()
    await page.waitForURL(/\/jobs\/job_/, { timeout: 60_000 })

    // Watch the page while the job runs: the frame counter climbs and the canvas keeps changing.
    const canvasSignatures = new Set<string>()
    let framesWhileRunning = 0
    const deadline = Date.now() + 240_000
    for (;;) {
      const status = (await page.getByTestId('job-status').textContent())?.trim()
      const frames = Number(await page.getByTestId('frame-count').textContent())
      if (status === 'running') {
        framesWhileRunning = Math.max(framesWhileRunning, frames)
        canvasSignatures.add(await page.getByTestId('scatter-canvas').evaluate((c: HTMLCanvasElement) => c.toDataURL().slice(-200)))
      }
      if (status === 'succeeded' || status === 'failed' || status === 'cancelled') break
      if (Date.now() > deadline) throw new Error(`job still ${status} after 240 s`)
      await page.waitForTimeout(150)
    }
    await page.screenshot({ path: join(ARTIFACTS, 'live-job-final.png') })
    expect(await page.getByTestId('job-status').textContent()).toBe('succeeded')
    expect(framesWhileRunning).toBeGreaterThanOrEqual(3)
    expect(canvasSignatures.size).toBeGreaterThanOrEqual(3)

    // The legend lists the ten digits; count how many of their colours the final canvas actually shows.
    const items = page.getByTestId('legend-item')
    await expect.poll(() => items.count(), { timeout: 20_000 }).toBe(10)
    const swatches = await items.evaluateAll((els) => els.map((el) => getComputedStyle(el).getPropertyValue('--swatch')))
    const palette = swatches.map(parseCssColour)
    const pixels = await page.getByTestId('scatter-canvas').evaluate((c: HTMLCanvasElement) => {
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data
      return Array.from(data)
    })
    const hits = new Array(palette.length).fill(0)
    for (let i = 0; i < pixels.length; i += 4) {
      const [r, g, b] = [pixels[i]!, pixels[i + 1]!, pixels[i + 2]!]
      palette.forEach(([pr, pg, pb], k) => {
        if (Math.abs(r - pr) <= 6 && Math.abs(g - pg) <= 6 && Math.abs(b - pb) <= 6) hits[k]++
      })
    }
    const coloursShown = hits.filter((count) => count >= 20).length
    expect(coloursShown).toBeGreaterThanOrEqual(5)

    await expect.poll(() => page.getByTestId('download-npy').getAttribute('href')).toMatch(/embedding\.npy$/)
    await expect.poll(() => page.getByTestId('download-csv').getAttribute('href')).toMatch(/embedding\.csv$/)
    await page.close()
  })

  it('shows a failed job\'s reason in plain words', async () => {
    const features = new Float32Array(100 * 4).map((_, i) => (i % 7) + (i % 3))
    features[42] = Number.NaN
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
    await page.goto(inject('stackUrl'))
    await page.getByTestId('features-input').setInputFiles({ name: 'features.npy', mimeType: 'application/octet-stream', buffer: Buffer.from(npyFloat32(features, [100, 4])) })
    const perplexity = page.getByLabel(/perplexity/i)
    await perplexity.fill('10')
    await page.getByTestId('submit-job').click()
    await page.waitForURL(/\/jobs\/job_/, { timeout: 60_000 })
    await expect.poll(() => page.getByTestId('job-status').textContent(), { timeout: 60_000 }).toBe('failed')
    expect(await page.getByTestId('job-error').textContent()).toMatch(/NaN.*at row 10, column 2/)
    await page.screenshot({ path: join(ARTIFACTS, 'failed-job.png') })
    await page.close()
  })

  it('says what is wrong with a rejected upload next to the form, before any job is created', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } })
    await page.goto(inject('stackUrl'))
    const pickled = npyBytes("{'descr': '|O', 'fortran_order': False, 'shape': (3, 2), }", new Uint8Array([0x80, 0x04, 0x95, 1, 2, 3]))
    await page.getByTestId('features-input').setInputFiles({ name: 'features.npy', mimeType: 'application/octet-stream', buffer: Buffer.from(pickled) })
    await page.getByTestId('submit-job').click().catch(() => undefined)
    await expect.poll(async () => (await page.getByTestId('form-error').allTextContents()).join(' '), { timeout: 30_000 }).toMatch(/object|pickle/i)
    expect(page.url()).not.toMatch(/\/jobs\//)
    await page.screenshot({ path: join(ARTIFACTS, 'upload-error-phone.png'), fullPage: true })
    await page.close()
  })
})
