import { describe, expect, it } from 'vitest'
import { buildMlp } from '../../../tests/src/onnx-builder.ts'
import { verifyOnnxObject } from './onnx-uploads.ts'

describe('verifying an uploaded model at the edge', () => {
  it('streams a model through the full check and returns its summary and layer list', async () => {
    const { bytes } = buildMlp({ inputDims: 4, hidden: 8, classes: 3 })
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 50) controller.enqueue(bytes.slice(at, at + 50))
        controller.close()
      },
    })
    const { info, layers } = await verifyOnnxObject(stream, bytes.length)
    expect(info).toMatchObject({ irVersion: 8, defaultLayer: 'features', nodeCount: 3 })
    expect(layers.layers.map((l) => l.output)).toEqual(['h1', 'features', 'logits'])
  })
})
