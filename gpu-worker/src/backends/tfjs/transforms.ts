/**
 * @module backends/tfjs/transforms — convolution of interpolation grids with a radial kernel by the
 * circulant embedding on an M^dims grid (M = 2^a or 3 * 2^a, at least twice the L nodes per side).
 *
 * Two equivalent ways to diagonalise the convolution, chosen by the runtime:
 * - `spectral`: tf.spectral.rfft / fft / ifft / irfft along each axis in turn (cuFFT under
 *   tfjs-node-gpu), O(C M^dims log M);
 * - `hartley`: the separable discrete Hartley transform as dense matmuls with the cas matrix
 *   cas(2 pi u x / M) = cos + sin, O(C M^(dims+1)). A kernel that is even along every axis (ours: it
 *   depends on the squared distance only) is diagonalised by it with a real spectrum, so a
 *   convolution is two real transforms and a product. Only the first L inputs and outputs per axis
 *   are non-zero / needed, so the matrices are L x M. This is the path for runtimes whose FFT is slow
 *   (tfjs' pure JS CPU backend: a 64 x 64 FFT takes seconds there) and it is what the tests run.
 */
import type { Tensor, Tensor2D, Tf } from './tf.ts'

export type TransformKind = 'spectral' | 'hartley'

/** cas(2 pi r c / m) for r < rows, c < cols, row-major float32 (arguments reduced mod m exactly). */
export function casMatrix(rows: number, cols: number, m: number): Float32Array {
  const out = new Float32Array(rows * cols)
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const angle = (2 * Math.PI * ((r * c) % m)) / m
      out[r * cols + c] = Math.cos(angle) + Math.sin(angle)
    }
  }
  return out
}

/**
 * Applies `matrix` (a x b) along every spatial axis of x ([C, s1, .., sd] with each s = a), giving
 * [C, b, .., b]. The spatial axes are rotated after each product so each one is last once.
 */
export function alongAxes(tf: Tf, x: Tensor, dims: number, matrix: Tensor2D): Tensor {
  let current = x
  const rotate = [0, dims, ...Array.from({ length: dims - 1 }, (_, i) => i + 1)]
  for (let axis = 0; axis < dims; axis++) {
    const shape = current.shape
    const last = shape[shape.length - 1]!
    const product = tf.matMul(current.reshape([-1, last]), matrix)
    const reshaped = product.reshape([...shape.slice(0, -1), matrix.shape[1]])
    current = tf.transpose(reshaped, rotate)
  }
  return current
}

/** Signed offset of circulant index m on a grid of size size (0, 1, .., size/2 - 1, -size/2, .., -1). */
function offset(m: number, size: number): number {
  return m < size / 2 ? m : m - size
}

/**
 * The circulant embedding of a radial kernel, kernel(squared distance), on M^dims nodes of spacing h,
 * row-major float32 (index m1 * M^(dims-1) + ...).
 */
export function circulantKernel(kernel: (squared: number) => number, m: number, dims: number, h: number): Float32Array {
  const out = new Float32Array(m ** dims)
  const h2 = h * h
  if (dims === 2) {
    for (let a = 0; a < m; a++) {
      const oa = offset(a, m)
      for (let b = 0; b < m; b++) out[a * m + b] = kernel(h2 * (oa * oa + offset(b, m) ** 2))
    }
  } else {
    for (let a = 0; a < m; a++) {
      const oa = offset(a, m)
      for (let b = 0; b < m; b++) {
        const ob = offset(b, m)
        for (let c = 0; c < m; c++) out[(a * m + b) * m + c] = kernel(h2 * (oa * oa + ob * ob + offset(c, m) ** 2))
      }
    }
  }
  return out
}

/** A convolution plan for one grid size: the transform matrices (Hartley) and the kernels' spectra. */
export interface GridConvolution {
  kind: TransformKind
  m: number
  /** Nodes per side that carry charges (L <= M / 2). */
  l: number
  dims: number
  /** Hartley: the L x M cas matrix and its transpose. */
  forward?: Tensor2D
  inverse?: Tensor2D
  /** Spectrum per channel, [C, M, .., M] (real: the kernels are even), scaled by 1 / M^dims. */
  spectrum: Tensor
}

/**
 * Builds the plan: channel c is convolved with kernels[channelKernel[c]]. Each distinct kernel's
 * spectrum is computed once per (M, h) on the device with full M x M cas matrices
 * (O(M^(dims+1)), about one iteration's transforms).
 */
export function planConvolution(
  tf: Tf,
  kind: TransformKind,
  m: number,
  l: number,
  dims: number,
  h: number,
  kernels: Array<(squared: number) => number>,
  channelKernel: number[],
): GridConvolution {
  return tf.tidy(() => {
    const full = tf.tensor2d(casMatrix(m, m, m), [m, m])
    const spectra = kernels.map((kernel) => {
      const grid = tf.tensor(circulantKernel(kernel, m, dims, h), [1, ...Array(dims).fill(m)])
      return tf.mul(alongAxes(tf, grid, dims, full), 1 / m ** dims)
    })
    const spectrum = tf.keep(tf.concat(channelKernel.map((index) => spectra[index]!), 0))
    if (kind === 'spectral') return { kind, m, l, dims, spectrum }
    const forward = tf.keep(tf.tensor2d(casMatrix(l, m, m), [l, m]))
    const inverse = tf.keep(forward.transpose() as Tensor2D)
    return { kind, m, l, dims, forward, inverse, spectrum }
  })
}

export function disposeConvolution(plan: GridConvolution): void {
  plan.spectrum.dispose()
  plan.forward?.dispose()
  plan.inverse?.dispose()
}

/** Convolves charges [C, L, .., L] with the plan's kernels; returns potentials [C, L, .., L]. Call inside tf.tidy. */
export function convolve(tf: Tf, plan: GridConvolution, charges: Tensor): Tensor {
  return plan.kind === 'hartley' ? convolveHartley(tf, plan, charges) : convolveSpectral(tf, plan, charges)
}

function convolveHartley(tf: Tf, plan: GridConvolution, charges: Tensor): Tensor {
  const transformed = alongAxes(tf, charges, plan.dims, plan.forward!)
  return alongAxes(tf, tf.mul(transformed, plan.spectrum), plan.dims, plan.inverse!)
}

/** Complex tensor with real and imaginary parts transposed by perm (transposes stay on real tensors). */
function transposeComplex(tf: Tf, x: Tensor, perm: number[]): Tensor {
  return tf.complex(tf.transpose(tf.real(x), perm), tf.transpose(tf.imag(x), perm))
}

function scaleComplex(tf: Tf, x: Tensor, scale: Tensor): Tensor {
  return tf.complex(tf.mul(tf.real(x), scale), tf.mul(tf.imag(x), scale))
}

/**
 * rfft along the last axis, fft along the others, times the (real) spectrum, then the inverse in
 * reverse order. The spectrum's Hartley layout equals the DFT for an even kernel.
 */
function convolveSpectral(tf: Tf, plan: GridConvolution, charges: Tensor): Tensor {
  const { m, l, dims } = plan
  const half = m / 2 + 1
  const padded = tf.pad(charges, [[0, 0], ...Array.from({ length: dims }, () => [0, m - l] as [number, number])])
  if (dims === 2) {
    // axes: [C, x1, x2] -> rfft x2 -> [C, x1, u2] -> [C, u2, x1] -> fft -> [C, u2, u1]
    let x = tf.spectral.rfft(padded)
    x = transposeComplex(tf, x, [0, 2, 1])
    x = tf.spectral.fft(x)
    const spectrum = tf.transpose(tf.slice(plan.spectrum, [0, 0, 0], [-1, m, half]), [0, 2, 1])
    x = scaleComplex(tf, x, tf.mul(spectrum, m * m))
    x = tf.spectral.ifft(x)
    x = transposeComplex(tf, x, [0, 2, 1])
    const out = tf.spectral.irfft(x).reshape([-1, m, m])
    return tf.slice(out, [0, 0, 0], [-1, l, l])
  }
  // [C, x1, x2, x3] -> rfft x3 -> [C, x1, x2, u3] -> [C, x1, u3, x2] -> fft -> [C, u3, u2, x1] -> fft
  let x = tf.spectral.rfft(padded)
  x = transposeComplex(tf, x, [0, 1, 3, 2])
  x = tf.spectral.fft(x)
  x = transposeComplex(tf, x, [0, 2, 3, 1])
  x = tf.spectral.fft(x)
  const spectrum = tf.transpose(tf.slice(plan.spectrum, [0, 0, 0, 0], [-1, m, m, half]), [0, 3, 2, 1])
  x = scaleComplex(tf, x, tf.mul(spectrum, m * m * m))
  x = tf.spectral.ifft(x)
  // [C, u3, u2, x1] -> [C, u3, x1, u2] -> ifft -> [C, u3, x1, x2] -> [C, x1, x2, u3] -> irfft
  x = transposeComplex(tf, x, [0, 1, 3, 2])
  x = tf.spectral.ifft(x)
  x = transposeComplex(tf, x, [0, 2, 3, 1])
  // tfjs' irfft flattens inputs of rank > 3 to [batch, M]: restore the shape
  const out = tf.spectral.irfft(x).reshape([-1, m, m, m])
  return tf.slice(out, [0, 0, 0, 0], [-1, l, l, l])
}
