/** @module Image inputs: archives, decoding, preprocessing, thumbnails. */
export * from './archive.ts'
export * from './decode.ts'
export * from './preprocess.ts'
export * from './thumbnails.ts'
export * from './image-samples.ts'
