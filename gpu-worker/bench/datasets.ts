/**
 * @module bench/datasets — loads the `mnist` (10k digits) and `fashion-mnist` (70k clothes)
 * packages as row-major float32 matrices in [0, 1] with integer labels, in class order.
 */
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)

export interface Dataset {
  name: string
  points: Float32Array
  labels: Int32Array
  n: number
  d: number
}

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`))
}

/** MNIST digits from the `mnist` package (10,000 x 784, values 0..1). */
export function loadMnist(limit = Infinity): Dataset {
  const dir = join(packageDir('mnist'), 'src', 'digits')
  const parts: { data: number[]; label: number }[] = []
  for (let digit = 0; digit < 10; digit++) parts.push({ data: JSON.parse(readFileSync(join(dir, `${digit}.json`), 'utf8')).data, label: digit })
  return interleave('mnist', parts.map(({ data, label }) => ({ rows: data.length / 784, get: (i: number, out: Float32Array, at: number) => { for (let j = 0; j < 784; j++) out[at + j] = data[i * 784 + j]! }, label })), limit)
}

/** Fashion-MNIST from the `fashion-mnist` package (70,000 x 784, scaled to 0..1). */
export function loadFashionMnist(limit = Infinity): Dataset {
  const dir = join(packageDir('fashion-mnist'), 'src', 'clothes')
  const parts = []
  for (let label = 0; label < 10; label++) {
    // the package's class 0 file carries two empty rows: keep only complete 28 x 28 images
    const data: number[][] = (JSON.parse(readFileSync(join(dir, `${label}.json`), 'utf8')).data as number[][]).filter((row) => row.length === 784)
    parts.push({ rows: data.length, get: (i: number, out: Float32Array, at: number) => { const row = data[i]!; for (let j = 0; j < 784; j++) out[at + j] = row[j]! / 255 }, label })
  }
  return interleave('fashion-mnist', parts, limit)
}

/** Round-robin over classes so any prefix is class-balanced. */
function interleave(name: string, parts: { rows: number; get: (i: number, out: Float32Array, at: number) => void; label: number }[], limit: number): Dataset {
  const total = parts.reduce((s, p) => s + p.rows, 0)
  const n = Math.min(total, limit)
  const d = 784
  const points = new Float32Array(n * d)
  const labels = new Int32Array(n)
  const cursor = parts.map(() => 0)
  let row = 0
  while (row < n) {
    for (let c = 0; c < parts.length && row < n; c++) {
      if (cursor[c]! >= parts[c]!.rows) continue
      parts[c]!.get(cursor[c]!++, points, row * d)
      labels[row++] = parts[c]!.label
    }
  }
  return { name, points, labels, n, d }
}
