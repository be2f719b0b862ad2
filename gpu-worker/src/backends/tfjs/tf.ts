/**
 * @module backends/tfjs/tf — the TensorFlow.js namespace the tfjs backend computes with. It is
 * always passed in, never imported for its value: `@tensorflow/tfjs-node-gpu` (CUDA) in the GPU
 * image, `@tensorflow/tfjs` (pure JS CPU) in tests, so the same code runs on both.
 */
import type * as tfjs from '@tensorflow/tfjs'

/** The tfjs API; `@tensorflow/tfjs-node-gpu` exports a superset of it. */
export type Tf = typeof tfjs
export type Tensor = tfjs.Tensor
export type Tensor1D = tfjs.Tensor1D
export type Tensor2D = tfjs.Tensor2D

/** Copies a tensor to the host as float32 (awaits the device). */
export async function readFloat32(tensor: Tensor): Promise<Float32Array> {
  const data = await tensor.data()
  return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>)
}
