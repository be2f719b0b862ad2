import { join } from 'node:path'
import { PNG } from 'pngjs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ARTIFACTS, launchChromium } from '../src/browser.ts'
import { npyFloat32 } from '../src/fixtures.ts'
import { buildStripeCnn } from '../src/onnx-builder.ts'
import { stripeImages, zipBytes } from '../src/onnx-images.ts'

const file = (name: string, bytes: Uint8Array) => ({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) })

/** Non-background pixels of a canvas: a blank map has none. */
function inkedPixels(page: Page, selector: string, nth = 0): Promise<number> {
  return page.locator(selector).nth(nth).evaluate((c: HTMLCanvasElement) => {
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data
    let inked = 0
    for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && (data[i]! < 235 || data[i + 1]! < 235 || data[i + 2]! < 235)) inked++
    return inked
  })
}

describe('a model job from the web page, in Debian Chromium', () => {
  let browser: Browser
  // Encoding images blocks the event loop; do it before the browser talks to the stack.
  const images = stripeImages(30, 16, 11)
  const archive = zipBytes(images.files)
  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
  })

  it('uploads an ONNX model, lists its layers, checks the inputs, embeds two layers and shows them side by side', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
    await page.goto(inject('stackUrl'))
    await page.getByTestId('source-model').click()
    expect(page.url()).toMatch(/\?from=model$/)

    // The model is uploaded and checked as soon as it is chosen; its layers are listed with the default picked.
    await page.getByTestId('model-input').setInputFiles(file('stripes.onnx', buildStripeCnn(16)))
    await expect.poll(() => page.getByTestId('layer-option').count(), { timeout: 60_000 }).toBe(5)
    expect(await page.getByTestId('model-summary').textContent()).toContain('Model input "image": [N, 3, 16, 16]')
    const options = page.getByTestId('layer-option')
    const picked = await options.evaluateAll((els) => els.filter((el) => (el as HTMLInputElement).checked).map((el) => (el as HTMLInputElement).value))
    expect(picked).toEqual(['features'])
    expect(await page.getByTestId('layer-picker').textContent()).toMatch(/features\s*Flatten\s*\[N, 6\]\s*default/)

    // A batch of the wrong shape is refused before anything is sent, saying what the model expects.
    await page.getByTestId('inputs-input').setInputFiles(file('batch.npy', npyFloat32(new Float32Array(20 * 256), [20, 16, 16])))
    await expect.poll(() => page.locator('#inputs-file-problems').textContent()).toMatch(/expects \[N, 3, 16, 16\].*has shape \(20, 16, 16\)/)
    await page.getByTestId('submit-model-job').click()
    await expect.poll(() => page.getByTestId('form-error').textContent()).toMatch(/batch\.npy: The model input "image" expects/)
    await page.screenshot({ path: join(ARTIFACTS, 'model-form-shape-error.png') })

    // An image archive instead: preprocessing appears, with what the model implies as placeholders.
    await page.getByTestId('inputs-input').setInputFiles(file('stripes.zip', archive))
    await expect.poll(() => page.locator('#pre-size').getAttribute('placeholder')).toBe('16')
    await expect.poll(() => page.locator('#inputs-file-problems').count()).toBe(0)
    await page.locator('#pre-mean').fill('0.1, 0.2')
    await expect.poll(() => page.getByText('2 values for 3 channels').count()).toBe(0)
    await page.locator('#pre-channels').selectOption('3')
    await expect.poll(() => page.getByText('2 values for 3 channels; give 1 or 3.').count()).toBe(1)
    await page.locator('#pre-mean').fill('')

    // Pick a second layer; parameters small enough for 90 images.
    await options.nth(4).check()
    await page.locator('#param-perplexity').fill('10')
    await page.locator('#param-iterations').fill('300')
    await page.screenshot({ path: join(ARTIFACTS, 'model-form-ready.png'), fullPage: true })
    await page.getByTestId('submit-model-job').click()
    await page.waitForURL(/\/jobs\/job_/, { timeout: 60_000 })
    await expect.poll(() => page.getByTestId('job-status').textContent(), { timeout: 240_000 }).toBe('succeeded')
    // 300 iterations leave both layers' maps unsettled: one warning above the map names both layers
    await expect.poll(() => page.getByTestId('map-warnings').locator('li').allTextContents(), { timeout: 30_000 }).toEqual([
      expect.stringMatching(/^Not converged \(layers features, logits\)\. The optimisation stopped 50 iterations after early exaggeration/),
    ])

    // Both layers are listed; the folder names are the labels.
    const choices = page.getByTestId('layer-choice')
    await expect.poll(() => choices.count(), { timeout: 30_000 }).toBe(2)
    expect(await choices.evaluateAll((els) => els.map((el) => (el as HTMLInputElement).value))).toEqual(['features', 'logits'])
    await expect.poll(() => page.getByTestId('legend-item').count(), { timeout: 30_000 }).toBe(3)
    expect((await page.getByTestId('legend-item').allTextContents()).map((t) => t.trim()).sort()).toEqual(['diagonal', 'horizontal', 'vertical'])

    // Hovering a point shows its image (a tile of a stored thumbnail sheet) above its index and label.
    // (the map may sit below the fold: warnings above it push it down)
    await page.getByTestId('scatter-canvas').scrollIntoViewIfNeeded()
    const box = (await page.getByTestId('scatter-canvas').boundingBox())!
    const [x, y] = await page.evaluate(() => (window as unknown as { __constellate: { project(i: number): [number, number] } }).__constellate.project(7))
    await page.mouse.move(box.x + x, box.y + y)
    const thumb = page.getByTestId('tooltip-thumbnail')
    await expect.poll(() => thumb.count(), { timeout: 10_000 }).toBe(1)
    const image = (await thumb.evaluate((el) => getComputedStyle(el).backgroundImage)) ?? ''
    expect(image).toMatch(/\/api\/v1\/jobs\/job_[^/]+\/thumbnails\/\d+\.png/)
    const sheet = await page.evaluate(async (url) => {
      const response = await fetch(url)
      return { status: response.status, type: response.headers.get('content-type') }
    }, /url\("?([^")]+)"?\)/.exec(image)![1]!)
    expect(sheet).toEqual({ status: 200, type: 'image/png' })
    // The tile drawn is this very image, undistorted: its stripes run the same way as in the source file
    // (archives are read sorted by path, so point 7 is diagonal/007.png).
    expect(await page.getByTestId('tooltip-label').textContent()).toBe('diagonal')
    const orientation = (png: PNG) => {
      const grey = (x: number, y: number) => {
        const o = (y * png.width + x) * 4
        return png.data[o]! + png.data[o + 1]! + png.data[o + 2]!
      }
      let rising = 0
      let falling = 0
      for (let y = 1; y < png.height - 1; y++) {
        for (let x = 1; x < png.width - 1; x++) {
          rising += Math.abs(grey(x, y) - grey(x + 1, y - 1))
          falling += Math.abs(grey(x, y) - grey(x + 1, y + 1))
        }
      }
      return rising / falling
    }
    const source = orientation(PNG.sync.read(Buffer.from(images.files['diagonal/007.png']!)))
    const shown = orientation(PNG.sync.read(await thumb.screenshot({ path: join(ARTIFACTS, 'model-job-thumbnail-tile.png') })))
    // one direction clearly dominates in the source, and the same one in the tile
    expect(Math.abs(Math.log(source))).toBeGreaterThan(Math.log(2))
    expect(Math.sign(Math.log(shown))).toBe(Math.sign(Math.log(source)))
    expect(Math.abs(Math.log(shown))).toBeGreaterThan(Math.log(1.5))
    // wherever the point is, the tooltip stays inside the map
    const tip = (await page.getByTestId('tooltip').boundingBox())!
    expect(tip.x).toBeGreaterThanOrEqual(box.x)
    expect(tip.y).toBeGreaterThanOrEqual(box.y)
    expect(tip.x + tip.width).toBeLessThanOrEqual(box.x + box.width)
    expect(tip.y + tip.height).toBeLessThanOrEqual(box.y + box.height)
    await page.screenshot({ path: join(ARTIFACTS, 'model-job-hover-thumbnail.png') })
    await page.mouse.move(box.x + 2, box.y + 2)

    // Showing the second layer loads its map and points the downloads at it.
    const before = await page.getByTestId('scatter-canvas').evaluate((c: HTMLCanvasElement) => c.toDataURL())
    await choices.nth(1).check()
    await expect.poll(() => page.getByTestId('download-npy').getAttribute('href')).toMatch(/\/layers\/1\/embedding\.npy$/)
    await expect.poll(() => page.getByTestId('scatter-canvas').evaluate((c: HTMLCanvasElement) => c.toDataURL()), { timeout: 10_000 }).not.toBe(before)
    await expect.poll(() => page.url()).toMatch(/#.*layer=1/)
    // Each layer's map has its own per-point quality and original-space neighbours.
    await page.getByTestId('color-by').selectOption('quality')
    await expect.poll(() => page.getByTestId('colour-scale').textContent(), { timeout: 10_000 }).toMatch(/nearest neighbours in the original space/)
    const layerQuality = await page.evaluate(async () => {
      const id = /\/jobs\/([^/#?]+)/.exec(location.pathname)![1]
      const response = await fetch(`/api/v1/jobs/${id}/layers/1/quality-points.npy`)
      return { status: response.status, bytes: (await response.arrayBuffer()).byteLength }
    })
    expect(layerQuality.status).toBe(200)
    expect(layerQuality.bytes).toBeGreaterThan(90 * 4)
    await page.getByTestId('color-by').selectOption('label')
    await page.screenshot({ path: join(ARTIFACTS, 'model-job-layer-logits.png') })

    // Side by side: one drawn map per layer; the URL reopens the comparison.
    await page.getByTestId('compare-layers').click()
    await expect.poll(() => page.getByTestId('layer-cell').count()).toBe(2)
    for (const nth of [0, 1]) await expect.poll(() => inkedPixels(page, '[data-testid=layer-cell] canvas', nth), { timeout: 15_000 }).toBeGreaterThan(200)
    expect(await page.getByTestId('layer-cell').evaluateAll((els) => els.map((el) => el.getAttribute('data-layer')))).toEqual(['features', 'logits'])
    await page.screenshot({ path: join(ARTIFACTS, 'model-job-compare.png') })
    await expect.poll(() => page.url()).toMatch(/compare=1/)
    await page.reload()
    await expect.poll(() => page.getByTestId('layer-cell').count(), { timeout: 30_000 }).toBe(2)

    // At phone width the comparison stacks and nothing scrolls sideways; the model form fits too.
    await page.setViewportSize({ width: 390, height: 844 })
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0)
    const cells = await page.getByTestId('layer-cell').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().top))
    expect(cells[1]).toBeGreaterThan(cells[0]!)
    await page.screenshot({ path: join(ARTIFACTS, 'model-job-compare-phone.png'), fullPage: true })
    await page.goto(`${inject('stackUrl')}/?from=model`)
    await page.getByTestId('model-input').setInputFiles(file('stripes.onnx', buildStripeCnn(16)))
    await expect.poll(() => page.getByTestId('layer-option').count(), { timeout: 60_000 }).toBe(5)
    await page.getByTestId('inputs-input').setInputFiles(file('stripes.zip', archive))
    await expect.poll(() => page.locator('#pre-size').count()).toBe(1)
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0)
    // every form control has a label a screen reader can read
    const unlabelled = await page.locator('form[data-testid="model-form"] input:not([type=file]), form[data-testid="model-form"] select').evaluateAll((els) =>
      els.filter((el) => !(el as HTMLInputElement).labels?.length && !el.getAttribute('aria-label')).map((el) => el.outerHTML.slice(0, 80)),
    )
    expect(unlabelled).toEqual([])
    await page.screenshot({ path: join(ARTIFACTS, 'model-form-phone.png'), fullPage: true })
    await page.close()
  })
})
