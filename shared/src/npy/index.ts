/** @module The `.npy` format: headers read as numpy.load reads them, encoders and decoders. */
export * from './npy.ts'
