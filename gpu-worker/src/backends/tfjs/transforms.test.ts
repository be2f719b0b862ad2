import { describe, expect, it } from 'vitest'
import { SeededRandom } from '../../compute/random.ts'
import { convolve, disposeConvolution, planConvolution } from './transforms.ts'
import { jsTf, relativeError } from './test-support.ts'

/** Direct sum out[c, x] = sum_y kernel_c(h^2 |x - y|^2) g[c, y] over an L^dims grid. */
function directConvolution(grid: Float32Array, channels: number, l: number, dims: number, h: number, kernels: Array<(s: number) => number>): Float64Array {
  const cells = l ** dims
  const coords = (index: number) => (dims === 2 ? [Math.floor(index / l), index % l] : [Math.floor(index / (l * l)), Math.floor(index / l) % l, index % l])
  const out = new Float64Array(channels * cells)
  for (let c = 0; c < channels; c++) {
    for (let x = 0; x < cells; x++) {
      const a = coords(x)
      let sum = 0
      for (let y = 0; y < cells; y++) {
        const b = coords(y)
        let s = 0
        for (let t = 0; t < dims; t++) s += (a[t]! - b[t]!) ** 2
        sum += kernels[c]!(h * h * s) * grid[c * cells + y]!
      }
      out[c * cells + x] = sum
    }
  }
  return out
}

describe('grid convolution transforms', async () => {
  const tf = await jsTf()
  const cauchy2 = (s: number) => 1 / (1 + s) ** 2
  const cauchy = (s: number) => 1 / (1 + s)

  // grid sides 2^a and 3 * 2^a: the CPU engine's planners choose both
  for (const [dims, l, m] of [
    [2, 6, 16],
    [2, 9, 24],
    [3, 4, 8],
    [3, 6, 12],
  ] as const) {
    it(`${dims}D, ${l} nodes a side in a grid of ${m}: Hartley matmuls and tf.spectral FFTs both equal the direct sum (float32 rounding)`, () => {
      const random = new SeededRandom(dims)
      const channels = 3
      const grid = Float32Array.from({ length: channels * l ** dims }, () => random.normal())
      const kernels = [cauchy2, cauchy2, cauchy]
      const expected = directConvolution(grid, channels, l, dims, 0.4, kernels)
      for (const kind of ['hartley', 'spectral'] as const) {
        const plan = planConvolution(tf, kind, m, l, dims, 0.4, [cauchy2, cauchy], [0, 0, 1])
        const out = tf.tidy(() => convolve(tf, plan, tf.tensor(grid, [channels, ...Array(dims).fill(l)])))
        expect(out.shape).toEqual([channels, ...Array(dims).fill(l)])
        expect(relativeError(out.dataSync(), expected)).toBeLessThan(1e-5)
        out.dispose()
        disposeConvolution(plan)
      }
    })
  }
})
