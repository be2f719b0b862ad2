/**
 * @module methods/tsne/kernel-module — t-SNE's SPMD kernels on the CPU (perplexity calibration and the
 * optimiser), for the pools that run them (compute/kernels.ts).
 */
import { defineKernels } from '../../compute/kernels.ts'
import { calibrateKernel } from './affinities.ts'
import { optimizeKernel } from './optimizer.ts'

export default defineKernels(import.meta.url, { calibrate: calibrateKernel, optimize: optimizeKernel })
