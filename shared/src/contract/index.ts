/** @module The edge-worker contract: the worker API's requests and answers, the result files, the storage keys. */
export * from './worker-api.ts'
export * from './result-files.ts'
export * from './storage-keys.ts'
