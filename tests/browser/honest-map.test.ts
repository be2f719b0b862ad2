import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ARTIFACTS, launchChromium } from '../src/browser.ts'
import { npyFloat32 } from '../src/fixtures.ts'
import { seededRandom } from '../src/seeded-random.ts'

describe('perplexity that fits, and warnings above the map, in Debian Chromium', () => {
  let browser: Browser
  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
  })

  it('fixes a perplexity too large for 50 points in one click, runs with Auto, and shows the map its warning', async () => {
    const n = 50
    const d = 4
    const random = seededRandom(4)
    const features = Float32Array.from({ length: n * d }, (_, t) => (Math.floor(t / d) % 2 === t % 2 ? 1 : 0) + 0.2 * random())
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await page.goto(inject('stackUrl'))
    await page.getByTestId('features-input').setInputFiles({ name: 'fifty.npy', mimeType: 'application/octet-stream', buffer: Buffer.from(npyFloat32(features, [n, d])) })
    await expect.poll(() => page.locator('#param-perplexity-error').textContent()).toMatch(/Perplexity 30 needs at least 91 points; the features have 50/)

    await page.getByRole('button', { name: 'Use 16' }).click()
    await expect.poll(() => page.locator('#param-perplexity-error').count()).toBe(0)
    expect(await page.getByLabel('Perplexity').inputValue()).toBe('16')

    await page.getByLabel('Auto').check()
    expect(await page.getByLabel('Perplexity').isDisabled()).toBe(true)
    expect(await page.getByLabel('Perplexity').inputValue()).toBe('16')
    expect(await page.locator('#param-perplexity-hint').textContent()).toMatch(/Auto: 16, the largest up to 30 that 50 points allow/)

    await page.getByTestId('submit-job').click()
    await page.waitForURL(/\/jobs\/job_/, { timeout: 90_000 })
    await expect.poll(() => page.getByTestId('job-status').textContent(), { timeout: 180_000 }).toBe('succeeded')
    const warnings = page.getByTestId('map-warnings')
    await expect.poll(() => warnings.isVisible(), { timeout: 30_000 }).toBe(true)
    const text = await warnings.textContent()
    expect(text).toMatch(/Read this map with care/)
    expect(text).toMatch(/Perplexity 16 gives each point 48 neighbours, 98% of the other 49 points/)
    expect(await warnings.locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-code')))).toEqual(['perplexity_near_limit'])
    // above the map, not below it
    const warningBox = (await warnings.boundingBox())!
    const mapBox = (await page.locator('.map-area').boundingBox())!
    expect(warningBox.y + warningBox.height).toBeLessThanOrEqual(mapBox.y + 1)
    await page.screenshot({ path: join(ARTIFACTS, 'map-warnings.png') })

    // the embedded view keeps them, collapsed to one line
    const embedded = await browser.newPage({ viewport: { width: 800, height: 500 } })
    await embedded.context().addCookies(await page.context().cookies())
    await embedded.goto(`${page.url()}?embed=1`)
    await expect.poll(() => embedded.getByTestId('map-warnings').textContent(), { timeout: 30_000 }).toMatch(/1 warning about this map/)
  })
})
