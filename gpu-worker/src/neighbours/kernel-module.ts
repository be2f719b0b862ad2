/** @module neighbours/kernel-module — the kNN stage's SPMD kernels, for the pools that run them (compute/kernels.ts). */
import { defineKernels } from '../compute/kernels.ts'
import { exactKnnKernel } from './knn.ts'
import { ivfKnnKernel } from './knn-ivf.ts'

export default defineKernels(import.meta.url, { 'exact-knn': exactKnnKernel, 'ivf-knn': ivfKnnKernel })
