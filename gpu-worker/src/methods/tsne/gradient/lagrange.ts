/**
 * @module methods/tsne/gradient/lagrange — Lagrange interpolation weights on p equispaced nodes (k + 0.5) / p
 * of a box: how the FFT repulsion spreads a point's charges onto the grid and reads the potentials back
 * (the same weights both ways, in 2D and 3D).
 */

/** Denominators of the Lagrange basis on p equispaced nodes (k + 0.5) / p. */
export function lagrangeDenominators(p: number): Float64Array {
  const denominators = new Float64Array(p)
  for (let k = 0; k < p; k++) {
    let d = 1
    for (let l = 0; l < p; l++) if (l !== k) d *= (k - l) / p
    denominators[k] = d
  }
  return denominators
}

/** Lagrange weights at box-relative coordinate t in [0, 1] for nodes (k + 0.5) / p. */
export function lagrangeWeights(t: number, p: number, denominators: Float64Array, out: Float64Array): void {
  if (p === 3) {
    // the default, in closed form (nodes 1/6, 1/2, 5/6): a quarter of the spread and gather time otherwise
    const a = t - 1 / 6
    const b = t - 0.5
    const c = t - 5 / 6
    out[0] = 4.5 * b * c
    out[1] = -9 * a * c
    out[2] = 4.5 * a * b
    return
  }
  for (let k = 0; k < p; k++) {
    let w = 1
    for (let l = 0; l < p; l++) if (l !== k) w *= t - (l + 0.5) / p
    out[k] = w / denominators[k]!
  }
}
