import { describe, expect, it } from 'vitest'
import { GraphBuilder, buildCnn, buildMlp } from '../../../tests/src/onnx-builder.ts'
import { OnnxModelError } from './onnx-model-error.ts'
import { readOnnxModel, readOnnxModelBytes } from './onnx-model.ts'
import { ProtoWriter } from './onnx-proto.ts'

/** A chunk source that hands out `size`-byte pieces, as a fetch body would. */
function chunked(bytes: Uint8Array, size: number) {
  let at = 0
  return async () => {
    if (at >= bytes.length) return null
    const piece = bytes.slice(at, at + size)
    at += size
    return piece
  }
}

async function refusal(bytes: Uint8Array): Promise<OnnxModelError> {
  try {
    await readOnnxModelBytes(bytes)
  } catch (err) {
    if (err instanceof OnnxModelError) return err
    throw err
  }
  throw new Error('expected the model to be refused')
}

describe('reading an ONNX model without a runtime', () => {
  it('lists an MLP\'s layers with op types and shapes, and picks the input of the last Gemm as the default', async () => {
    const { bytes } = buildMlp({ inputDims: 4, hidden: 8, classes: 3 })
    const model = await readOnnxModelBytes(bytes)
    expect(model.irVersion).toBe(8)
    expect(model.opsetVersion).toBe(13)
    expect(model.inputs).toEqual([{ name: 'x', elemType: 'float32', shape: ['N', 4] }])
    expect(model.outputs.map((o) => o.name)).toEqual(['logits'])
    expect(model.layers).toEqual([
      { output: 'h1', node: 'fc1', opType: 'Gemm', index: 0, shape: ['N', 8] },
      { output: 'features', node: 'relu1', opType: 'Relu', index: 1, shape: ['N', 8] },
      { output: 'logits', node: 'fc2', opType: 'Gemm', index: 2, shape: ['N', 3] },
    ])
    expect(model.defaultLayer).toBe('features')
    expect(model.initializerCount).toBe(4)
  })

  it('infers a CNN\'s shapes through Conv, MaxPool and Flatten', async () => {
    const { bytes } = buildCnn({ channels: 3, size: 8, filters: 5 })
    const model = await readOnnxModelBytes(bytes)
    const shapes = Object.fromEntries(model.layers.map((l) => [l.output, l.shape]))
    expect(shapes).toEqual({ conv: ['N', 5, 8, 8], relu: ['N', 5, 8, 8], pool: ['N', 5, 4, 4], flat: ['N', 80], logits: ['N', 4] })
    expect(model.defaultLayer).toBe('flat')
  })

  it('infers Reshape targets from small int64 initializers', async () => {
    const bytes = new GraphBuilder()
      .input('x', [2, 3, 4])
      .initializer('shape', { dims: [2], data: [0, -1], int64: true })
      .node('Reshape', ['x', 'shape'], ['y'])
      .output('y', null, null)
      .model()
    const model = await readOnnxModelBytes(bytes)
    expect(model.layers[0]!.shape).toEqual([2, 12])
    expect(model.outputs[0]!.shape).toEqual([2, 12])
  })

  it('defaults to the model output when there is no Gemm or MatMul', async () => {
    const bytes = new GraphBuilder().input('x', ['N', 3]).node('Relu', ['x'], ['y']).output('y', ['N', 3]).model()
    expect((await readOnnxModelBytes(bytes)).defaultLayer).toBe('y')
  })

  it('reads the same model from 7-byte chunks and skips a 4 MB weight without holding it', async () => {
    const big = new Float32Array(1024 * 1024)
    const bytes = new GraphBuilder()
      .input('x', ['N', 1024])
      .initializer('W', { dims: [1024, 1024], data: big })
      .node('MatMul', ['x', 'W'], ['h'])
      .node('Relu', ['h'], ['y'])
      .output('y', ['N', 1024])
      .model()
    const whole = await readOnnxModelBytes(bytes)
    const streamed = await readOnnxModel(chunked(bytes, 7 * 1024), bytes.length)
    expect(streamed).toEqual(whole)
    expect(streamed.layers.map((l) => l.shape)).toEqual([['N', 1024], ['N', 1024]])
    expect(streamed.defaultLayer).toBe('y')
  })

  it('refuses a weight stored as external data, naming the tensor and the file', async () => {
    const bytes = new GraphBuilder()
      .input('x', ['N', 4])
      .initializer('fc.weight', { dims: [4, 2], data: new Float32Array(8), external: { location: 'model.onnx.data' } })
      .node('MatMul', ['x', 'fc.weight'], ['y'])
      .output('y', ['N', 2])
      .model()
    const err = await refusal(bytes)
    expect(err.code).toBe('onnx_external_data')
    expect(err.message).toMatch(/fc\.weight/)
    expect(err.message).toMatch(/model\.onnx\.data/)
    expect(err.message).toMatch(/save_as_external_data=False/)
  })

  it('refuses data_location = EXTERNAL even without external_data entries', async () => {
    const bytes = new GraphBuilder()
      .input('x', ['N', 4])
      .initializer('w', { dims: [4, 2], data: new Float32Array(8), external: 'data_location_only' })
      .node('MatMul', ['x', 'w'], ['y'])
      .output('y', ['N', 2])
      .model()
    expect((await refusal(bytes)).code).toBe('onnx_external_data')
  })

  it('refuses external data hidden in a Constant node\'s tensor attribute', async () => {
    const bytes = new GraphBuilder()
      .input('x', ['N', 2])
      .node('Constant', [], ['c'], { value: { tensor: { dims: [2], data: new Float32Array(2), external: { location: 'c.bin' } } } })
      .node('Add', ['x', 'c'], ['y'])
      .output('y', ['N', 2])
      .model()
    expect((await refusal(bytes)).code).toBe('onnx_external_data')
  })

  it('refuses text, and protobufs that are not models', async () => {
    const text = await refusal(new TextEncoder().encode('this is not a model, just words\n'))
    expect(text.code).toBe('onnx_not_protobuf')
    expect(text.message).toMatch(/torch\.onnx\.export/)
    const noIr = new GraphBuilder().input('x', [1]).node('Relu', ['x'], ['y']).output('y', [1]).model({ irVersion: null })
    expect((await refusal(noIr)).code).toBe('onnx_no_ir_version')
    for (const absurd of [0, 101, 2 ** 40]) {
      const odd = await refusal(new GraphBuilder().input('x', [1]).node('Relu', ['x'], ['y']).output('y', [1]).model({ irVersion: absurd }))
      expect(odd.code).toBe('onnx_bad_ir_version')
      expect(odd.message).toContain(`IR version ${absurd}`)
      expect(odd.message).not.toMatch(/does not declare/)
    }
    const noGraph = new ProtoWriter().varint(1, 8).string(2, 'pytorch').finish()
    expect((await refusal(noGraph)).code).toBe('onnx_no_graph')
    const truncated = buildMlp({ inputDims: 4, hidden: 8, classes: 3 }).bytes.subarray(0, 200)
    expect((await refusal(truncated)).code).toBe('onnx_not_protobuf')
  })
})
