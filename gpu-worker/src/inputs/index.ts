/** @module Reading and checking a job's input files. */
export * from './errors.ts'
export * from './npy-reader.ts'
export * from './text-table.ts'
export * from './labels.ts'
export * from './features.ts'
export * from './metadata.ts'
export * from './magnitude.ts'
