/**
 * @module The repository's module graph: every `.ts`/`.svelte` source under the given roots, its relative and
 * `@constellate/*` imports (type-only and dynamic ones too: a loop through types is still a loop between
 * concerns), and the import loops in it (strongly connected components, Tarjan's algorithm).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import ts from 'typescript'

/** Where the service's sources live, relative to the repository root. */
export const SOURCE_ROOTS = ['shared', 'edge/src', 'gpu-worker/src', 'web/src', 'client/src', 'cli/src', 'scripts'] as const

/** Folders never read: installed packages and build output. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'build', '.wrangler', '.svelte-kit'])

/** Module graph: repository-relative path (with '/') -> the paths it imports, sorted. */
export type ImportGraph = Map<string, string[]>

/** Every `.ts` and `.svelte` file under `dir` (absolute paths), skipping SKIPPED_DIRS. */
export function listSources(dir: string): string[] {
  const found: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) found.push(...listSources(path))
    } else if (entry.name.endsWith('.ts') || entry.name.endsWith('.svelte')) {
      found.push(path)
    }
  }
  return found
}

/** The script blocks of a Svelte component (instance and module scripts), or the text itself for `.ts`. */
function scriptText(path: string, text: string): string {
  if (!path.endsWith('.svelte')) return text
  return [...text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((match) => match[1]).join('\n')
}

/** One import of a module: its specifier, and whether it imports types only (erased at run time). */
export interface ModuleImport {
  specifier: string
  typeOnly: boolean
}

/** True for `import type ...` and for imports whose every binding is `type X` (no default, no namespace). */
function importsTypesOnly(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause
  if (!clause) return false
  if (clause.isTypeOnly) return true
  const bindings = clause.namedBindings
  return !clause.name && bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly)
}

/**
 * The modules `text` imports: import and export-from declarations (type-only included, and marked),
 * `import x = require(...)`, dynamic `import(...)` and `import('...')` types.
 */
export function moduleImports(path: string, text: string): ModuleImport[] {
  const source = ts.createSourceFile(path, scriptText(path, text), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS)
  const imports: ModuleImport[] = []
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      imports.push({ specifier: node.moduleSpecifier.text, typeOnly: importsTypesOnly(node) })
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      imports.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly })
    } else if (ts.isExternalModuleReference(node) && ts.isStringLiteral(node.expression)) {
      imports.push({ specifier: node.expression.text, typeOnly: false })
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments
      if (argument && ts.isStringLiteralLike(argument)) imports.push({ specifier: argument.text, typeOnly: false })
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      imports.push({ specifier: node.argument.literal.text, typeOnly: true })
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return imports
}

/** Workspace package name -> its folder and entry file (package.json `main`, else src/index.ts). */
function workspacePackages(root: string): Map<string, { dir: string; main: string }> {
  const packages = new Map<string, { dir: string; main: string }>()
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces?: unknown }
  const workspaces = Array.isArray(manifest.workspaces) ? manifest.workspaces.filter((w): w is string => typeof w === 'string') : []
  for (const workspace of workspaces) {
    const dir = join(root, workspace)
    const file = join(dir, 'package.json')
    if (!existsSync(file)) continue
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; main?: unknown }
    if (typeof pkg.name !== 'string') continue
    packages.set(pkg.name, { dir, main: join(dir, typeof pkg.main === 'string' ? pkg.main : 'src/index.ts') })
  }
  return packages
}

/** The source file a path names: as written, with `.ts` added, a folder's index.ts, or `.js` read as `.ts`. */
function resolveFile(path: string): string | null {
  const candidates = [path, `${path}.ts`, join(path, 'index.ts'), path.replace(/\.js$/, '.ts')]
  for (const candidate of candidates) if (existsSync(candidate) && statSync(candidate).isFile()) return candidate
  return null
}

function toKey(root: string, path: string): string {
  return relative(root, path).split(sep).join('/')
}

/**
 * Builds the import graph of every source under `roots` (relative to `root`), following imports into other
 * repository files (e.g. tests/src helpers) so loops through them are found too. Imports of npm packages
 * and of non-source files (.css, .json) are left out; type-only imports too when `typeOnly` is false.
 */
export function buildImportGraph(root: string, roots: readonly string[] = SOURCE_ROOTS, { typeOnly = true } = {}): ImportGraph {
  const packages = workspacePackages(root)
  const graph: ImportGraph = new Map()
  const pending = roots.flatMap((dir) => listSources(join(root, dir)))
  while (pending.length > 0) {
    const file = pending.pop()!
    const key = toKey(root, file)
    if (graph.has(key)) continue
    const targets = new Set<string>()
    for (const { specifier, typeOnly: typesOnly } of moduleImports(file, readFileSync(file, 'utf8'))) {
      if (typesOnly && !typeOnly) continue
      let target: string | null = null
      if (specifier.startsWith('.')) {
        target = resolveFile(resolve(dirname(file), specifier))
      } else if (specifier.startsWith('@constellate/')) {
        const [scope, name, ...rest] = specifier.split('/')
        const pkg = packages.get(`${scope}/${name}`)
        if (pkg) target = rest.length === 0 ? pkg.main : resolveFile(join(pkg.dir, ...rest))
        if (!target) throw new Error(`${key}: cannot resolve "${specifier}"`)
      }
      if (!target || !/\.(ts|svelte)$/.test(target) || target.includes(`${sep}node_modules${sep}`)) continue
      targets.add(toKey(root, target))
      pending.push(target)
    }
    graph.set(key, [...targets].sort())
  }
  return graph
}

/**
 * The import loops of `graph`: each strongly connected component of more than one module (or a module
 * importing itself), its modules sorted, the components sorted by their first module. O(V + E).
 */
export function importCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const components: string[][] = []
  let counter = 0
  // Iterative Tarjan: the graph is deep enough (long import chains) that recursion is not worth the risk.
  for (const start of [...graph.keys()].sort()) {
    if (index.has(start)) continue
    const frames: { node: string; next: number }[] = [{ node: start, next: 0 }]
    index.set(start, counter)
    low.set(start, counter++)
    stack.push(start)
    onStack.add(start)
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!
      const edges = graph.get(frame.node) ?? []
      if (frame.next < edges.length) {
        const target = edges[frame.next++]!
        if (!index.has(target)) {
          index.set(target, counter)
          low.set(target, counter++)
          stack.push(target)
          onStack.add(target)
          frames.push({ node: target, next: 0 })
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!))
        }
        continue
      }
      frames.pop()
      const parent = frames[frames.length - 1]
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!))
      if (low.get(frame.node) !== index.get(frame.node)) continue
      const component: string[] = []
      let member: string
      do {
        member = stack.pop()!
        onStack.delete(member)
        component.push(member)
      } while (member !== frame.node)
      if (component.length > 1 || edges.includes(frame.node)) components.push(component.sort())
    }
  }
  return components.sort((a, b) => (a[0]! < b[0]! ? -1 : 1))
}

/** One shortest loop through a component's first module, as "a.ts -> b.ts -> a.ts", to show how it closes. */
export function describeCycle(graph: ImportGraph, component: readonly string[]): string {
  const members = new Set(component)
  const start = component[0]!
  const previous = new Map<string, string>()
  const queue = [start]
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]!
    for (const target of graph.get(node) ?? []) {
      if (!members.has(target)) continue
      if (target === start) {
        const path = [start]
        for (let at = node; at !== start; at = previous.get(at)!) path.unshift(at)
        path.unshift(start)
        return path.join(' -> ')
      }
      if (!previous.has(target)) {
        previous.set(target, node)
        queue.push(target)
      }
    }
  }
  return component.join(', ')
}
