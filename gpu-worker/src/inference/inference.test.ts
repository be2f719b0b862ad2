import { describe, expect, it } from 'vitest'
import { readOnnxModelBytes } from '@constellate/shared'
import { GraphBuilder, buildCnn, buildMlp, seededFloats } from '../../../tests/src/onnx-builder.ts'
import { ModelError } from './errors.ts'
import { openModel } from './session.ts'
import { runInference, type SampleSource } from './run.ts'

function arraySource(data: Float32Array, n: number, sampleShape: number[]): SampleSource {
  const size = sampleShape.reduce((a, b) => a * b, 1)
  return { n, sampleShape, describe: 'the test inputs', fill: (start, count, out) => out.set(data.subarray(start * size, (start + count) * size)) }
}

async function tensorNames(bytes: Uint8Array): Promise<Set<string>> {
  return new Set((await readOnnxModelBytes(bytes)).layers.map((l) => l.output))
}

async function modelError(work: () => Promise<unknown>): Promise<ModelError> {
  try {
    await work()
  } catch (err) {
    if (err instanceof ModelError) return err
    throw err
  }
  throw new Error('expected a ModelError')
}

describe('inference with any node as output', () => {
  it('returns an MLP\'s hidden layers exactly as x W1 + b1 and its ReLU, across batches', async () => {
    const mlp = buildMlp({ inputDims: 6, hidden: 5, classes: 3 })
    const n = 37
    const x = seededFloats(n * 6, 99, 2)
    const model = await openModel(mlp.bytes, ['h1', 'features'], await tensorNames(mlp.bytes))
    const batches: number[] = []
    const layers = (await runInference(model, arraySource(x, n, [6]), { batchSize: 10, onBatch: (done) => void batches.push(done) }))!
    expect(batches).toEqual([1, 2, 3, 4])
    const [h1, features] = layers
    expect(h1!.d).toBe(5)
    expect(features!.shape).toEqual([5])
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < 5; j++) {
        let sum = mlp.b1[j]!
        for (let k = 0; k < 6; k++) sum += x[i * 6 + k]! * mlp.w1[k * 5 + j]!
        expect(h1!.features[i * 5 + j]).toBeCloseTo(sum, 5)
        expect(features!.features[i * 5 + j]).toBeCloseTo(Math.max(0, sum), 5)
      }
    }
    await model.session.release()
  })

  it('returns a CNN\'s convolution output equal to a direct 3x3 convolution, flattened to [N, C*H*W]', async () => {
    const cnn = buildCnn({ channels: 2, size: 6, filters: 3 })
    const n = 5
    const x = seededFloats(n * 2 * 36, 5, 1)
    const model = await openModel(cnn.bytes, ['conv', 'flat'], await tensorNames(cnn.bytes))
    const [conv, flat] = (await runInference(model, arraySource(x, n, [2, 6, 6])))!
    expect(conv!.shape).toEqual([3, 6, 6])
    expect(conv!.d).toBe(108)
    expect(flat!.shape).toEqual([27])
    for (let i = 0; i < n; i++) {
      for (let f = 0; f < 3; f++) {
        for (let r = 0; r < 6; r++) {
          for (let c = 0; c < 6; c++) {
            let sum = cnn.bias[f]!
            for (let ch = 0; ch < 2; ch++) {
              for (let kr = 0; kr < 3; kr++) {
                for (let kc = 0; kc < 3; kc++) {
                  const rr = r + kr - 1
                  const cc = c + kc - 1
                  if (rr < 0 || rr >= 6 || cc < 0 || cc >= 6) continue
                  sum += x[((i * 2 + ch) * 6 + rr) * 6 + cc]! * cnn.kernel[((f * 2 + ch) * 3 + kr) * 3 + kc]!
                }
              }
            }
            expect(conv!.features[i * 108 + (f * 6 + r) * 6 + c]).toBeCloseTo(sum, 4)
          }
        }
      }
      // pooling: each flat value is the max of a 2x2 block of ReLU(conv)
      const pooled = Math.max(0, conv!.features[i * 108]!, conv!.features[i * 108 + 1]!, conv!.features[i * 108 + 6]!, conv!.features[i * 108 + 7]!)
      expect(flat!.features[i * 27]).toBeCloseTo(pooled, 5)
    }
    await model.session.release()
  })

  it('runs a model exported with a fixed batch of 1, padding nothing and keeping every row', async () => {
    const mlp = buildMlp({ inputDims: 3, hidden: 4, classes: 2, batch: 1 })
    const x = seededFloats(7 * 3, 3)
    const model = await openModel(mlp.bytes, ['features'], await tensorNames(mlp.bytes))
    const batches: number[] = []
    const [features] = (await runInference(model, arraySource(x, 7, [3]), { onBatch: (_, total) => void batches.push(total) }))!
    expect(batches.length).toBe(7)
    expect(features!.features.length).toBe(28)
    await model.session.release()
  })

  it('says the expected and the given shape when the inputs do not fit the model', async () => {
    const cnn = buildCnn({ channels: 1, size: 8, filters: 2 })
    const model = await openModel(cnn.bytes, ['flat'], await tensorNames(cnn.bytes))
    const err = await modelError(() => runInference(model, arraySource(new Float32Array(6 * 3 * 64), 6, [3, 8, 8])))
    expect(err.code).toBe('model_input_mismatch')
    expect(err.message).toBe('The model expects input "image" of shape [N, 1, 8, 8] but the test inputs have shape [6, 3, 8, 8]: dimension 1 is 3 where the model wants 1.')
    const rank = await modelError(() => runInference(model, arraySource(new Float32Array(6 * 64), 6, [64])))
    expect(rank.message).toMatch(/wants 4-D input and the test inputs are 2-D/)
    await model.session.release()
  })

  it('refuses a layer name the graph does not have, naming some that exist', async () => {
    const mlp = buildMlp({ inputDims: 3, hidden: 4, classes: 2 })
    const err = await modelError(() => openModel(mlp.bytes, ['fc7'], new Set(['h1', 'features', 'logits'])))
    expect(err.code).toBe('model_layer_unknown')
    expect(err.message).toMatch(/"fc7".*"features"/)
  })

  it('fails a model ONNX Runtime cannot load with a plain message', async () => {
    const bytes = new GraphBuilder().input('x', ['N', 2]).node('NoSuchOp', ['x'], ['y']).output('y', ['N', 2]).model()
    const err = await modelError(() => openModel(bytes, ['y'], new Set(['y'])))
    expect(err.code).toBe('model_load_failed')
    expect(err.message).toMatch(/operator|could not be loaded/)
    expect(err.message).toMatch(/NoSuchOp/)
  })

  it('stops at the inference time cap', async () => {
    const mlp = buildMlp({ inputDims: 3, hidden: 4, classes: 2 })
    const model = await openModel(mlp.bytes, ['features'], await tensorNames(mlp.bytes))
    const err = await modelError(() => runInference(model, arraySource(new Float32Array(30), 10, [3]), { deadline: Date.now() - 1 }))
    expect(err.code).toBe('inference_timeout')
    await model.session.release()
  })
})
