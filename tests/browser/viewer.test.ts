import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ARTIFACTS, launchChromium, parseCssColour } from '../src/browser.ts'
import { canvasSignature, clusters, countColours, createJobInPage, inkedPixels, pngInfo, waitForEnd } from '../src/viewer-helpers.ts'

interface Hook {
  renderer: string
  n: number
  dims: number
  mode: string
  selection: number[]
  project(i: number): [number, number]
  positions(): number[]
  visible(i: number): boolean
}
declare global {
  interface Window {
    __constellate: Hook
  }
}

const CLASSES = 6
const N_2D = 1200
const N_3D = 800

describe('the embedding viewer, in Debian Chromium', () => {
  let browser: Browser
  let owner: BrowserContext
  let page: Page
  let job2d = ''
  let job3d = ''
  const data2d = clusters(N_2D, 24, CLASSES, 5)
  const data3d = clusters(N_3D, 24, CLASSES, 9)

  beforeAll(async () => {
    browser = await launchChromium()
    owner = await browser.newContext({ viewport: { width: 1280, height: 720 }, acceptDownloads: true })
    page = await owner.newPage()
    await page.goto(inject('stackUrl'))
    job2d = await createJobInPage(page, { features: data2d.features, d: 24, labels: data2d.labels, params: { perplexity: 30, dims: 2, iterations: 300, seed: 3 } })
    job3d = await createJobInPage(page, { features: data3d.features, d: 24, labels: data3d.labels, params: { perplexity: 20, dims: 3, iterations: 300, seed: 4 } })
  })
  afterAll(async () => {
    await browser?.close()
  })

  async function classColours(): Promise<[number, number, number][]> {
    const items = page.getByTestId('legend-item')
    await expect.poll(() => items.count(), { timeout: 30_000 }).toBe(CLASSES)
    const swatches = await items.evaluateAll((els) => els.map((el) => getComputedStyle(el).getPropertyValue('--swatch')))
    return swatches.map(parseCssColour)
  }

  it('animates a live job: the canvas changes from frame to frame while it runs', async () => {
    // A fresh job, watched from before it starts: the ones made in beforeAll may already have finished.
    const live = await createJobInPage(page, { features: data2d.features, d: 24, labels: data2d.labels, params: { perplexity: 30, dims: 2, iterations: 600, seed: 5 } })
    await page.goto(`${inject('stackUrl')}/jobs/${live}`)
    const signatures = new Set<string>()
    const deadline = Date.now() + 120_000
    let status = ''
    for (;;) {
      status = (await page.getByTestId('job-status').textContent().catch(() => ''))?.trim() ?? ''
      if (status === 'running' && Number(await page.getByTestId('frame-count').textContent()) > 0) signatures.add(await canvasSignature(page))
      if (['succeeded', 'failed', 'cancelled'].includes(status) || Date.now() > deadline) break
      await page.waitForTimeout(60)
    }
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-live-end.png') })
    expect(status).toBe('succeeded')
    expect(signatures.size).toBeGreaterThanOrEqual(3)
    // Software WebGL (SwiftShader, as here) is slower than the CPU rasteriser, so 'auto' picks the latter.
    expect(['webgl2', 'canvas']).toContain(await page.evaluate(() => window.__constellate.renderer))
    // The timeline offers the run for replay once it has ended.
    await expect.poll(() => page.getByTestId('timeline-scrub').count(), { timeout: 20_000 }).toBe(1)
    const before = await canvasSignature(page)
    await page.getByTestId('timeline-scrub').fill('1')
    await expect.poll(() => canvasSignature(page), { timeout: 10_000 }).not.toBe(before)
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-replay-scrubbed.png') })
    await page.getByTestId('timeline-scrub').fill(String(await page.getByTestId('timeline-scrub').getAttribute('max')))
  })

  it('hides a class when its legend entry is toggled (pixel check)', async () => {
    const colours = await classColours()
    await page.waitForTimeout(600)
    const before = await countColours(page, colours)
    expect(before.every((count) => count > 20)).toBe(true)
    await page.getByTestId('legend-item').nth(2).getByRole('button').click()
    await expect.poll(async () => (await countColours(page, colours))[2], { timeout: 5_000 }).toBe(0)
    const after = await countColours(page, colours)
    expect(after[0]).toBeGreaterThan(20)
    expect(await page.getByTestId('legend-item').nth(2).getAttribute('data-hidden')).toBe('true')
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-legend-hidden.png') })
    await page.getByTestId('legend-item').nth(2).getByRole('button').click()
    await expect.poll(async () => (await countColours(page, colours))[2], { timeout: 5_000 }).toBeGreaterThan(20)
  })

  it('shows the index and label of a known point when hovering it', async () => {
    const box = (await page.getByTestId('scatter-canvas').boundingBox())!
    // A point near the middle of the map, so the tooltip has room.
    const index = await page.evaluate(() => {
      const hook = window.__constellate
      const positions = hook.positions()
      const canvas = document.querySelector('[data-testid="scatter-canvas"]') as HTMLCanvasElement
      const cx = canvas.clientWidth / 2
      const cy = canvas.clientHeight / 2
      let best = 0
      let bestDistance = Infinity
      for (let i = 0; i < hook.n; i++) {
        const d = (positions[i * 2]! - cx) ** 2 + (positions[i * 2 + 1]! - cy) ** 2
        if (d < bestDistance) {
          bestDistance = d
          best = i
        }
      }
      return best
    })
    const [x, y] = await page.evaluate((i) => window.__constellate.project(i), index)
    await page.mouse.move(box.x + x, box.y + y)
    const tooltip = page.getByTestId('tooltip')
    await expect.poll(() => tooltip.getAttribute('data-index'), { timeout: 5_000 }).toBe(String(index))
    expect(await tooltip.textContent()).toContain(`#${index.toLocaleString('en-US')}`)
    expect(await page.getByTestId('tooltip-label').textContent()).toBe(String(data2d.labels[index]))
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-hover.png') })
  })

  it('selects exactly the points inside a lasso', async () => {
    await page.getByTestId('tool-lasso').click()
    const box = (await page.getByTestId('scatter-canvas').boundingBox())!
    const polygon: [number, number][] = [
      [box.width * 0.3, box.height * 0.3],
      [box.width * 0.65, box.height * 0.25],
      [box.width * 0.7, box.height * 0.7],
      [box.width * 0.35, box.height * 0.75],
    ]
    const expected = await page.evaluate((polygon) => {
      const hook = window.__constellate
      const positions = hook.positions()
      let count = 0
      for (let i = 0; i < hook.n; i++) {
        const x = positions[i * 2]!
        const y = positions[i * 2 + 1]!
        let inside = false
        for (let a = 0, b = polygon.length - 1; a < polygon.length; b = a++) {
          const [xa, ya] = polygon[a]!
          const [xb, yb] = polygon[b]!
          if (ya > y !== yb > y && x < ((xb - xa) * (y - ya)) / (yb - ya) + xa) inside = !inside
        }
        if (inside && hook.visible(i)) count++
      }
      return count
    }, polygon)
    expect(expected).toBeGreaterThan(10)
    await page.mouse.move(box.x + polygon[0]![0], box.y + polygon[0]![1])
    await page.mouse.down()
    for (const [x, y] of [...polygon.slice(1), polygon[0]!]) await page.mouse.move(box.x + x, box.y + y, { steps: 6 })
    await page.mouse.up()
    await expect.poll(() => page.getByTestId('selection-count').textContent(), { timeout: 5_000 }).toBe(expected.toLocaleString('en-US'))
    expect((await page.evaluate(() => window.__constellate.selection)).length).toBe(expected)
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-lasso.png') })
    // The selection downloads as CSV with one row per point.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-selection').click()])
    const csv = readFileSync((await download.path())!, 'utf8').trim().split('\n')
    expect(csv[0]).toBe('index,x,y,label')
    expect(csv).toHaveLength(expected + 1)
    await page.getByTestId('tool-pan').click()
  })

  it('finds points by label and keeps the view in the URL', async () => {
    await page.getByTestId('label-search').fill('4')
    await expect.poll(() => page.getByTestId('search-result').textContent()).toContain(`${N_2D / CLASSES} points in 1 matching label`)
    await page.getByTestId('legend-item').nth(1).getByRole('button').click()
    await expect.poll(() => page.evaluate(() => window.location.hash), { timeout: 5_000 }).toMatch(/hide=1.*q=4|q=4.*hide=1/)
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-search.png') })
    const hash = await page.evaluate(() => window.location.hash)
    expect(hash).toMatch(/sel=/)
    await page.reload()
    await waitForEnd(page)
    await expect.poll(() => page.getByTestId('legend-item').nth(1).getAttribute('data-hidden'), { timeout: 20_000 }).toBe('true')
    expect(await page.getByTestId('label-search').inputValue()).toBe('4')
    await expect.poll(() => page.evaluate(() => window.__constellate?.selection.length ?? 0), { timeout: 20_000 }).toBeGreaterThan(0)
    await page.goto(`${inject('stackUrl')}/jobs/${job2d}`)
    await waitForEnd(page)
  })

  it('colours points by how many of their map neighbours share their label', async () => {
    await page.getByTestId('color-by').selectOption('agreement')
    // Clean clusters: nearly every point has all 10 map neighbours in its class, the top of the scale.
    await expect.poll(async () => (await countColours(page, [[253, 231, 37]], 3))[0], { timeout: 10_000 }).toBeGreaterThan(300)
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-agreement.png') })
    await page.getByTestId('color-by').selectOption('label')
  })

  it('exports a PNG of the requested pixel size with its DPI written in', async () => {
    await page.getByTestId('export-width').fill('1200')
    await page.getByTestId('export-height').fill('900')
    await page.getByTestId('export-dpi').fill('300')
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.getByTestId('export-png').click()])
    const bytes = new Uint8Array(readFileSync((await download.path())!))
    expect(pngInfo(bytes)).toEqual({ width: 1200, height: 900, dpi: 300 })
    expect(download.suggestedFilename()).toMatch(/1200x900-300dpi\.png$/)
    // Keep the figure itself as an artifact.
    const figure = await browser.newPage()
    await figure.setContent(`<img src="data:image/png;base64,${Buffer.from(bytes).toString('base64')}" style="width:1200px">`)
    await figure.screenshot({ path: join(ARTIFACTS, 'viewer-export-figure.png'), fullPage: true })
    await figure.close()
    // SVG of the same view: one path per colour and a legend as text.
    const [svgDownload] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.getByTestId('export-svg').click()])
    const svg = readFileSync((await svgDownload.path())!, 'utf8')
    expect(svg).toMatch(/^<svg [^>]*width="4.000in" height="3.000in" viewBox="0 0 1200 900"/)
    expect(svg.match(/<path stroke=/g)?.length).toBe(CLASSES)
    expect(svg).toContain('>5</text>')
    // The run as an animated GIF.
    await page.getByTestId('export-animation-format').selectOption('gif')
    const [gifDownload] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('export-animation').click()])
    const gif = readFileSync((await gifDownload.path())!)
    expect(gif.subarray(0, 6).toString('latin1')).toBe('GIF89a')
    expect(gif.readUInt16LE(6)).toBe(640)
  })

  it('creates a share link in the Share panel that opens the same view read-only, until revoked', async () => {
    const share = page.getByTestId('share')
    await expect.poll(() => share.count(), { timeout: 10_000 }).toBe(1)
    // Hide a class first: the link carries the view.
    await page.getByTestId('legend-item').nth(3).getByRole('button').click()
    await expect.poll(() => page.evaluate(() => window.location.hash), { timeout: 5_000 }).toContain('hide=3')
    await page.getByTestId('share-create').click()
    const field = page.getByTestId('share-link').first()
    await expect.poll(() => field.inputValue(), { timeout: 10_000 }).toMatch(/\/v\/[^#?]+#.*hide=3/)
    const url = await field.inputValue()
    const reader = await browser.newContext({ viewport: { width: 1280, height: 720 } })
    const shared = await reader.newPage()
    const response = await shared.goto(url)
    expect(response?.headers()['referrer-policy']).toBe('no-referrer')
    await expect.poll(() => shared.getByTestId('read-only').count(), { timeout: 20_000 }).toBe(1)
    await expect.poll(() => inkedPixels(shared), { timeout: 20_000 }).toBeGreaterThan(500)
    expect(await shared.getByTestId('legend-item').nth(3).getAttribute('data-hidden')).toBe('true')
    expect(await shared.getByTestId('cancel-job').count()).toBe(0)
    expect(await shared.getByTestId('share').count()).toBe(0)
    expect(await shared.getByTestId('legend-item').count()).toBe(CLASSES)
    await expect.poll(() => shared.getByTestId('quality').textContent(), { timeout: 20_000 }).toContain('10-NN label accuracy')
    await shared.screenshot({ path: join(ARTIFACTS, 'viewer-shared-read-only.png') })
    const embed = await reader.newPage()
    await embed.goto(url.replace('#', '?embed=1#'))
    await expect.poll(() => inkedPixels(embed), { timeout: 20_000 }).toBeGreaterThan(500)
    expect(await embed.locator('.site-header').count()).toBe(0)
    expect(await embed.getByTestId('share').count()).toBe(0)
    await embed.screenshot({ path: join(ARTIFACTS, 'viewer-embed.png') })
    // Revoke in the panel: the page and its data both refuse the link.
    await page.getByTestId('share-revoke').first().click()
    await expect.poll(() => page.getByTestId('share-item').first().textContent(), { timeout: 10_000 }).toContain('revoked')
    const again = await shared.goto(url.split('#')[0]!)
    expect(again?.status()).toBe(410)
    expect(await shared.locator('body').textContent()).toMatch(/revoked/i)
    const token = new URL(url).pathname.split('/').pop()
    expect(await shared.evaluate(async (path) => (await fetch(path)).status, `/api/v1/shared/${token}`)).toBe(410)
    await reader.close()
    await page.getByTestId('legend-item').nth(3).getByRole('button').click()
  })

  it('renders the 3-D view with WebGL2, orbits it, hides a class, and switches to 2-D', async () => {
    // Forced WebGL2, so the GPU path is tested even where WebGL runs in software.
    await page.goto(`${inject('stackUrl')}/jobs/${job3d}?renderer=webgl2`)
    expect(await waitForEnd(page)).toBe('succeeded')
    await expect.poll(() => page.evaluate(() => window.__constellate?.dims), { timeout: 20_000 }).toBe(3)
    expect(await page.evaluate(() => window.__constellate.mode)).toBe('3d')
    expect(await page.evaluate(() => window.__constellate.renderer)).toBe('webgl2')
    const colours = await classColours()
    await page.waitForTimeout(500)
    const shown = await countColours(page, colours)
    expect(shown.filter((count) => count > 10).length).toBeGreaterThanOrEqual(5)
    // Auto-rotation keeps the picture moving.
    const first = await canvasSignature(page)
    await expect.poll(() => canvasSignature(page), { timeout: 5_000 }).not.toBe(first)
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-3d.png') })
    await page.getByTestId('auto-rotate').click()
    await page.getByTestId('legend-item').nth(0).getByRole('button').click()
    await expect.poll(async () => (await countColours(page, colours))[0], { timeout: 5_000 }).toBe(0)
    expect((await countColours(page, colours))[1]).toBeGreaterThan(10)
    await page.getByTestId('legend-item').nth(0).getByRole('button').click()
    await page.getByTestId('view-2d').click()
    await expect.poll(() => page.evaluate(() => window.__constellate.mode)).toBe('2d')
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-3d-as-2d.png') })
  })

  it('fits a phone screen without sideways scrolling', async () => {
    const phone = await owner.newPage()
    await phone.setViewportSize({ width: 390, height: 844 })
    await phone.goto(`${inject('stackUrl')}/jobs/${job2d}`)
    await waitForEnd(phone)
    await expect.poll(() => inkedPixels(phone), { timeout: 20_000 }).toBeGreaterThan(300)
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    await phone.screenshot({ path: join(ARTIFACTS, 'viewer-phone.png'), fullPage: true })
    await phone.close()
  })
})
