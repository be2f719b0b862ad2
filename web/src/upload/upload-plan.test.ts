import { describe, expect, it } from 'vitest'
import { LIMITS } from '@constellate/shared'
import type { FileSummary } from '../lib/inspect-file.ts'
import { assignDroppedFiles, checkLabelCount, checkMetadataCount, combineFeatureFiles } from './upload-plan.ts'

const file = (name: string) => ({ name })

function summary(format: FileSummary['format'], rows: number, cols: number | null = null): FileSummary {
  return { format, rows, rowsExact: true, cols, dtype: null, problems: [], notes: [] }
}

describe('assigning dropped files', () => {
  it('recognises labels by name whatever the drop order', () => {
    const labels = file('mnist_labels.npy')
    const features = file('mnist_features.npy')
    expect(assignDroppedFiles([labels, features])).toEqual({ features: [features], labels })
  })

  it('treats a .txt file as labels and y.npy as labels', () => {
    expect(assignDroppedFiles([file('names.txt'), file('x.csv')])).toEqual({ features: [file('x.csv')], labels: file('names.txt') })
    expect(assignDroppedFiles([file('y.npy'), file('X.npy')]).labels).toEqual(file('y.npy'))
  })

  it('puts a single file into features and ignores unknown types', () => {
    expect(assignDroppedFiles([file('model.onnx'), file('emb.npy')])).toEqual({ features: [file('emb.npy')] })
  })

  it('does not mistake "classifier_features" for labels', () => {
    expect(assignDroppedFiles([file('classifier_features.npy')])).toEqual({ features: [file('classifier_features.npy')] })
  })

  it('keeps several feature files in drop order, with labels and a metadata table beside them', () => {
    const dropped = [file('resnet_layer4.npy'), file('labels.npy'), file('vit_block12.npy'), file('metadata.csv')]
    expect(assignDroppedFiles(dropped)).toEqual({
      features: [file('resnet_layer4.npy'), file('vit_block12.npy')],
      labels: file('labels.npy'),
      metadata: file('metadata.csv'),
    })
  })

  it('recognises meta and info tables, but only as .csv or .tsv', () => {
    expect(assignDroppedFiles([file('cells_meta.tsv')]).metadata).toEqual(file('cells_meta.tsv'))
    expect(assignDroppedFiles([file('sample-info.csv'), file('emb.npy')])).toEqual({ features: [file('emb.npy')], metadata: file('sample-info.csv') })
    expect(assignDroppedFiles([file('info.npy')])).toEqual({ features: [file('info.npy')] })
  })

  it('sends a second label-looking array to features rather than dropping it', () => {
    expect(assignDroppedFiles([file('labels.npy'), file('y.npy')])).toEqual({ features: [file('y.npy')], labels: file('labels.npy') })
  })
})

describe('several feature files in one map', () => {
  it('adds up the points and keeps the common D', () => {
    const totals = combineFeatureFiles([
      { name: 'a.npy', summary: summary('npy', 1000, 784) },
      { name: 'b.npy', summary: summary('npy', 500, 784) },
    ])
    expect(totals).toMatchObject({ files: 2, rows: 1500, rowsExact: true, cols: 784, format: 'npy', problems: [] })
  })

  it('names the file whose D differs and both Ds', () => {
    const totals = combineFeatureFiles([
      { name: 'resnet.npy', summary: summary('npy', 1000, 2048) },
      { name: 'vit.npy', summary: summary('npy', 1000, 768) },
    ])
    expect(totals.problems).toEqual([
      {
        file: 1,
        message: 'vit.npy has 768 columns (D) but resnet.npy has 2,048; every features file of one map needs the same D. Remove one of them, or map them separately.',
      },
    ])
  })

  it('leaves N unknown while a file is still being read, and is not certain of text counts', () => {
    expect(combineFeatureFiles([{ name: 'a.npy', summary: summary('npy', 10, 4) }, { name: 'b.csv', summary: null }]).rows).toBeNull()
    const mixed = combineFeatureFiles([{ name: 'a.npy', summary: summary('npy', 10, 4) }, { name: 'b.csv', summary: { ...summary('csv', 10, 4), hasHeader: true } }])
    expect(mixed).toMatchObject({ rows: 20, format: null, hasHeader: true })
  })

  it('refuses more files or points than one map takes', () => {
    const many = Array.from({ length: 17 }, (_, i) => ({ name: `f${i}.npy`, summary: summary('npy', 10, 4) }))
    expect(combineFeatureFiles(many).problems[0]!.message).toMatch(/17 features files .* at most 16/)
    const big = [0, 1].map((i) => ({ name: `f${i}.npy`, summary: summary('npy', LIMITS.maxPoints / 2 + 1, 4) }))
    expect(combineFeatureFiles(big).problems[0]!.message).toContain(`${(LIMITS.maxPoints + 2).toLocaleString('en-US')} points in all; at most ${LIMITS.maxPoints.toLocaleString('en-US')}`)
  })

  it('checks labels against the total over all files', () => {
    const totals = combineFeatureFiles([{ name: 'a.npy', summary: summary('npy', 100, 4) }, { name: 'b.npy', summary: summary('npy', 100, 4) }])
    expect(checkLabelCount(totals, summary('npy', 200), 'labels.npy')).toEqual({})
    expect(checkLabelCount(totals, summary('npy', 100), 'labels.npy').error).toContain('100 labels but the features have 200 points')
  })
})

describe('metadata row check', () => {
  it('warns when the rows differ from the points, and suggests a header when one row short', () => {
    const check = checkMetadataCount(summary('npy', 200), summary('csv', 199), 'meta.csv')
    expect(check.error).toBeUndefined()
    expect(check.warning).toMatch(/meta\.csv has 199 rows but the features have 200 points.*add a header row/)
    expect(checkMetadataCount(summary('npy', 200), summary('csv', 200), 'meta.csv')).toEqual({})
  })
})

describe('label count check', () => {
  it('blocks when two .npy files disagree, saying both counts', () => {
    const check = checkLabelCount(summary('npy', 2000), summary('npy', 1999), 'labels.npy')
    expect(check.error).toContain('1,999 labels')
    expect(check.error).toContain('2,000 points')
  })

  it('only warns for text labels, which may carry a header line', () => {
    const check = checkLabelCount(summary('npy', 2000), summary('txt', 2001), 'labels.txt')
    expect(check.error).toBeUndefined()
    expect(check.warning).toContain('2,001 labels')
  })

  it('is silent when the counts match or are unknown', () => {
    expect(checkLabelCount(summary('npy', 10), summary('txt', 10), 'l.txt')).toEqual({})
    expect(checkLabelCount(summary('npy', 10), null, 'l.txt')).toEqual({})
  })
})
