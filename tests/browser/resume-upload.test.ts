import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ARTIFACTS, launchChromium } from '../src/browser.ts'
import { npyFloat32 } from '../src/fixtures.ts'
import { startServiceStack, type ServiceStack } from '../src/service-stack.ts'

describe('a large upload from the browser', () => {
  let browser: Browser
  let stack: ServiceStack
  beforeAll(async () => {
    // Small multipart sizes so a 13 MiB file goes up in three 5 MiB parts.
    stack = await startServiceStack({ MULTIPART_THRESHOLD_BYTES: String(6 * 1024 ** 2), MIN_PART_BYTES: String(5 * 1024 ** 2) })
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.dispose()
  })

  it('resumes after a dropped connection, sending only the parts storage does not have yet', async () => {
    const rows = 4200
    const cols = 800
    const file = npyFloat32(new Float32Array(rows * cols).map((_, i) => (i % 613) / 613), [rows, cols])
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
    const partPuts: number[] = []
    let dropped = false
    await page.route(/partNumber=\d+/, async (route) => {
      const partNumber = Number(/partNumber=(\d+)/.exec(route.request().url())![1])
      if (route.request().method() !== 'PUT') return route.continue()
      if (partNumber === 2 && !dropped) {
        dropped = true
        return route.abort('connectionreset')
      }
      partPuts.push(partNumber)
      return route.continue()
    })
    await page.goto(stack.url)
    await page.getByTestId('features-input').setInputFiles({ name: 'features.npy', mimeType: 'application/octet-stream', buffer: Buffer.from(file) })
    await page.getByLabel(/perplexity/i).fill('10')
    await page.getByTestId('submit-job').click()
    await expect.poll(async () => (await page.getByTestId('form-error').allTextContents()).join(' '), { timeout: 60_000 }).toMatch(/could not be uploaded/)
    const firstRound = [...partPuts]
    expect(firstRound).not.toContain(2)
    await page.screenshot({ path: join(ARTIFACTS, 'upload-interrupted.png') })

    await page.getByTestId('submit-job').click()
    await page.waitForURL(/\/jobs\/job_/, { timeout: 60_000 })
    const secondRound = partPuts.slice(firstRound.length)
    expect(secondRound).toContain(2)
    for (const part of firstRound) expect(secondRound).not.toContain(part)
    expect([...firstRound, ...secondRound].sort()).toEqual([1, 2, 3])
    await page.close()
  })
})
