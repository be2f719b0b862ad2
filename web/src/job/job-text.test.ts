import { describe, expect, it } from 'vitest'
import { neighbourSpaceText, shapeText, stageText, timeAgo } from './job-text.ts'

describe('job words', () => {
  it('names stages and shapes', () => {
    expect(stageText('knn')).toBe('Finding nearest neighbours')
    expect(stageText('building_index')).toBe('Building index')
    expect(shapeText({ n: 2000, d: 784 })).toBe('2,000 × 784')
    expect(shapeText({ n: null, d: null })).toBeNull()
  })

  it('says how long ago', () => {
    const now = Date.parse('2026-01-01T12:00:00Z')
    expect(timeAgo('2026-01-01T11:59:50Z', now)).toBe('just now')
    expect(timeAgo('2026-01-01T11:30:00Z', now)).toBe('30 min ago')
    expect(timeAgo('2025-12-20T11:30:00Z', now)).toBe('2025-12-20')
  })
})

describe('where neighbours were found', () => {
  const params = { pcaDims: 50 }
  it('names the input, or its PCA space when it has more dimensions', () => {
    expect(neighbourSpaceText({ d: 20, params }, null)).toBe('the input feature space')
    expect(neighbourSpaceText({ d: 784, params }, null)).toBe('the 50-dim PCA space of the input')
    expect(neighbourSpaceText(null, null)).toBe('the input feature space')
  })

  it('names a model job\'s layer', () => {
    expect(neighbourSpaceText({ d: null, params }, { name: 'fc1', d: 32 })).toBe("layer fc1's features")
    expect(neighbourSpaceText({ d: null, params: { pcaDims: 16 } }, { name: 'conv2', d: 800 })).toBe("the 16-dim PCA space of layer conv2's features")
  })
})
