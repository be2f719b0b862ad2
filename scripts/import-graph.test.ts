import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { buildImportGraph, describeCycle, importCycles, moduleImports, type ImportGraph } from './import-graph.ts'

const REPO = dirname(dirname(fileURLToPath(import.meta.url)))

/**
 * Import loops that engineers reworking those parts own right now. A loop is allowed while every module in it
 * matches one entry's paths (a path ending in '/' is a folder). Empty this list as the loops are broken: an
 * entry that matches no loop any more fails the test below, so it cannot outlive its loop.
 */
const ALLOWED_LOOPS: { paths: string[]; why: string }[] = [
  {
    paths: ['edge/src/clock.ts', 'edge/src/env.ts', 'edge/src/live.ts', 'edge/src/storage.ts', 'edge/src/objects/'],
    why: 'env.ts names the Durable Object classes for its bindings while the objects import Env (types only)',
  },
]

function matches(module: string, paths: readonly string[]): boolean {
  return paths.some((path) => (path.endsWith('/') ? module.startsWith(path) : module === path))
}

function graphOf(edges: Record<string, string[]>): ImportGraph {
  const graph: ImportGraph = new Map()
  for (const [from, to] of Object.entries(edges)) graph.set(from, to)
  return graph
}

describe('import loops in the repository', () => {
  const graph = buildImportGraph(REPO)
  const loops = importCycles(graph)

  it('reads the sources of every package', () => {
    const folders = new Set([...graph.keys()].map((path) => path.split('/')[0]))
    expect([...folders].sort()).toEqual(expect.arrayContaining(['cli', 'client', 'edge', 'gpu-worker', 'scripts', 'shared', 'web']))
    expect(graph.get('shared/src/index.ts')).toContain('shared/src/upload/index.ts')
    expect([...graph.keys()].some((path) => path.endsWith('.svelte'))).toBe(true)
  })

  it('has no import loop beyond the allowed ones', () => {
    const unexpected = loops.filter((loop) => !ALLOWED_LOOPS.some((allowed) => loop.every((module) => matches(module, allowed.paths))))
    expect(unexpected.map((loop) => `${loop.length} modules: ${describeCycle(graph, loop)}`)).toEqual([])
  })

  it('allows no loop that is gone', () => {
    const stale = ALLOWED_LOOPS.filter((allowed) => !loops.some((loop) => loop.every((module) => matches(module, allowed.paths))))
    expect(stale.map((allowed) => allowed.why)).toEqual([])
  })
})

describe('finding import loops (Tarjan)', () => {
  it('finds none in a graph without loops', () => {
    expect(importCycles(graphOf({ a: ['b', 'c'], b: ['c'], c: [] }))).toEqual([])
  })

  it('finds each loop once, with its modules, however the graph is ordered', () => {
    const graph = graphOf({ e: ['a'], a: ['b'], b: ['c', 'd'], c: ['a'], d: ['d', 'f'], f: ['g'], g: ['f'] })
    expect(importCycles(graph)).toEqual([['a', 'b', 'c'], ['d'], ['f', 'g']])
  })

  it('shows the shortest way a loop closes', () => {
    const graph = graphOf({ a: ['b', 'x'], b: ['c'], c: ['a'], x: ['a'] })
    expect(describeCycle(graph, importCycles(graph)[0]!)).toBe('a -> x -> a')
    expect(describeCycle(graphOf({ d: ['d'] }), ['d'])).toBe('d -> d')
  })

  it('handles import chains far deeper than the call stack would allow recursion', () => {
    const edges: Record<string, string[]> = {}
    const n = 50_000
    for (let k = 0; k < n; k++) edges[`m${k}`] = [`m${(k + 1) % n}`]
    expect(importCycles(graphOf(edges))[0]).toHaveLength(n)
  })
})

describe('reading imports', () => {
  it('finds every kind of import and marks the type-only ones', () => {
    const source = [
      "import { a } from './a.ts'",
      "import type { B } from './b.ts'",
      "import { type C, type D } from './c.ts'",
      "import { type E, e } from './e.ts'",
      "export * from './f.ts'",
      "export type { G } from './g.ts'",
      "import './h.css'",
      "const i = await import('./i.ts')",
      "let j: import('./j.ts').J",
    ].join('\n')
    expect(moduleImports('x.ts', source)).toEqual([
      { specifier: './a.ts', typeOnly: false },
      { specifier: './b.ts', typeOnly: true },
      { specifier: './c.ts', typeOnly: true },
      { specifier: './e.ts', typeOnly: false },
      { specifier: './f.ts', typeOnly: false },
      { specifier: './g.ts', typeOnly: true },
      { specifier: './h.css', typeOnly: false },
      { specifier: './i.ts', typeOnly: false },
      { specifier: './j.ts', typeOnly: true },
    ])
  })

  it('reads both script blocks of a Svelte component and nothing in its markup', () => {
    const component = [
      '<script module lang="ts">',
      "  import { shared } from './shared.ts'",
      '</script>',
      '<script lang="ts">',
      "  import View from './View.svelte'",
      '</script>',
      "<p>import { not } from './markup.ts'</p>",
    ].join('\n')
    expect(moduleImports('A.svelte', component).map((i) => i.specifier)).toEqual(['./shared.ts', './View.svelte'])
  })
})

describe('building the graph of a workspace', () => {
  const root = mkdtempSync(join(tmpdir(), 'import-graph-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  function write(path: string, text: string): void {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }

  it('follows relative, folder and @constellate imports into a loop through a package barrel', () => {
    write('package.json', JSON.stringify({ workspaces: ['lib', 'app'] }))
    write('lib/package.json', JSON.stringify({ name: '@constellate/lib', main: 'src/index.ts' }))
    write('lib/src/index.ts', "export * from './parts'\n")
    write('lib/src/parts/index.ts', "export * from './part.js'\n")
    write('lib/src/parts/part.ts', "import type { App } from '../../../app/src/App.svelte'\nexport const part = 1\n")
    write('app/package.json', JSON.stringify({ name: '@constellate/app' }))
    write('app/src/App.svelte', "<script lang=\"ts\">\n  import { part } from '@constellate/lib'\n  import 'zod'\n</script>\n")
    write('app/node_modules/x/index.ts', "import './y.ts'\n")
    const graph = buildImportGraph(root, ['lib', 'app'])
    expect(Object.fromEntries(graph)).toEqual({
      'lib/src/index.ts': ['lib/src/parts/index.ts'],
      'lib/src/parts/index.ts': ['lib/src/parts/part.ts'],
      'lib/src/parts/part.ts': ['app/src/App.svelte'],
      'app/src/App.svelte': ['lib/src/index.ts'],
    })
    expect(importCycles(graph)).toEqual([['app/src/App.svelte', 'lib/src/index.ts', 'lib/src/parts/index.ts', 'lib/src/parts/part.ts']])
    expect(importCycles(buildImportGraph(root, ['lib', 'app'], { typeOnly: false }))).toEqual([])
  })
})
