/**
 * @module A quality value per point computed in the browser from the map alone: the share of a point's k
 * nearest neighbours *in the 2-D/3-D map* that carry its label. Low values mark points that landed among
 * another class. It says nothing about neighbours in the original feature space (that needs the worker).
 */

/** Neighbours used for map neighbour agreement. */
export const AGREEMENT_K = 10

/**
 * For every point, the fraction of its k nearest map neighbours (excluding itself) with the same code;
 * NaN for points without a label (code < 0). Uses a uniform grid, about O(n*k). Row-major coords n*dims.
 */
export function mapNeighbourAgreement(coords: Float32Array, n: number, dims: number, codes: ArrayLike<number>, k = AGREEMENT_K): Float32Array {
  const out = new Float32Array(n)
  if (n <= 1) return out.fill(Number.NaN)
  const kk = Math.min(k, n - 1)
  const min = new Array<number>(dims).fill(Infinity)
  const max = new Array<number>(dims).fill(-Infinity)
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dims; d++) {
      const v = coords[i * dims + d]!
      if (v < min[d]!) min[d] = v
      if (v > max[d]!) max[d] = v
    }
  }
  let volume = 1
  for (let d = 0; d < dims; d++) volume *= Math.max(1e-9, max[d]! - min[d]!)
  // About two points per cell.
  const side = Math.pow((volume * 2) / n, 1 / dims) || 1
  const cells = min.map((lo, d) => Math.max(1, Math.min(4096, Math.floor((max[d]! - lo) / side) + 1)))
  const cellOf = (i: number, d: number) => Math.min(cells[d]! - 1, Math.floor((coords[i * dims + d]! - min[d]!) / side))
  const cellCount = cells.reduce((a, b) => a * b, 1)
  const start = new Uint32Array(cellCount + 1)
  const cellIndex = new Uint32Array(n)
  for (let i = 0; i < n; i++) {
    let c = 0
    for (let d = dims - 1; d >= 0; d--) c = c * cells[d]! + cellOf(i, d)
    cellIndex[i] = c
    start[c + 1]!++
  }
  for (let c = 0; c < cellCount; c++) start[c + 1]! += start[c]!
  const members = new Uint32Array(n)
  const fill = start.slice(0, cellCount)
  for (let i = 0; i < n; i++) members[fill[cellIndex[i]!]!++] = i

  const bestDistance = new Float64Array(kk)
  const bestIndex = new Int32Array(kk)
  const home = new Array<number>(dims).fill(0)
  for (let i = 0; i < n; i++) {
    if (codes[i]! < 0) {
      out[i] = Number.NaN
      continue
    }
    let found = 0
    for (let d = 0; d < dims; d++) home[d] = cellOf(i, d)
    const visit = (cell: number) => {
      for (let m = start[cell]!; m < start[cell + 1]!; m++) {
        const j = members[m]!
        if (j === i) continue
        let squared = 0
        for (let d = 0; d < dims; d++) squared += (coords[j * dims + d]! - coords[i * dims + d]!) ** 2
        if (found === kk && squared >= bestDistance[kk - 1]!) continue
        let position = found < kk ? found++ : kk - 1
        while (position > 0 && bestDistance[position - 1]! > squared) {
          bestDistance[position] = bestDistance[position - 1]!
          bestIndex[position] = bestIndex[position - 1]!
          position--
        }
        bestDistance[position] = squared
        bestIndex[position] = j
      }
    }
    const maxRing = Math.max(...cells)
    for (let ring = 0; ring <= maxRing; ring++) {
      // Cells at Chebyshev distance exactly `ring` from the home cell.
      if (dims === 2) {
        for (let dy = -ring; dy <= ring; dy++) {
          const y = home[1]! + dy
          if (y < 0 || y >= cells[1]!) continue
          const stepX = Math.abs(dy) === ring ? 1 : 2 * ring || 1
          for (let dx = -ring; dx <= ring; dx += stepX) {
            const x = home[0]! + dx
            if (x >= 0 && x < cells[0]!) visit(y * cells[0]! + x)
          }
        }
      } else {
        for (let dz = -ring; dz <= ring; dz++) {
          const z = home[2]! + dz
          if (z < 0 || z >= cells[2]!) continue
          for (let dy = -ring; dy <= ring; dy++) {
            const y = home[1]! + dy
            if (y < 0 || y >= cells[1]!) continue
            const onShell = Math.abs(dz) === ring || Math.abs(dy) === ring
            const stepX = onShell ? 1 : 2 * ring || 1
            for (let dx = -ring; dx <= ring; dx += stepX) {
              const x = home[0]! + dx
              if (x >= 0 && x < cells[0]!) visit((z * cells[1]! + y) * cells[0]! + x)
            }
          }
        }
      }
      if (found === kk && bestDistance[kk - 1]! <= (ring * side) ** 2) break
    }
    let same = 0
    for (let m = 0; m < found; m++) if (codes[bestIndex[m]!] === codes[i]) same++
    out[i] = found > 0 ? same / found : Number.NaN
  }
  return out
}
