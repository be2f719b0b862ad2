import { describe, expect, it } from 'vitest'
import type { JobMetadata } from '@constellate/shared'
import { colourOptions, groupingFor, metadataLines, searchPoints, valueScaleFor, type ColourSources } from './colouring.ts'

const metadata: JobMetadata = {
  version: 1,
  n: 5,
  columns: [
    { name: 'source', type: 'categorical', categories: ['resnet.npy', 'vit.npy'], counts: [3, 2], missing: 0, codes: [0, 0, 0, 1, 1] },
    { name: 'loss', type: 'continuous', min: 0.5, max: 4, missing: 1, values: [0.5, 1, null, 4, 2] },
  ],
  skipped: [],
}
const labels = { classes: ['cat', 'dog', 'catfish'], codes: Int32Array.of(0, 1, 2, 0, 1), counts: [2, 2, 1] }
const sources: ColourSources = { labels, metadata, quality: Float32Array.of(1, 0.5, 0, 1, 0.9), agreement: null }

describe('colouring', () => {
  it('groups by a categorical column when coloured by it, else by the labels', () => {
    expect(groupingFor('meta:source', sources)).toMatchObject({ title: 'source', classes: ['resnet.npy', 'vit.npy'], counts: [3, 2] })
    expect(Array.from(groupingFor('meta:source', sources)!.codes)).toEqual([0, 0, 0, 1, 1])
    expect(groupingFor('meta:loss', sources)?.title).toBe('Labels')
    expect(groupingFor('label', { ...sources, labels: null })).toBeNull()
  })

  it('scales a continuous column from its min to max with missing values as NaN', () => {
    const scale = valueScaleFor('meta:loss', sources, 10)!
    expect(scale.range).toEqual([0.5, 4])
    expect(Number.isNaN(scale.values[2]!)).toBe(true)
    expect(scale.values[3]).toBe(4)
    expect(scale.hint).toMatch(/1 points without a value/)
    expect(valueScaleFor('quality', sources, 10)?.values).toBe(sources.quality)
    expect(valueScaleFor('agreement', sources, 10)).toBeNull()
    expect(valueScaleFor('meta:source', sources, 10)).toBeNull()
  })

  it('offers every column, the per-point quality when present, and one colour', () => {
    expect(colourOptions({ labels: true, metadata, quality: true }).map((o) => o.value)).toEqual(['label', 'meta:source', 'meta:loss', 'quality', 'agreement', 'none'])
    expect(colourOptions({ labels: false, metadata: null, quality: false }).map((o) => o.value)).toEqual(['none'])
  })

  it('lists a point\'s metadata for the tooltip', () => {
    expect(metadataLines(metadata, 2)).toEqual(['source: resnet.npy', 'loss: –'])
    expect(metadataLines(metadata, 3)).toEqual(['source: vit.npy', 'loss: 4'])
    expect(metadataLines(metadata, 9)).toEqual([])
  })

  it('searches labels and categorical values by substring, and compares continuous columns', () => {
    const grouping = groupingFor('label', sources)
    expect(Array.from(searchPoints('cat', grouping, labels, metadata).indices)).toEqual([0, 3])
    expect(Array.from(searchPoints('CATF', grouping, labels, metadata).indices)).toEqual([2])
    expect(Array.from(searchPoints('ca', grouping, labels, metadata).indices)).toEqual([0, 2, 3])
    expect(searchPoints('ca', grouping, labels, metadata).classes).toEqual([0, 2])
    expect(Array.from(searchPoints('vit', grouping, labels, metadata).indices)).toEqual([3, 4])
    expect(Array.from(searchPoints('loss > 1', grouping, labels, metadata).indices)).toEqual([3, 4])
    expect(Array.from(searchPoints('LOSS<=1', grouping, labels, metadata).indices)).toEqual([0, 1])
    expect(Array.from(searchPoints('source = vit.npy', grouping, labels, metadata).indices)).toEqual([3, 4])
    expect(searchPoints('  ', grouping, labels, metadata).indices).toHaveLength(0)
    expect(searchPoints('zebra', grouping, labels, metadata).indices).toHaveLength(0)
  })
})
