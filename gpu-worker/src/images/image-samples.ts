/**
 * @module An image archive as model input: decodes each image when its batch is filled (one image in
 * memory at a time beyond the archive itself), preprocesses it, and adds its thumbnail on the way.
 */
import type { SampleSource } from '../inference/run.ts'
import type { ArchiveImage } from './archive.ts'
import { decodeImage } from './decode.ts'
import { imageToSample, type Preprocess } from './preprocess.ts'
import type { ThumbnailSheets } from './thumbnails.ts'

/** Samples in archive (path) order; `thumbnails`, when given, receives every image once, in order. */
export function imageSamples(images: readonly ArchiveImage[], preprocess: Preprocess, thumbnails: ThumbnailSheets | null, filename: string): SampleSource {
  const sampleSize = preprocess.sampleShape.reduce((a, b) => a * b, 1)
  const { height, width, channels, layout } = preprocess
  let thumbnailed = 0
  return {
    n: images.length,
    sampleShape: preprocess.sampleShape,
    describe: `the images of "${filename}" (preprocessed to ${height}x${width}, ${channels} ${channels === 1 ? 'channel' : 'channels'}, ${layout})`,
    mismatchHint: () => 'Set model.preprocess (size, channels, layout) to what the model takes.',
    async fill(start, count, out) {
      for (let k = 0; k < count; k++) {
        const image = images[start + k]!
        const decoded = decodeImage(image.bytes, image.path)
        imageToSample(decoded, preprocess, out, k * sampleSize)
        if (thumbnails && start + k === thumbnailed) {
          await thumbnails.add(decoded)
          thumbnailed++
        }
      }
    },
  }
}
