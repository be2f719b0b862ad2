import { describe, expect, it } from 'vitest'
import type { FileSummary } from './inspect-file.ts'
import { assignDroppedFiles, checkLabelCount } from './upload-plan.ts'

const file = (name: string) => ({ name })

function summary(format: FileSummary['format'], rows: number): FileSummary {
  return { format, rows, rowsExact: true, cols: null, dtype: null, problems: [], notes: [] }
}

describe('assigning dropped files', () => {
  it('recognises labels by name whatever the drop order', () => {
    const labels = file('mnist_labels.npy')
    const features = file('mnist_features.npy')
    expect(assignDroppedFiles([labels, features])).toEqual({ features, labels })
  })

  it('treats a .txt file as labels and y.npy as labels', () => {
    expect(assignDroppedFiles([file('names.txt'), file('x.csv')])).toEqual({ features: file('x.csv'), labels: file('names.txt') })
    expect(assignDroppedFiles([file('y.npy'), file('X.npy')]).labels).toEqual(file('y.npy'))
  })

  it('puts a single file into features and ignores unknown types', () => {
    expect(assignDroppedFiles([file('model.onnx'), file('emb.npy')])).toEqual({ features: file('emb.npy') })
  })

  it('does not mistake "classifier_features" for labels', () => {
    expect(assignDroppedFiles([file('classifier_features.npy')])).toEqual({ features: file('classifier_features.npy') })
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
