import { describe, expect, it } from 'vitest'
import { LAYER_FILE_NAMES, RESULT_FILE_SPECS, decodeNpyArray } from '@constellate/shared'
import type { EmbedResult } from '../engine.ts'
import type { MapExtras } from '../map-extras.ts'
import { ResultCheckError } from '../result-check.ts'
import { checkedMap, embeddingCsv, writeIndices, writeLabels, writeManifest, writeMapFiles } from './results.ts'

/** A finished 3-point 2D map whose KL fell steadily to the end (so it converged). */
function finished(overrides: Partial<EmbedResult> = {}): EmbedResult {
  const klHistory = Array.from({ length: 20 }, (_, k) => ({ iteration: 50 * (k + 1), kl: 2 - k * 1e-5 }))
  return {
    embedding: Float32Array.of(0.5, -1, 2, 3.25, -0.125, 4),
    n: 3,
    dims: 2,
    iterations: 1000,
    cancelled: false,
    kl: 1.5,
    klHistory,
    timings: {},
    resolved: {},
    backend: 'cpu',
    ...overrides,
  }
}

const extras: MapExtras = {
  neighbours: Int32Array.of(1, 2, 0, 2, 0, 1),
  quality: Float32Array.of(1, 0.5, 0),
  summary: { k: 2, space: 'input', source: 'tsne', exact: true, meanQuality: 0.5 },
}

/** A bucket that records each object's body and content type. */
function bucket() {
  const objects = new Map<string, { body: Uint8Array | string; type: string }>()
  const store = {
    get: async () => new Uint8Array(),
    put: async (key: string, body: Uint8Array | string, type: string) => void objects.set(key, { body, type }),
  }
  return { objects, store }
}

describe('the files of a finished map', () => {
  it('are its five layer files, with metrics.json carrying the point quality', () => {
    const map = checkedMap(finished(), { n: 3, dims: 2, knnLabelAccuracy10: null, seconds: 0.1 }, extras, undefined)
    expect(map.files.map((f) => f.name)).toEqual([...LAYER_FILE_NAMES])
    expect(JSON.parse(String(map.files[2]!.body))).toEqual({ n: 3, dims: 2, knnLabelAccuracy10: null, seconds: 0.1, pointQuality: { k: 2, space: 'input', mean: 0.5 } })
    expect(map.converged).toBeNull()
  })

  it('are not made for a map that is not finite, and the message names the map', () => {
    const broken = finished({ embedding: Float32Array.of(0, 0, Number.NaN, 1, 2, 3) })
    expect(() => checkedMap(broken, { seconds: 0 }, extras, undefined, 'the map of layer "fc1"')).toThrow(ResultCheckError)
    expect(() => checkedMap(broken, { seconds: 0 }, extras, undefined, 'the map of layer "fc1"')).toThrow(/1 of 6 coordinates of the map of layer "fc1" are not finite \(the first at point 1\)/)
    expect(() => checkedMap(finished(), { trustworthiness: Number.NaN }, extras, undefined)).toThrow(/metrics\.trustworthiness \(NaN\) is not finite/)
  })

  it('carry a warning when the KL divergence was still falling fast at the end', () => {
    const klHistory = Array.from({ length: 20 }, (_, k) => ({ iteration: 50 * (k + 1), kl: 3 * 0.9 ** k }))
    expect(checkedMap(finished({ klHistory }), {}, extras, undefined).converged?.code).toBe('not_converged')
  })

  it('are stored as the job\'s own or as a layer\'s, with the content types the edge serves them with', async () => {
    const { objects, store } = bucket()
    const labels = { classes: ['a, "quoted"', 'b'], codes: Int32Array.of(0, 1, 0) }
    const map = checkedMap(finished(), {}, extras, labels)
    await writeMapFiles(store, 'jobs/j/attempts/1', map.files)
    await writeMapFiles(store, 'jobs/j/attempts/1', map.files, 2)
    for (const name of LAYER_FILE_NAMES) {
      for (const key of [`jobs/j/attempts/1/${name}`, `jobs/j/attempts/1/layers/2/${name}`]) expect(objects.get(key)?.type, key).toBe(RESULT_FILE_SPECS[name].contentType)
    }
    const embedding = decodeNpyArray(objects.get('jobs/j/attempts/1/layers/2/embedding.npy')!.body as Uint8Array)
    expect(embedding.shape).toEqual([3, 2])
    expect(Array.from(embedding.data)).toEqual([0.5, -1, 2, 3.25, -0.125, 4])
    const neighbours = decodeNpyArray(objects.get('jobs/j/attempts/1/neighbours.npy')!.body as Uint8Array)
    expect([neighbours.shape, neighbours.data instanceof Int32Array, Array.from(neighbours.data)]).toEqual([[3, 2], true, [1, 2, 0, 2, 0, 1]])
    const quality = decodeNpyArray(objects.get('jobs/j/attempts/1/quality-points.npy')!.body as Uint8Array)
    expect([quality.shape, quality.data instanceof Float32Array, Array.from(quality.data)]).toEqual([[3], true, [1, 0.5, 0]])
    expect(objects.get('jobs/j/attempts/1/embedding.csv')!.body).toBe('x,y,label\n0.5,-1,"a, ""quoted"""\n2,3.25,b\n-0.125,4,"a, ""quoted"""\n')

    await writeIndices(store, 'jobs/j/attempts/1', Int32Array.of(4, 9, 11))
    const indices = decodeNpyArray(objects.get('jobs/j/attempts/1/indices.npy')!.body as Uint8Array)
    expect([indices.shape, Array.from(indices.data)]).toEqual([[3], [4, 9, 11]])
    await writeManifest(store, 'jobs/j/attempts/1', { job: 'j' })
    expect(objects.get('jobs/j/attempts/1/manifest.json')).toEqual({ body: '{\n  "job": "j"\n}', type: 'application/json' })
    await writeLabels(store, 'jobs/j/labels.json', labels)
    expect(JSON.parse(String(objects.get('jobs/j/labels.json')!.body))).toEqual({ classes: ['a, "quoted"', 'b'], codes: [0, 1, 0] })
  })
})

describe('embedding.csv', () => {
  it('has x,y,z columns for a 3D map and no label column without labels', () => {
    expect(embeddingCsv(Float32Array.of(1, 2, 3, 4, 5, 6), 2, 3)).toBe('x,y,z\n1,2,3\n4,5,6\n')
  })
})
