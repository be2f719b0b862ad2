/**
 * @module bench/tsne-bench — end-to-end t-SNE benchmark: MNIST-10k and Fashion-MNIST-70k in 2D and
 * 3D (and, with --million, 1M x 50 tiled Fashion-MNIST in 2D). Each case runs in its own process so
 * peak RSS is per case. Prints a table and writes bench-results/tsne.json at the repository root.
 * Usage: npm run bench -w gpu-worker [-- --million] [-- --only mnist-10k-2d]
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const args = process.argv.slice(2)
const cases = ['mnist-10k-2d', 'mnist-10k-3d', 'fashion-70k-2d', 'fashion-70k-3d']
if (args.includes('--million')) cases.push('fashion-1m-2d')
const only = args.includes('--only') ? args[args.indexOf('--only') + 1]!.split(',') : undefined

const REFERENCE = { 'mnist-10k-2d': { sklearn: 26.9, fitsne: 14.9, target: 5.4, accuracy: 0.94 }, 'fashion-70k-2d': { sklearn: 362.8, fitsne: 57.7, target: 60, accuracy: 0.83 } } as Record<string, { sklearn: number; fitsne: number; target: number; accuracy: number }>

let sklearn = false
try {
  execFileSync('python3', ['-c', 'import sklearn'], { stdio: 'ignore' })
  sklearn = true
} catch {
  console.log('scikit-learn is not installed (python3 -c "import sklearn" failed): skipping its TSNE runs; the issue\'s reference figures are shown instead.')
}

const results: Record<string, unknown>[] = []
for (const name of cases) {
  if (only && !only.includes(name)) continue
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'tsne-case.ts'), name, ...(sklearn ? ['--sklearn'] : [])], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] })
  const line = run.stdout.trim().split('\n').at(-1) ?? ''
  try {
    const result = JSON.parse(line) as Record<string, unknown>
    results.push(result)
    console.log(JSON.stringify(result))
  } catch {
    console.log(`${name} failed: ${run.stdout.slice(-500)}`)
  }
}

const table = results.map((r) => {
  const t = r.timings as Record<string, number>
  const reference = REFERENCE[r.case as string]
  return {
    case: r.case,
    'pca s': t.pca?.toFixed(2),
    'knn s': t.knn?.toFixed(2),
    'P s': t.affinities?.toFixed(2),
    'opt s': t.optimize?.toFixed(2),
    'total s': (r.total as number).toFixed(2),
    'peak RSS MiB': r.peakRssMiB,
    KL: (r.kl as number).toFixed(3),
    'recall@10': (r.recall10 as number | null)?.toFixed(3) ?? '-',
    '10-NN acc': (r.accuracy as number | null)?.toFixed(4) ?? '-',
    'sklearn s': (r.sklearnSeconds as number | undefined)?.toFixed(1) ?? (reference ? `${reference.sklearn} (issue)` : '-'),
    'vs sklearn': reference ? `${(reference.sklearn / (r.total as number)).toFixed(1)}x` : '-',
    'vs FIt-SNE': reference ? `${(reference.fitsne / (r.total as number)).toFixed(1)}x` : '-',
  }
})
console.table(table)
mkdirSync(join(root, 'bench-results'), { recursive: true })
writeFileSync(join(root, 'bench-results', 'tsne.json'), JSON.stringify({ date: new Date().toISOString(), sklearnAvailable: sklearn, reference: REFERENCE, results }, null, 2))
console.log('wrote bench-results/tsne.json')
