import { describe, expect, it } from 'vitest'
import { klPath } from './timeline.ts'

describe('the KL curve', () => {
  it('draws KL against iteration, the largest KL at the top, skipping frames without KL', () => {
    const frames = [
      { seq: 0, iteration: 0, kl: 4 },
      { seq: 1, iteration: 250, kl: null },
      { seq: 2, iteration: 500, kl: 2 },
      { seq: 3, iteration: 1000, kl: 3 },
    ]
    // x = iteration / 1000 * 200; y = 50 - 2 - (kl - 2) / 2 * 46
    expect(klPath(frames, 1000, 200, 50)).toBe('M0.0,2.0L100.0,48.0L200.0,25.0')
  })

  it('stretches to the planned total while the run is still going, and needs two points', () => {
    expect(klPath([{ seq: -1, iteration: 100, kl: 5 }, { seq: -1, iteration: 200, kl: 5 }], 400, 100, 20)).toBe('M25.0,18.0L50.0,18.0')
    expect(klPath([{ seq: 0, iteration: 10, kl: 1 }], 100, 100, 20)).toBe('')
    expect(klPath([{ seq: 0, iteration: 10, kl: Number.NaN }, { seq: 1, iteration: 20, kl: 1 }], 100, 100, 20)).toBe('')
  })
})
