/** @module Test helper: a fixed, deterministic sample of real MNIST digits from the `mnist` package. */
import { createRequire } from 'node:module'

interface MnistDigit {
  range(start: number, end: number): number[][]
}

/** `perDigit` digits of each class 0..9 in class order: pixels in [0, 1], row-major [n, 784], labels 0..9. */
export function mnistSample(perDigit: number): { points: Float32Array; n: number; d: number; labels: Int32Array } {
  const digits = createRequire(import.meta.url)('mnist') as MnistDigit[]
  const rows: number[][] = []
  const labels: number[] = []
  for (let digit = 0; digit < 10; digit++) {
    for (const row of digits[digit]!.range(0, perDigit)) {
      rows.push(row)
      labels.push(digit)
    }
  }
  return { points: Float32Array.from(rows.flat()), n: rows.length, d: 784, labels: Int32Array.from(labels) }
}
