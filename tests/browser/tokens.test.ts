import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ARTIFACTS, launchChromium } from '../src/browser.ts'

describe('API tokens in the web app', () => {
  let browser: Browser
  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
  })

  it('creates a token shown once that works for scripts, and revokes it', async () => {
    const base = inject('stackUrl')
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
    await page.goto(`${base}/tokens`)
    await page.getByTestId('token-name').fill('nightly pipeline')
    await page.getByTestId('create-token').click()
    const secret = (await page.getByTestId('token-secret').textContent())!.trim()
    expect(secret).toMatch(/^cst_/)
    await expect.poll(() => page.getByTestId('token-row').count()).toBe(1)
    await page.screenshot({ path: join(ARTIFACTS, 'tokens-created.png') })

    const asScript = await fetch(`${base}/api/v1/jobs`, { headers: { authorization: `Bearer ${secret}` } })
    expect(asScript.status).toBe(200)

    page.once('dialog', (dialog) => void dialog.accept())
    await page.getByTestId('token-row').getByRole('button', { name: 'Revoke' }).click()
    await expect.poll(() => page.getByTestId('token-row').textContent()).toContain('revoked')
    const afterRevoke = await fetch(`${base}/api/v1/jobs`, { headers: { authorization: `Bearer ${secret}` } })
    expect(afterRevoke.status).toBe(401)
    await page.reload()
    expect(await page.locator('body').textContent()).not.toContain(secret)
    await page.close()
  })
})
