/**
 * @module pca/linalg — small dense float64 linear algebra for the randomized SVD: a symmetric
 * eigensolver (Householder reduction to tridiagonal form, then the implicit QL method: EISPACK's
 * tred2 / tql2 as in JAMA) for matrices of a few hundred rows at most. O(m^3) with a small
 * constant: a cyclic Jacobi solver took ~15 ms per 60 x 60 matrix, a quarter of the PCA of
 * MNIST-10k; this takes well under 1 ms.
 */

/**
 * Eigen-decomposition of a symmetric m x m matrix (row-major, float64, not modified).
 * Returns eigenvalues descending and eigenvectors as columns of a row-major m x m matrix.
 */
export function symmetricEigen(matrix: Float64Array, m: number): { values: Float64Array; vectors: Float64Array } {
  // v is worked on column-major-as-row-major: v[r * m + c] = V[r][c], as in JAMA
  const v = Float64Array.from(matrix.subarray(0, m * m))
  const d = new Float64Array(m)
  const e = new Float64Array(m)
  if (m === 1) {
    d[0] = v[0]!
    v[0] = 1
  } else if (m > 1) {
    tridiagonalize(v, d, e, m)
    implicitQl(v, d, e, m)
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((x, y) => d[y]! - d[x]! || x - y)
  const values = new Float64Array(m)
  const vectors = new Float64Array(m * m)
  order.forEach((from, to) => {
    values[to] = d[from]!
    for (let k = 0; k < m; k++) vectors[k * m + to] = v[k * m + from]!
  })
  return { values, vectors }
}

/** Householder reduction of the symmetric v to tridiagonal form (diagonal d, sub-diagonal e); v becomes the transform. */
function tridiagonalize(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = v[(n - 1) * n + j]!
  for (let i = n - 1; i > 0; i--) {
    // scale to avoid under- and overflow
    let scale = 0
    let h = 0
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!)
    if (scale === 0) {
      e[i] = d[i - 1]!
      for (let j = 0; j < i; j++) {
        d[j] = v[(i - 1) * n + j]!
        v[i * n + j] = 0
        v[j * n + i] = 0
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k]! /= scale
        h += d[k]! * d[k]!
      }
      let f = d[i - 1]!
      let g = Math.sqrt(h)
      if (f > 0) g = -g
      e[i] = scale * g
      h -= f * g
      d[i - 1] = f - g
      for (let j = 0; j < i; j++) e[j] = 0
      for (let j = 0; j < i; j++) {
        f = d[j]!
        v[j * n + i] = f
        g = e[j]! + v[j * n + j]! * f
        for (let k = j + 1; k <= i - 1; k++) {
          g += v[k * n + j]! * d[k]!
          e[k]! += v[k * n + j]! * f
        }
        e[j] = g
      }
      f = 0
      for (let j = 0; j < i; j++) {
        e[j]! /= h
        f += e[j]! * d[j]!
      }
      const hh = f / (h + h)
      for (let j = 0; j < i; j++) e[j]! -= hh * d[j]!
      for (let j = 0; j < i; j++) {
        f = d[j]!
        g = e[j]!
        for (let k = j; k <= i - 1; k++) v[k * n + j]! -= f * e[k]! + g * d[k]!
        d[j] = v[(i - 1) * n + j]!
        v[i * n + j] = 0
      }
    }
    d[i] = h
  }
  // accumulate the transformations
  for (let i = 0; i < n - 1; i++) {
    v[(n - 1) * n + i] = v[i * n + i]!
    v[i * n + i] = 1
    const h = d[i + 1]!
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[k * n + i + 1]! / h
      for (let j = 0; j <= i; j++) {
        let g = 0
        for (let k = 0; k <= i; k++) g += v[k * n + i + 1]! * v[k * n + j]!
        for (let k = 0; k <= i; k++) v[k * n + j]! -= g * d[k]!
      }
    }
    for (let k = 0; k <= i; k++) v[k * n + i + 1] = 0
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[(n - 1) * n + j]!
    v[(n - 1) * n + j] = 0
  }
  v[(n - 1) * n + n - 1] = 1
  e[0] = 0
}

/** Implicit QL iterations on the tridiagonal (d, e), accumulating the rotations into v; d ends as the eigenvalues. */
function implicitQl(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!
  e[n - 1] = 0
  let f = 0
  let tst1 = 0
  const eps = 2 ** -52
  for (let l = 0; l < n; l++) {
    // find a small sub-diagonal element
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!))
    let m = l
    while (m < n) {
      if (Math.abs(e[m]!) <= eps * tst1) break
      m++
    }
    if (m > l) {
      for (let iteration = 0; iteration < 100; iteration++) {
        // implicit shift
        let g = d[l]!
        let p = (d[l + 1]! - g) / (2 * e[l]!)
        let r = Math.hypot(p, 1)
        if (p < 0) r = -r
        d[l] = e[l]! / (p + r)
        d[l + 1] = e[l]! * (p + r)
        const dl1 = d[l + 1]!
        let h = g - d[l]!
        for (let i = l + 2; i < n; i++) d[i]! -= h
        f += h
        // implicit QL transformation
        p = d[m]!
        let c = 1
        let c2 = c
        let c3 = c
        const el1 = e[l + 1]!
        let s = 0
        let s2 = 0
        for (let i = m - 1; i >= l; i--) {
          c3 = c2
          c2 = c
          s2 = s
          g = c * e[i]!
          h = c * p
          r = Math.hypot(p, e[i]!)
          e[i + 1] = s * r
          s = e[i]! / r
          c = p / r
          p = c * d[i]! - s * g
          d[i + 1] = h + s * (c * g + s * d[i]!)
          for (let k = 0; k < n; k++) {
            const row = k * n
            h = v[row + i + 1]!
            v[row + i + 1] = s * v[row + i]! + c * h
            v[row + i] = c * v[row + i]! - s * h
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1
        e[l] = s * p
        d[l] = c * p
        if (!(Math.abs(e[l]!) > eps * tst1)) break
      }
    }
    d[l] = d[l]! + f
    e[l] = 0
  }
}
