/**
 * @module pca/linalg — small dense float64 linear algebra for the randomized SVD: a cyclic
 * Jacobi eigensolver for symmetric matrices of a few hundred rows at most.
 */

/**
 * Eigen-decomposition of a symmetric m x m matrix (row-major, float64, not modified).
 * Returns eigenvalues descending and eigenvectors as columns of a row-major m x m matrix.
 */
export function symmetricEigen(matrix: Float64Array, m: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix.subarray(0, m * m))
  const v = new Float64Array(m * m)
  for (let i = 0; i < m; i++) v[i * m + i] = 1
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0
    let diag = 0
    for (let i = 0; i < m; i++) {
      diag += a[i * m + i]! ** 2
      for (let j = i + 1; j < m; j++) off += a[i * m + j]! ** 2
    }
    if (off <= 1e-30 * diag || off === 0) break
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = a[p * m + q]!
        if (Math.abs(apq) < 1e-300) continue
        const app = a[p * m + p]!
        const aqq = a[q * m + q]!
        const theta = (aqq - app) / (2 * apq)
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
        const c = 1 / Math.sqrt(t * t + 1)
        const s = t * c
        for (let k = 0; k < m; k++) {
          const akp = a[k * m + p]!
          const akq = a[k * m + q]!
          a[k * m + p] = c * akp - s * akq
          a[k * m + q] = s * akp + c * akq
        }
        for (let k = 0; k < m; k++) {
          const apk = a[p * m + k]!
          const aqk = a[q * m + k]!
          a[p * m + k] = c * apk - s * aqk
          a[q * m + k] = s * apk + c * aqk
        }
        for (let k = 0; k < m; k++) {
          const vkp = v[k * m + p]!
          const vkq = v[k * m + q]!
          v[k * m + p] = c * vkp - s * vkq
          v[k * m + q] = s * vkp + c * vkq
        }
      }
    }
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((x, y) => a[y * m + y]! - a[x * m + x]! || x - y)
  const values = new Float64Array(m)
  const vectors = new Float64Array(m * m)
  order.forEach((from, to) => {
    values[to] = a[from * m + from]!
    for (let k = 0; k < m; k++) vectors[k * m + to] = v[k * m + from]!
  })
  return { values, vectors }
}
