/**
 * @module bench/tsne-bench — end-to-end t-SNE benchmark: MNIST-10k and Fashion-MNIST-70k in 2D and
 * 3D (and, with --million, 1M x 50 tiled Fashion-MNIST in 2D). Each case runs in its own process so
 * peak RSS is per case. Prints a table and writes bench-results/tsne.json at the repository root.
 * scikit-learn's TSNE runs on the same 50-dim PCA inputs in the same run (python3 with sklearn, or
 * Debian's /usr/bin/python3 with python3-sklearn): by default for MNIST-10k 2D only (it takes about
 * 30 s there and 6 minutes on Fashion-70k); --sklearn-all runs it for every case, --no-sklearn never.
 * Usage: npm run bench -w gpu-worker [-- --million] [-- --only mnist-10k-2d] [-- --sklearn-all | --no-sklearn]
 *   [-- --options '{"iterations":1000}'] (embed() options over the defaults, for experiments)
 *   [-- --warm] (time each case as the second job of its process, as in the service's long-lived worker)
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
const options = args.includes('--options') ? ['--options', args[args.indexOf('--options') + 1]!] : []
// --warm: each case runs after one untimed job on other data in the same process (a long-lived worker)
if (args.includes('--warm')) options.push('--warm')
const only = args.includes('--only') ? args[args.indexOf('--only') + 1]!.split(',') : undefined

const REFERENCE = { 'mnist-10k-2d': { sklearn: 26.9, fitsne: 14.9, target: 5.4, accuracy: 0.94 }, 'fashion-70k-2d': { sklearn: 362.8, fitsne: 57.7, target: 60, accuracy: 0.83 } } as Record<string, { sklearn: number; fitsne: number; target: number; accuracy: number }>

/** A python with scikit-learn: `python3` on PATH, else Debian's python3-sklearn under /usr/bin. */
function findSklearnPython(): string | undefined {
  for (const python of ['python3', '/usr/bin/python3']) {
    try {
      execFileSync(python, ['-c', 'import sklearn'], { stdio: 'ignore' })
      return python
    } catch {
      // try the next one
    }
  }
  return undefined
}

const sklearnPython = args.includes('--no-sklearn') ? undefined : findSklearnPython()
if (!sklearnPython && !args.includes('--no-sklearn')) console.log("scikit-learn is not installed (python3 and /usr/bin/python3 lack it): skipping its TSNE runs; the issue's reference figures are shown instead.")
const sklearnCases = args.includes('--sklearn-all') ? cases : ['mnist-10k-2d']

const results: Record<string, unknown>[] = []
for (const name of cases) {
  if (only && !only.includes(name)) continue
  const withSklearn = sklearnPython && sklearnCases.includes(name)
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'tsne-case.ts'), name, ...options, ...(withSklearn ? ['--sklearn', sklearnPython] : [])], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] })
  const line = run.stdout.trim().split('\n').at(-1) ?? ''
  try {
    const result = JSON.parse(line) as Record<string, unknown>
    results.push(result)
    console.log(JSON.stringify(result))
  } catch {
    console.log(`${name} failed: ${run.stdout.slice(-500)}`)
  }
}

const fixed = (value: unknown, digits: number) => (typeof value === 'number' ? value.toFixed(digits) : '-')
const table = results.map((r) => {
  const t = r.timings as Record<string, number>
  const reference = REFERENCE[r.case as string]
  const sk = r.sklearn as Record<string, number> | undefined
  const sklearnSeconds = sk?.seconds ?? reference?.sklearn
  return {
    case: `${r.case}${r.warm ? ' (warm)' : ''}`,
    'pca s': fixed(t.pca, 2),
    'knn s': fixed(t.knn, 2),
    'P s': fixed(t.affinities, 2),
    'opt s': fixed(t.optimize, 2),
    'total s': fixed(r.total, 2),
    'cpu s': fixed(r.cpuSeconds, 1),
    'peak RSS MiB': r.peakRssMiB,
    KL: fixed(r.kl, 3),
    'recall@10': fixed(r.recall10, 3),
    '10-NN acc': fixed(r.accuracy, 4),
    trust: fixed(r.trustworthiness, 3),
    'sklearn s': sk ? fixed(sk.seconds, 1) : reference ? `${reference.sklearn} (issue)` : '-',
    'sk recall': fixed(sk?.recall10, 3),
    'sk acc': fixed(sk?.accuracy, 4),
    'sk trust': fixed(sk?.trustworthiness, 3),
    'vs sklearn': sklearnSeconds ? `${(sklearnSeconds / (r.total as number)).toFixed(1)}x` : '-',
    'vs FIt-SNE': reference ? `${(reference.fitsne / (r.total as number)).toFixed(1)}x` : '-',
  }
})
console.table(table)
mkdirSync(join(root, 'bench-results'), { recursive: true })
writeFileSync(join(root, 'bench-results', 'tsne.json'), JSON.stringify({ date: new Date().toISOString(), sklearnPython: sklearnPython ?? null, sklearnCases: sklearnPython ? sklearnCases : [], reference: REFERENCE, results }, null, 2))
console.log('wrote bench-results/tsne.json')
