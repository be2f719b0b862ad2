/**
 * @module Selecting points: lasso (point in polygon over screen positions), label counts of a selection,
 * a selection as CSV, compact text for URLs, neighbours in the map, and where to write class names.
 */

/** Whether (x, y) lies inside the closed polygon `polygon` ([x0, y0, x1, y1, ...]); even-odd rule. */
export function pointInPolygon(x: number, y: number, polygon: ArrayLike<number>): boolean {
  let inside = false
  const count = polygon.length / 2
  for (let i = 0, j = count - 1; i < count; j = i++) {
    const xi = polygon[i * 2]!
    const yi = polygon[i * 2 + 1]!
    const xj = polygon[j * 2]!
    const yj = polygon[j * 2 + 1]!
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

/**
 * Indices of the points whose screen positions (row-major n*2) lie inside `polygon` and for which
 * `visible(i)` holds, ascending. O(n) with a bounding-box test before the polygon test.
 */
export function lassoSelect(screen: Float32Array, n: number, polygon: ArrayLike<number>, visible: (i: number) => boolean): Uint32Array {
  if (polygon.length < 6) return new Uint32Array(0)
  let minX = Infinity
  let minY = Infinity
  let maxX = -Infinity
  let maxY = -Infinity
  for (let k = 0; k < polygon.length; k += 2) {
    minX = Math.min(minX, polygon[k]!)
    maxX = Math.max(maxX, polygon[k]!)
    minY = Math.min(minY, polygon[k + 1]!)
    maxY = Math.max(maxY, polygon[k + 1]!)
  }
  const hits: number[] = []
  for (let i = 0; i < n; i++) {
    const x = screen[i * 2]!
    const y = screen[i * 2 + 1]!
    if (x < minX || x > maxX || y < minY || y > maxY) continue
    if (pointInPolygon(x, y, polygon) && visible(i)) hits.push(i)
  }
  return Uint32Array.from(hits)
}

/** Combines a new set of indices with the current selection: replace, add (shift) or remove (alt). */
export function combineSelection(current: Uint32Array, incoming: Uint32Array, how: 'replace' | 'add' | 'remove'): Uint32Array {
  if (how === 'replace') return incoming
  const set = new Set(current)
  if (how === 'add') for (const i of incoming) set.add(i)
  else for (const i of incoming) set.delete(i)
  return Uint32Array.from([...set].sort((a, b) => a - b))
}

/** Points per class in `indices`, as [classIndex, count] sorted by count (largest first); -1 is unlabelled. */
export function labelCounts(indices: ArrayLike<number>, codes: ArrayLike<number> | null): [number, number][] {
  const counts = new Map<number, number>()
  for (let k = 0; k < indices.length; k++) {
    const code = codes ? codes[indices[k]!]! : -1
    counts.set(code, (counts.get(code) ?? 0) + 1)
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value
}

/** CSV of the selected points: `index,x,y[,z]` and then each column (label, metadata), header row first. */
export function selectionCsv(indices: ArrayLike<number>, coords: Float32Array, dims: number, columns: readonly CsvColumn[] = []): string {
  const axes = dims === 3 ? ['x', 'y', 'z'] : ['x', 'y']
  const header = ['index', ...axes, ...columns.map((c) => csvField(c.name))].join(',')
  const lines = [header]
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!
    const row = [String(i)]
    for (let d = 0; d < dims; d++) row.push(String(coords[i * dims + d]))
    for (const column of columns) row.push(csvField(column.value(i)))
    lines.push(row.join(','))
  }
  return lines.join('\n') + '\n'
}

/** A per-point column of a CSV download: the label, or a metadata column. */
export interface CsvColumn {
  name: string
  value(i: number): string
}

/** Sorted indices as URL-safe text: gaps between them as base-36 numbers, runs of consecutive ones as `~len`. */
export function encodeIndices(indices: ArrayLike<number>): string {
  const sorted = Array.from(indices).sort((a, b) => a - b)
  const parts: string[] = []
  let previous = -1
  for (let k = 0; k < sorted.length; ) {
    const start = sorted[k]!
    let run = 1
    while (k + run < sorted.length && sorted[k + run] === start + run) run++
    parts.push((start - previous - 1).toString(36) + (run > 1 ? `~${run.toString(36)}` : ''))
    previous = start + run - 1
    k += run
  }
  return parts.join('.')
}

/** Inverse of encodeIndices; indices at or beyond `n` are dropped. Null for malformed text. */
export function decodeIndices(text: string, n: number): Uint32Array | null {
  if (text === '') return new Uint32Array(0)
  const out: number[] = []
  let previous = -1
  for (const part of text.split('.')) {
    const match = /^([0-9a-z]+)(?:~([0-9a-z]+))?$/.exec(part)
    if (!match) return null
    const start = previous + 1 + parseInt(match[1]!, 36)
    const run = match[2] ? parseInt(match[2], 36) : 1
    if (!Number.isFinite(start) || !(run >= 1)) return null
    for (let r = 0; r < run && start + r < n; r++) out.push(start + r)
    previous = start + run - 1
  }
  return Uint32Array.from(out)
}

/**
 * The k points nearest to point `index` in the map itself (Euclidean in the 2-D/3-D embedding, not in
 * the original feature space), nearest first. O(n log k).
 */
export function mapNeighbours(coords: Float32Array, n: number, dims: number, index: number, k: number): { index: number; distance: number }[] {
  const best: { index: number; distance: number }[] = []
  for (let i = 0; i < n; i++) {
    if (i === index) continue
    let squared = 0
    for (let d = 0; d < dims; d++) squared += (coords[i * dims + d]! - coords[index * dims + d]!) ** 2
    if (best.length === k && squared >= best[k - 1]!.distance) continue
    let position = best.length
    while (position > 0 && best[position - 1]!.distance > squared) position--
    best.splice(position, 0, { index: i, distance: squared })
    if (best.length > k) best.pop()
  }
  return best.map((entry) => ({ index: entry.index, distance: Math.sqrt(entry.distance) }))
}

/**
 * Where to write each class's name: the per-axis median of (up to `sample` of) its points, which sits
 * inside the main cluster even when a few points stray. Null for classes without points. Row-major dims.
 */
export function classCentres(coords: Float32Array, n: number, dims: number, codes: ArrayLike<number>, classCount: number, sample = 2000): (number[] | null)[] {
  const members: number[][] = Array.from({ length: classCount }, () => [])
  const seen = new Array<number>(classCount).fill(0)
  for (let i = 0; i < n; i++) {
    const code = codes[i]!
    if (code < 0 || code >= classCount) continue
    const count = ++seen[code]!
    const list = members[code]!
    if (list.length < sample) list.push(i)
    else {
      // Deterministic reservoir: keep every point with equal weight without Math.random.
      const slot = (Math.imul(count, 2654435761) >>> 0) % count
      if (slot < sample) list[slot] = i
    }
  }
  return members.map((list) => {
    if (list.length === 0) return null
    const centre: number[] = []
    for (let d = 0; d < dims; d++) {
      const values = list.map((i) => coords[i * dims + d]!).sort((a, b) => a - b)
      centre.push(values[Math.floor(values.length / 2)]!)
    }
    return centre
  })
}

