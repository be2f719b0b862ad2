/**
 * @module tsne/gradient/split-kernel — the Student-t force kernel K2(s) = (1 + s/dof)^-(dof+1)
 * (s = squared distance) split into a smooth far part, computed on a coarse interpolation grid, and
 * a short-range remainder with compact support, summed exactly over nearby pairs (the particle-
 * particle / particle-mesh split of P3M). The far part equals K2 beyond the cut-off radius and
 * continues it inside as the quadratic-in-s Taylor polynomial at the cut-off (C^2, flat), so a grid
 * a few times coarser than FIt-SNE's interpolates it accurately.
 */

/** Coefficients of the far kernel: K2 for s >= cutSquared, a + b t + c t^2 (t = s - cutSquared) below. */
export interface SplitKernel {
  dof: number
  /** Squared cut-off radius (0: no split, the far part is K2 itself). */
  cutSquared: number
  a: number
  b: number
  c: number
}

/** K2(s) for the given degrees of freedom. */
export function forceKernel(s: number, dof: number): number {
  const base = 1 / (1 + s / dof)
  return dof === 1 ? base * base : base ** (dof + 1)
}

export function splitKernel(cutRadius: number, dof: number): SplitKernel {
  const sc = cutRadius * cutRadius
  const base = 1 / (1 + sc / dof)
  const k = forceKernel(sc, dof)
  // d/ds (1 + s/dof)^-(dof+1) = -(dof+1)/dof (1 + s/dof)^-(dof+2), and once more
  const b = (-(dof + 1) / dof) * k * base
  const c = (((dof + 1) * (dof + 2)) / (dof * dof)) * k * base * base * 0.5
  return { dof, cutSquared: sc, a: k, b, c }
}

/** The smooth far part of K2 at squared distance s. */
export function farKernel(s: number, kernel: SplitKernel): number {
  if (s >= kernel.cutSquared) return forceKernel(s, kernel.dof)
  const t = s - kernel.cutSquared
  return kernel.a + t * (kernel.b + t * kernel.c)
}
