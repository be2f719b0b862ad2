/** @module Delimited text tables (features, labels, metadata): the one scanner and the rules every reader shares. */
export * from './scan-delimited.ts'
export * from './delimiters.ts'
export * from './number-field.ts'
export * from './table-errors.ts'
export * from './feature-table.ts'
export * from './label-table.ts'
export * from './metadata-table.ts'
