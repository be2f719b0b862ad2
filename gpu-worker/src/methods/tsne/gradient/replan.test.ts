import { describe, expect, it } from 'vitest'
import { REPLAN_EVERY, bandsByLoad, cellIndex, nextPlan, sortByCell } from './replan.ts'

const SETTINGS = { minGrid: 32, maxGrid: 1024, maxNodeSpacing: 0.35 }

describe('the grid plan between calls', () => {
  it('plans afresh every REPLAN_EVERY calls and otherwise keeps the grid size, refitting the spacing', () => {
    const asked: [typeof SETTINGS, boolean | undefined][] = []
    const planner = (settings: typeof SETTINGS, compare?: boolean) => (asked.push([settings, compare]), { cutoff: 0 })
    nextPlan(0, { size: 0, cutoff: 0 }, SETTINGS, planner)
    expect(asked.pop()).toEqual([SETTINGS, undefined])
    nextPlan(REPLAN_EVERY + 1, { size: 96, cutoff: 0 }, SETTINGS, planner)
    expect(asked.pop()).toEqual([{ ...SETTINGS, minGrid: 96, maxGrid: 96 }, false])
    // a split grid stays split: no node-spacing limit pushes it to another size
    nextPlan(3, { size: 64, cutoff: 1.2 }, SETTINGS, () => ({ cutoff: 1 }))
    nextPlan(3, { size: 64, cutoff: 1.2 }, SETTINGS, planner)
    expect(asked[0]![0].maxNodeSpacing).toBe(0)
  })

  it('chooses afresh when keeping the size would flip an unsplit grid into a split one', () => {
    const calls: boolean[] = []
    const plan = nextPlan(5, { size: 48, cutoff: 0 }, SETTINGS, (settings, compare) => {
      calls.push(compare ?? true)
      return { cutoff: settings.maxGrid === 48 ? 0.9 : 0, size: settings.maxGrid }
    })
    expect(calls).toEqual([false, true])
    expect(plan).toEqual({ cutoff: 0, size: 1024 })
  })

  it('clamps cells to the grid', () => {
    expect(cellIndex(-5, 0, 1, 9)).toBe(0)
    expect(cellIndex(3.5, 0, 1, 9)).toBe(3)
    expect(cellIndex(50, 0, 1, 9)).toBe(9)
  })
})

describe('near-field bands', () => {
  it('splits the bands by parity, heaviest first, covering every band once (rows of 4 cells, bands of 2 rows)', () => {
    // 7 rows of 4 cells: points per row 3, 0, 5, 1, 9, 2, 4 -> bands (2 rows) 0:3, 1:6, 2:11, 3:4
    const perRow = [3, 0, 5, 1, 9, 2, 4]
    const cellStart = new Int32Array(7 * 4 + 1)
    let total = 0
    // all of a row's points in its first cell
    perRow.forEach((count, row) => {
      cellStart[row * 4] = total
      total += count
      for (let c = 1; c <= 4; c++) cellStart[row * 4 + c] = total
    })
    const [even, odd] = bandsByLoad(cellStart, 7, 4, 2)
    expect(Array.from(even)).toEqual([2, 0])
    expect(Array.from(odd)).toEqual([1, 3])
    expect(bandsByLoad(cellStart, 7, 4, 0)).toEqual([new Int32Array(0), new Int32Array(0)])
  })
})

describe('sortByCell', () => {
  it('orders points by cell, keeping the point order within a cell, with their coordinates and cell starts', () => {
    // 5 points in 2D over 4 cells; cells 3, 1, 3, 0, 1
    const y = Float64Array.from([0, 1, 10, 11, 20, 21, 30, 31, 40, 41])
    const cellOf = Int32Array.from([3, 1, 3, 0, 1])
    const cellStart = new Int32Array(5)
    const order = new Int32Array(5)
    const sorted = new Float64Array(10)
    sortByCell(y, 5, 2, 4, cellOf, cellStart, order, sorted)
    expect(Array.from(order)).toEqual([3, 1, 4, 0, 2])
    expect(Array.from(cellStart)).toEqual([0, 1, 3, 3, 5])
    expect(Array.from(sorted)).toEqual([30, 31, 10, 11, 40, 41, 0, 1, 20, 21])
  })
})
