/**
 * @module `npm run bench:viewer`: the viewer's renderer in headless Debian Chromium (software WebGL via
 * SwiftShader, as on this machine, and the Canvas 2D fallback) with 100k and 1M synthetic points: time to
 * the first frame drawn and time per frame (animating between frames, and panning/orbiting a settled map).
 * No stack needed: the renderer is bundled with esbuild and served from a temporary folder.
 * Options: --quick (100k only), --frames=N (frames timed per case, default 20).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { chromium } from 'playwright-core'

const quick = process.argv.includes('--quick')
const frames = Number(process.argv.find((arg) => arg.startsWith('--frames='))?.split('=')[1] ?? 20)
const root = fileURLToPath(new URL('../..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'viewer-bench-'))

await build({
  entryPoints: [join(root, 'tests/bench/viewer-bench-page.ts')],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  outfile: join(dir, 'bench.js'),
  alias: { '@constellate/shared': join(root, 'shared/src/index.ts') },
  logLevel: 'warning',
})
writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><body style="margin:0"><script type="module" src="bench.js"></script>')

const server = createServer(async (req, res) => {
  const file = req.url === '/bench.js' ? 'bench.js' : 'index.html'
  res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/html' })
  res.end(await readFile(join(dir, file)))
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const port = (server.address() as { port: number }).port

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
})
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 })
  await page.goto(`http://127.0.0.1:${port}/`)
  await page.waitForFunction(() => 'bench' in window)
  const info = await page.evaluate(() => {
    const gl = document.createElement('canvas').getContext('webgl2')
    const debug = gl?.getExtension('WEBGL_debug_renderer_info')
    return gl ? String(debug ? gl.getParameter(debug.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER)) : 'no WebGL2'
  })
  const auto = await page.evaluate(() => (window as any).autoChoice())
  console.log(`Chromium ${browser.version()}, WebGL2: ${info}; the viewer's automatic choice here: ${auto}`)
  console.log(`canvas 1280x720 @1x, ${frames} frames per measure\n`)
  const cases: [number, 2 | 3, 'webgl2' | 'canvas'][] = []
  for (const n of quick ? [100_000] : [100_000, 1_000_000]) {
    cases.push([n, 2, 'webgl2'], [n, 2, 'canvas'], [n, 3, 'webgl2'], [n, 3, 'canvas'])
  }
  const rows: string[][] = []
  for (const [n, dims, kind] of cases) {
    const result = await page.evaluate(([n, dims, kind, frames]) => (window as any).bench(n, dims, kind, frames), [n, dims, kind, frames] as const)
    rows.push([
      n.toLocaleString('en-US'),
      `${dims}-D`,
      result.renderer,
      result.firstFrameMs.toFixed(0),
      result.newFrameMs.toFixed(1),
      result.animatedFrameMs.toFixed(1),
      (1000 / result.animatedFrameMs).toFixed(1),
      result.staticFrameMs.toFixed(1),
    ])
    console.log(`  done: ${rows[rows.length - 1]!.join(' | ')}`)
  }
  const header = ['points', 'view', 'renderer', 'first frame ms', 'frame arrival ms', 'animated frame ms', 'fps', 'pan/orbit frame ms']
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((row) => row[k]!.length)))
  const line = (cells: string[]) => `| ${cells.map((cell, k) => cell.padStart(widths[k]!)).join(' | ')} |`
  console.log(`\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}`)
} finally {
  await browser.close()
  server.close()
  rmSync(dir, { recursive: true, force: true })
}
