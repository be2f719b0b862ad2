import { describe, expect, it } from 'vitest'
import { classCentres, combineSelection, decodeIndices, encodeIndices, labelCounts, lassoSelect, mapNeighbours, pointInPolygon, selectionCsv } from './selection.ts'

describe('selection', () => {
  it('tests points against a polygon, concave ones included', () => {
    const l = [0, 0, 10, 0, 10, 2, 2, 2, 2, 10, 0, 10]
    expect(pointInPolygon(1, 5, l)).toBe(true)
    expect(pointInPolygon(5, 5, l)).toBe(false)
    expect(pointInPolygon(5, 1, l)).toBe(true)
  })

  it('lassoes the visible points inside the loop', () => {
    const screen = new Float32Array([1, 1, 5, 5, 9, 9, 2, 3])
    const square = [0, 0, 6, 0, 6, 6, 0, 6]
    expect(Array.from(lassoSelect(screen, 4, square, () => true))).toEqual([0, 1, 3])
    expect(Array.from(lassoSelect(screen, 4, square, (i) => i !== 1))).toEqual([0, 3])
  })

  it('adds to and removes from a selection', () => {
    const a = Uint32Array.of(1, 2, 3)
    expect(Array.from(combineSelection(a, Uint32Array.of(3, 7), 'add'))).toEqual([1, 2, 3, 7])
    expect(Array.from(combineSelection(a, Uint32Array.of(2), 'remove'))).toEqual([1, 3])
  })

  it('counts labels, largest first', () => {
    expect(labelCounts([0, 1, 2, 3], [5, 2, 5, 5])).toEqual([[5, 3], [2, 1]])
  })

  it('writes a CSV with quoted labels', () => {
    const csv = selectionCsv([1], new Float32Array([0, 0, 1.5, -2]), 2, [
      { name: 'label', value: () => 'a, "b"' },
      { name: 'loss', value: (i) => String(i * 2) },
    ])
    expect(csv).toBe('index,x,y,label,loss\n1,1.5,-2,"a, ""b""",2\n')
  })

  it('packs selections into short URL text and back', () => {
    const indices = Uint32Array.of(0, 1, 2, 3, 10, 500, 501, 99999)
    const text = encodeIndices(indices)
    expect(text).toMatch(/^[0-9a-z.~]+$/)
    expect(Array.from(decodeIndices(text, 100000)!)).toEqual(Array.from(indices))
    expect(Array.from(decodeIndices(text, 600)!)).toEqual([0, 1, 2, 3, 10, 500, 501])
    expect(decodeIndices('x!', 10)).toBeNull()
    const run = Uint32Array.from({ length: 5000 }, (_, i) => i + 100)
    expect(encodeIndices(run).length).toBeLessThan(10)
  })

  it('finds neighbours in the map, nearest first', () => {
    const coords = new Float32Array([0, 0, 1, 0, 5, 5, 0.5, 0, 3, 0])
    expect(mapNeighbours(coords, 5, 2, 0, 2).map((entry) => entry.index)).toEqual([3, 1])
  })

  it('places class names inside their cluster despite strays', () => {
    const coords = new Float32Array([0, 0, 0.1, 0, 0, 0.1, 100, 100, 10, 10])
    const centres = classCentres(coords, 5, 2, [0, 0, 0, 0, 1], 3)
    expect(centres[0]![0]).toBeLessThan(1)
    expect(centres[1]).toEqual([10, 10])
    expect(centres[2]).toBeNull()
  })
})
