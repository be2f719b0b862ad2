import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { CreateJobRequest, CreateLinkRequest, CreateTokenRequest, CreateUploadRequest, ReportPartRequest } from './schemas.ts'
import { closestName, describeUnknownField, editDistance, fieldsAt, formatFieldPath, unknownFields } from './unknown-fields.ts'

/** The messages a body gets from a schema's refused fields. */
function refused(schema: z.ZodType, body: unknown): string[] {
  const result = schema.safeParse(body)
  return result.success ? [] : unknownFields(schema, result.error.issues).map(describeUnknownField)
}

/** Plain Levenshtein (no swaps) by the textbook recursion, memoised on suffix lengths, as an independent check. */
function levenshtein(a: string, b: string): number {
  const memo = new Map<string, number>()
  const distance = (i: number, j: number): number => {
    if (i === a.length) return b.length - j
    if (j === b.length) return a.length - i
    const key = `${i},${j}`
    if (!memo.has(key)) memo.set(key, Math.min(distance(i + 1, j) + 1, distance(i, j + 1) + 1, distance(i + 1, j + 1) + (a[i] === b[j] ? 0 : 1)))
    return memo.get(key)!
  }
  return distance(0, 0)
}

describe('editDistance', () => {
  it('counts one edit for a missing, extra, changed or swapped letter', () => {
    expect(editDistance('perplexty', 'perplexity')).toBe(1)
    expect(editDistance('seeds', 'seed')).toBe(1)
    expect(editDistance('dimz', 'dims')).toBe(1)
    expect(editDistance('iteartions', 'iterations')).toBe(1)
  })

  it('ignores case, underscores and hyphens', () => {
    expect(editDistance('pca_dims', 'pcaDims')).toBe(0)
    expect(editDistance('expires-in-days', 'expiresInDays')).toBe(0)
  })

  it('is symmetric, zero only for equal names, and never more than Levenshtein', () => {
    const words = ['perplexity', 'pcaDims', 'seed', 'subsample', 'sub', 'ab', 'ba', '', 'abc', 'cab', 'layers', 'lyaers']
    for (const a of words) {
      for (const b of words) {
        const d = editDistance(a, b)
        expect(d).toBe(editDistance(b, a))
        expect(d === 0).toBe(a.toLowerCase() === b.toLowerCase())
        expect(d).toBeLessThanOrEqual(levenshtein(a.toLowerCase(), b.toLowerCase()))
        expect(d).toBeGreaterThanOrEqual(Math.abs(a.length - b.length))
      }
    }
  })
})

describe('closestName', () => {
  const params = fieldsAt(CreateJobRequest, ['params'])
  it('suggests the field a slip most likely meant', () => {
    expect(closestName('perplexty', params)).toBe('perplexity')
    expect(closestName('pca_dims', params)).toBe('pcaDims')
    expect(closestName('dim', params)).toBe('dims')
  })

  it('suggests nothing for a name that is not close to any field', () => {
    expect(closestName('method', params)).toBeNull()
    expect(closestName('colour', params)).toBeNull()
    expect(closestName('x', [])).toBeNull()
  })
})

describe('fieldsAt', () => {
  it('walks through optional, default and union wrappers to the object at a path', () => {
    expect(fieldsAt(CreateJobRequest, [])).toEqual(['features', 'labels', 'metadata', 'params', 'model'])
    expect(fieldsAt(CreateJobRequest, ['params', 'subsample'])).toEqual(['method', 'size', 'perLabel'])
    expect(fieldsAt(CreateJobRequest, ['model', 'preprocess'])).toContain('mean')
    expect(fieldsAt(z.object({ list: z.array(z.object({ a: z.number() })) }), ['list', 3])).toEqual(['a'])
    expect(fieldsAt(CreateJobRequest, ['features'])).toEqual([])
  })
})

describe('unknownFields', () => {
  it('names a misspelt parameter and the one meant', () => {
    expect(refused(CreateJobRequest, { features: 'upl_1', params: { perplexty: 5 } })).toEqual(['params.perplexty is not a field; did you mean params.perplexity?'])
  })

  it('lists the fields there when nothing is close', () => {
    expect(refused(CreateJobRequest, { features: 'upl_1', params: { method: 'pca' } })).toEqual([
      expect.stringMatching(/^params\.method is not a field; params takes perplexity, dims, iterations, seed, pcaDims\b.*\.$/),
    ])
    expect(refused(CreateJobRequest, { features: 'upl_1', colour: 'red' })).toEqual([expect.stringMatching(/^colour is not a field; the body takes features, labels, metadata, params, model\b.*\.$/)])
  })

  it('finds refused fields in nested objects: subsample, model, model.preprocess', () => {
    const messages = refused(CreateJobRequest, {
      model: { upload: 'upl_m', inputs: 'upl_i', batchsize: 8, preprocess: { sze: 224 } },
      params: { subsample: { method: 'random', size: 100, perlabel: 3 } },
    })
    expect(messages).toEqual(
      expect.arrayContaining([
        'model.batchsize is not a field; did you mean model.batchSize?',
        'model.preprocess.sze is not a field; did you mean model.preprocess.size?',
        'params.subsample.perlabel is not a field; did you mean params.subsample.perLabel?',
      ]),
    )
    expect(messages).toHaveLength(3)
  })

  it('refuses unknown fields in upload, part, token and link requests', () => {
    expect(refused(CreateUploadRequest, { filename: 'a.npy', size: 1, kind: 'features', knd: 'x' })).toEqual(['knd is not a field; did you mean kind?'])
    expect(refused(ReportPartRequest, { etag: '"x"', eTags: 1 })).toEqual(['eTags is not a field; did you mean etag?'])
    expect(refused(CreateTokenRequest, { name: 'ci', scope: ['read'] })).toEqual(['scope is not a field; did you mean scopes?'])
    expect(refused(CreateLinkRequest, { expiresInDay: 3 })).toEqual(['expiresInDay is not a field; did you mean expiresInDays?'])
  })

  it('accepts every request the web app, client and CLI send', () => {
    expect(CreateJobRequest.safeParse({ features: ['a', 'b'], labels: 'l', metadata: 'm', params: { perplexity: 30, dims: 2, iterations: 750, seed: 42, pcaDims: 50, subsample: { method: 'random', size: 100 } } }).success).toBe(true)
    expect(CreateJobRequest.safeParse({ model: { upload: 'm', inputs: 'i', layers: ['x'], preprocess: { size: 224, channels: 3, layout: 'NCHW', scale: 1 / 255, mean: [0.5], std: [0.5] }, batchSize: 8 }, params: {} }).success).toBe(true)
    expect(CreateLinkRequest.safeParse({}).success).toBe(true)
  })

  it('ignores every other kind of issue', () => {
    const result = CreateJobRequest.safeParse({ features: 'a', params: { dims: 4 } })
    expect(result.success).toBe(false)
    expect(unknownFields(CreateJobRequest, result.error!.issues)).toEqual([])
  })
})

describe('formatFieldPath', () => {
  it('joins names with dots and writes array items as [i]', () => {
    expect(formatFieldPath(['model', 'layers', 0])).toBe('model.layers[0]')
    expect(formatFieldPath([0, 'a'])).toBe('[0].a')
    expect(formatFieldPath([])).toBe('')
  })
})
