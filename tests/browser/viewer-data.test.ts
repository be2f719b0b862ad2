import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ARTIFACTS, launchChromium, parseCssColour } from '../src/browser.ts'
import { npyFloat32, npyInt32 } from '../src/fixtures.ts'
import { seededRandom } from '../src/seeded-random.ts'
import { clusters, countColours, waitForEnd } from '../src/viewer-helpers.ts'

/** The main map's test hook (ScatterView installs `window.__constellate`). */
interface Hook {
  n: number
  project(i: number): [number, number]
  positions(): number[]
}
type HookWindow = { __constellate: Hook }

const N = 600
const D = 24
const CLASSES = 4

/** Per-point metadata: a categorical `branch` (which half), a continuous `score` with some values missing. */
function metadataTable(n: number): { csv: string; branch: string[]; score: (number | null)[] } {
  const random = seededRandom(17)
  const branch: string[] = []
  const score: (number | null)[] = []
  const lines = ['branch,score']
  for (let i = 0; i < n; i++) {
    branch.push(i < n / 2 ? 'resnet' : 'vit')
    const value = i % 37 === 5 ? null : Math.round(random() * 1000) / 1000
    score.push(value)
    lines.push(`${branch[i]},${value ?? ''}`)
  }
  return { csv: lines.join('\n') + '\n', branch, score }
}

/** Index of the 10 nearest points to i in the input (exact, squared euclidean), nearest first. */
function inputNeighbours(features: Float32Array, d: number, i: number, k = 10): number[] {
  const n = features.length / d
  const distances: [number, number][] = []
  for (let j = 0; j < n; j++) {
    if (j === i) continue
    let sum = 0
    for (let c = 0; c < d; c++) sum += (features[i * d + c]! - features[j * d + c]!) ** 2
    distances.push([sum, j])
  }
  distances.sort((a, b) => a[0] - b[0] || a[1] - b[1])
  return distances.slice(0, k).map(([, j]) => j)
}

describe('the viewer with map data (metadata, per-point quality, original-space neighbours), in Debian Chromium', () => {
  let browser: Browser
  let page: Page
  const data = clusters(N, D, CLASSES, 21)
  const table = metadataTable(N)

  beforeAll(async () => {
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1280, height: 720 }, acceptDownloads: true })
    await page.goto(inject('stackUrl'))
    const jobId = await page.evaluate(
      async ({ features, labels, csv }) => {
        async function upload(body: Uint8Array<ArrayBuffer>, filename: string, kind: string): Promise<string> {
          const created = await fetch('/api/v1/uploads', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ filename, size: body.byteLength, kind }) })
          if (created.status !== 201) throw new Error(`create upload: ${created.status} ${await created.text()}`)
          const { upload, uploadUrl } = await created.json()
          if (!(await fetch(uploadUrl, { method: 'PUT', body })).ok) throw new Error('PUT failed')
          const done = await fetch(`/api/v1/uploads/${upload.id}/complete`, { method: 'POST' })
          if (!done.ok) throw new Error(`complete: ${done.status} ${await done.text()}`)
          return upload.id
        }
        const body = {
          features: await upload(new Uint8Array(features), 'features.npy', 'features'),
          labels: await upload(new Uint8Array(labels), 'labels.npy', 'labels'),
          metadata: await upload(new TextEncoder().encode(csv), 'meta.csv', 'metadata'),
          params: { perplexity: 20, iterations: 300, seed: 8 },
        }
        const job = await fetch('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
        if (job.status !== 201) throw new Error(`create job: ${job.status} ${await job.text()}`)
        return (await job.json()).job.id as string
      },
      { features: Array.from(npyFloat32(data.features, [N, D])), labels: Array.from(npyInt32(data.labels)), csv: table.csv },
    )
    await page.goto(`${inject('stackUrl')}/jobs/${jobId}`)
    if ((await waitForEnd(page)) !== 'succeeded') throw new Error(`job ${jobId} did not succeed: ${await page.getByTestId('job-error').textContent()}`)
    // the colouring menu fills in as metadata and quality arrive
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="color-by"] option').length === 6, undefined, { timeout: 30_000 })
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
  })

  async function hover(index: number): Promise<void> {
    const box = (await page.getByTestId('scatter-canvas').boundingBox())!
    const [x, y] = await page.evaluate((i) => (window as unknown as HookWindow).__constellate.project(i), index)
    await page.mouse.move(box.x + x, box.y + y)
    await expect.poll(() => page.getByTestId('tooltip').getAttribute('data-index'), { timeout: 5_000 }).toBe(String(index))
  }

  /** A point near the map's centre whose tooltip has room, with no other point within 6 px. */
  async function isolatedPoint(): Promise<number> {
    return page.evaluate(() => {
      const hook = (window as unknown as HookWindow).__constellate
      const p = hook.positions()
      const canvas = document.querySelector('[data-testid="scatter-canvas"]') as HTMLCanvasElement
      let best = -1
      let bestScore = Infinity
      for (let i = 0; i < hook.n; i++) {
        let crowded = false
        for (let j = 0; j < hook.n && !crowded; j++) if (j !== i && (p[i * 2]! - p[j * 2]!) ** 2 + (p[i * 2 + 1]! - p[j * 2 + 1]!) ** 2 < 36) crowded = true
        if (crowded) continue
        const score = (p[i * 2]! - canvas.clientWidth / 2) ** 2 + (p[i * 2 + 1]! - canvas.clientHeight / 2) ** 2
        if (score < bestScore) [best, bestScore] = [i, score]
      }
      return best
    })
  }

  it('offers every metadata column as a colouring and colours by a categorical one, with its legend and hide toggle', async () => {
    const options = await page.getByTestId('color-by').locator('option').evaluateAll((els) => els.map((el) => (el as HTMLOptionElement).value))
    expect(options).toEqual(['label', 'meta:branch', 'meta:score', 'quality', 'agreement', 'none'])
    await page.getByTestId('color-by').selectOption('meta:branch')
    const items = page.getByTestId('legend-item')
    await expect.poll(() => items.allTextContents().then((t) => t.map((s) => s.trim()))).toEqual(['resnet', 'vit'])
    expect(await items.evaluateAll((els) => els.map((el) => el.getAttribute('data-count')))).toEqual(['300', '300'])
    expect(await page.locator('#legend-title').textContent()).toMatch(/Colour: branch \(2\)/)
    const colours = (await items.evaluateAll((els) => els.map((el) => getComputedStyle(el).getPropertyValue('--swatch')))).map(parseCssColour)
    const before = await countColours(page, colours, 3)
    expect(before[0]).toBeGreaterThan(100)
    expect(before[1]).toBeGreaterThan(100)
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-colour-by-metadata.png') })
    await items.nth(1).getByRole('button').click()
    await expect.poll(async () => (await countColours(page, colours, 3))[1], { timeout: 5_000 }).toBeLessThan(before[1]! / 20)
    await page.getByRole('button', { name: 'Show all' }).click()
  })

  it('colours by a continuous column through a scale from its min to its max', async () => {
    await page.getByTestId('color-by').selectOption('meta:score')
    const present = table.score.filter((v): v is number => v !== null)
    const scale = page.getByTestId('colour-scale')
    await expect.poll(() => scale.textContent()).toContain(String(Math.min(...present)))
    expect(await scale.textContent()).toContain(String(Math.max(...present)))
    expect(await scale.textContent()).toMatch(/17 points without a value/)
    // viridis runs from purple to yellow; both ends are drawn
    const [low, high] = await countColours(page, [[68, 1, 84], [253, 231, 37]], 40)
    expect(low).toBeGreaterThan(20)
    expect(high).toBeGreaterThan(20)
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-colour-by-score.png') })
  })

  it('shows a hovered point\'s label and metadata', async () => {
    await page.getByTestId('color-by').selectOption('label')
    const index = await isolatedPoint()
    expect(index).toBeGreaterThanOrEqual(0)
    await hover(index)
    expect(await page.getByTestId('tooltip-label').textContent()).toBe(String(data.labels[index]))
    const lines = await page.getByTestId('tooltip-detail').allTextContents()
    expect(lines).toEqual([`branch: ${table.branch[index]}`, `score: ${table.score[index] === null ? '–' : Number(table.score[index]!.toPrecision(4))}`])
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-hover-metadata.png') })
  })

  it('finds points by a metadata value or a comparison on a column', async () => {
    const search = page.getByTestId('label-search')
    await search.fill('score > 0.9')
    const expected = table.score.filter((v) => v !== null && v > 0.9).length
    await expect.poll(() => page.getByTestId('search-result').textContent()).toMatch(new RegExp(`^${expected} points`))
    await search.fill('vit')
    await expect.poll(() => page.getByTestId('search-result').textContent()).toMatch(/^300 points/)
    await search.fill('')
  })

  it('lists a clicked point\'s nearest neighbours in the original space, exactly those of the input', async () => {
    const index = await isolatedPoint()
    await hover(index)
    await page.mouse.down()
    await page.mouse.up()
    await expect.poll(() => page.getByTestId('focused-point').count()).toBe(1)
    await page.getByTestId('neighbour-space').selectOption('original')
    const list = page.getByTestId('neighbour-list').locator('li')
    await expect.poll(() => list.count(), { timeout: 10_000 }).toBe(10)
    const shown = (await list.allTextContents()).map((t) => Number(/#(\d+)/.exec(t)![1]))
    expect(shown).toEqual(inputNeighbours(data.features, D, index))
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-original-neighbours.png') })

    // Selected, they download with their label and metadata columns.
    await page.getByRole('button', { name: 'Select these' }).click()
    await expect.poll(() => page.getByTestId('selection-count').textContent()).toBe('11')
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-selection').click()])
    const rows = readFileSync((await download.path())!, 'utf8').trim().split('\n')
    expect(rows[0]).toBe('index,x,y,label,branch,score')
    expect(rows).toHaveLength(12)
    const first = rows[1]!.split(',')
    const i = Number(first[0])
    expect(first.slice(3)).toEqual([String(data.labels[i]), table.branch[i], table.score[i] === null ? '' : String(table.score[i])])
  })

  it('colours by the worker\'s per-point quality and shows each point\'s value', async () => {
    await page.getByTestId('color-by').selectOption('quality')
    await expect.poll(() => page.getByTestId('colour-scale').textContent()).toMatch(/nearest neighbours in the original space/)
    const quality = await page.evaluate(async () => {
      const match = /\/jobs\/([^/#?]+)/.exec(location.pathname)!
      const bytes = new Uint8Array(await (await fetch(`/api/v1/jobs/${match[1]}/quality-points.npy`)).arrayBuffer())
      const headerLength = new DataView(bytes.buffer).getUint16(8, true)
      return Array.from(new Float32Array(bytes.slice(10 + headerLength).buffer))
    })
    expect(quality).toHaveLength(N)
    const index = await isolatedPoint()
    await hover(index)
    const lines = await page.getByTestId('tooltip-detail').allTextContents()
    expect(lines).toContain(`Neighbourhood preserved: ${quality[index]!.toFixed(2)}`)
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-colour-by-quality.png') })
  })

  it('shows the same map data read-only through a share link, coloured as the link says', async () => {
    const jobId = /\/jobs\/([^/#?]+)/.exec(page.url())![1]!
    const link = await page.evaluate(async (id) => {
      const response = await fetch(`/api/v1/jobs/${id}/links`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
      return (await response.json()).link.url as string
    }, jobId)
    const reader = await browser.newPage({ viewport: { width: 1280, height: 720 } })
    await reader.goto(`${inject('stackUrl')}${link}#color=meta%3Abranch`)
    await expect.poll(() => reader.getByTestId('read-only').count(), { timeout: 20_000 }).toBe(1)
    const items = reader.getByTestId('legend-item')
    await expect.poll(() => items.allTextContents().then((t) => t.map((s) => s.trim())), { timeout: 20_000 }).toEqual(['resnet', 'vit'])
    expect(await reader.getByTestId('color-by').inputValue()).toBe('meta:branch')
    const options = await reader.getByTestId('color-by').locator('option').evaluateAll((els) => els.map((el) => (el as HTMLOptionElement).value))
    expect(options).toContain('quality')
    await reader.screenshot({ path: join(ARTIFACTS, 'viewer-data-shared.png') })
    await reader.close()
  })
})
