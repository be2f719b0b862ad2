import { describe, expect, it } from 'vitest'
import { LIMITS, type ModelLayers } from '@constellate/shared'
import { emptyPreprocess, filterLayers, inputShapeProblem, layerEntries, parsePreprocess, preprocessDefaults, toggleLayer } from './model-form.ts'

const model: ModelLayers = {
  defaultLayer: 'features',
  inputs: [{ name: 'image', elemType: 'float32', shape: ['batch', 1, 28, 28] }],
  outputs: [{ name: 'logits', elemType: 'float32', shape: ['batch', 10] }],
  layers: [
    { output: 'conv1', node: 'Conv_0', opType: 'Conv', index: 0, shape: ['batch', 8, 26, 26] },
    { output: 'relu1', node: 'Relu_1', opType: 'Relu', index: 1, shape: ['batch', 8, 26, 26] },
    { output: 'features', node: 'Flatten_2', opType: 'Flatten', index: 2, shape: ['batch', 5408] },
    { output: 'logits', node: 'Gemm_3', opType: 'Gemm', index: 3, shape: ['batch', 10] },
  ],
}

describe('inputShapeProblem', () => {
  const input = model.inputs[0]!
  it('accepts a batch whose dimensions after N match the model input', () => {
    expect(inputShapeProblem([500, 1, 28, 28], input, 'x.npy')).toBeNull()
  })
  it('says expected vs given and how to reshape when the rank differs', () => {
    const problem = inputShapeProblem([500, 784], input, 'x.npy')
    expect(problem).toContain('expects [batch, 1, 28, 28]')
    expect(problem).toContain('x.npy has shape (500, 784)')
    expect(problem).toContain('x.reshape(500, 1, 28, 28)')
  })
  it('names the dimension that differs', () => {
    expect(inputShapeProblem([10, 3, 28, 28], input, 'x.npy')).toMatch(/dimension 1 is 3, not 1/)
  })
  it('does not judge a model that leaves its input shape open', () => {
    expect(inputShapeProblem([10, 3], { name: 'x', shape: null }, 'x.npy')).toBeNull()
    expect(inputShapeProblem([10, 3, 99], { name: 'x', shape: ['n', 3, 'len'] }, 'x.npy')).toBeNull()
  })
})

describe('layers', () => {
  it('marks the default layer and the model outputs', () => {
    const entries = layerEntries(model)
    expect(entries.filter((e) => e.isDefault).map((e) => e.output)).toEqual(['features'])
    expect(entries.filter((e) => e.isOutput).map((e) => e.output)).toEqual(['logits'])
  })
  it('filters by every word over name, node and op type', () => {
    const entries = layerEntries(model)
    expect(filterLayers(entries, 'relu').map((e) => e.output)).toEqual(['relu1'])
    expect(filterLayers(entries, 'gemm log').map((e) => e.output)).toEqual(['logits'])
    expect(filterLayers(entries, '  ')).toHaveLength(4)
  })
  it('keeps picks in graph order and refuses more than the per-job limit', () => {
    const entries = layerEntries(model)
    expect(toggleLayer(['logits'], 'conv1', entries)).toEqual(['conv1', 'logits'])
    expect(toggleLayer(['conv1', 'logits'], 'conv1', entries)).toEqual(['logits'])
    const full = Array.from({ length: LIMITS.maxModelLayers }, (_, i) => `l${i}`)
    expect(toggleLayer(full, 'conv1', entries)).toBeNull()
  })
})

describe('parsePreprocess', () => {
  it('leaves everything to the model when no field is filled', () => {
    expect(parsePreprocess(emptyPreprocess())).toEqual({ value: undefined, errors: {} })
  })
  it('parses sizes, fractions and per-channel lists', () => {
    const { value, errors } = parsePreprocess({ size: '32x48', channels: '3', layout: 'NHWC', scale: '1/255', mean: '0.485, 0.456, 0.406', std: '0.5' })
    expect(errors).toEqual({})
    expect(value).toEqual({ size: [32, 48], channels: 3, layout: 'NHWC', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.5] })
  })
  it('explains each bad field', () => {
    const { value, errors } = parsePreprocess({ size: '0', channels: '1', layout: '', scale: '-2', mean: '0.1, 0.2', std: '0' })
    expect(value).toBeUndefined()
    expect(errors.size).toMatch(/whole pixels/)
    expect(errors.scale).toMatch(/positive/)
    expect(errors.mean).toMatch(/2 values for 1 channel/)
    expect(errors.std).toMatch(/divide by zero/)
  })
})

describe('preprocessDefaults', () => {
  it('reads size, channels and layout off an NCHW or NHWC input', () => {
    expect(preprocessDefaults({ name: 'x', shape: ['b', 1, 28, 28] })).toEqual({ size: '28', channels: '1', layout: 'NCHW' })
    expect(preprocessDefaults({ name: 'x', shape: ['b', 32, 48, 3] })).toEqual({ size: '32x48', channels: '3', layout: 'NHWC' })
    expect(preprocessDefaults({ name: 'x', shape: ['b', 3, 'h', 'w'] }).size).toMatch(/needed/)
  })
})
