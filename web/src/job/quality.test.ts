import { describe, expect, it } from 'vitest'
import { flatten, humanizeKey, isRecord, metricSections } from './quality.ts'

describe('quality panel data', () => {
  it('names known metrics and still shows unknown numeric ones', () => {
    const { rows, tables } = metricSections({ n: 2000, knnLabelAccuracy10: 0.91234, trustworthinessAt30: 0.95, silhouettePerLabel: [0.5, 0.25], notes: { a: 'x' } }, ['cat', 'dog'])
    expect(rows.map((r) => [r.name, r.value])).toEqual([
      ['Points', '2,000'],
      ['10-NN label accuracy', '0.912'],
      ['Trustworthiness at 30', '0.950'],
    ])
    expect(tables[0]).toEqual({ key: 'silhouettePerLabel', name: 'Silhouette per label', rows: [{ label: 'cat', value: '0.500' }, { label: 'dog', value: '0.250' }] })
  })

  it('turns keys into words', () => {
    expect(humanizeKey('knnRecallAt30')).toBe('Knn recall at 30')
  })

  it('flattens nested manifest sections', () => {
    expect(flatten({ features: { sha256: 'ab', n: 3 }, labels: null })).toEqual([
      { key: 'features.sha256', value: 'ab' },
      { key: 'features.n', value: '3' },
      { key: 'labels', value: '–' },
    ])
  })
})

describe('manifest sections', () => {
  it('tells JSON objects from arrays and plain values', () => {
    expect(isRecord({ backend: 'cpu' })).toBe(true)
    expect([isRecord([1, 2]), isRecord(null), isRecord('cpu'), isRecord(3)]).toEqual([false, false, false, false])
  })
})
