import { describe, expect, it } from 'vitest'
import { PNG } from 'pngjs'
import { jpegBytes, pngBytes, tarBytes, zipBytes } from '../../../tests/src/onnx-images.ts'
import { ModelError } from '../inference/errors.ts'
import { decodeImage, type RgbaImage } from './decode.ts'
import { readImageArchive } from './archive.ts'
import { imageToSample, resizeRgb, resolvePreprocess } from './preprocess.ts'
import { ThumbnailSheets } from './thumbnails.ts'

function error(work: () => unknown): ModelError {
  try {
    work()
  } catch (err) {
    if (err instanceof ModelError) return err
    throw err
  }
  throw new Error('expected a ModelError')
}

const red = pngBytes(4, 4, () => [255, 0, 0])
const blue = jpegBytes(8, 8, () => [0, 0, 255])

describe('image archives', () => {
  const members = { 'cats/b.png': red, 'cats/a.jpg': blue, 'data/dogs/c.png': red, 'loose.png': red, '__MACOSX/cats/._b.png': red, 'cats/notes.txt': new Uint8Array([65]) }

  it('lists the PNG and JPEG images of a zip in path order, labelled by their folder', () => {
    const images = readImageArchive(zipBytes(members), 'zip')
    expect(images.map((i) => [i.path, i.label])).toEqual([
      ['cats/a.jpg', 'cats'],
      ['cats/b.png', 'cats'],
      ['data/dogs/c.png', 'dogs'],
      ['loose.png', null],
    ])
  })

  it('reads the same images from a tar', () => {
    const images = readImageArchive(tarBytes(members), 'tar')
    expect(images.map((i) => i.path)).toEqual(['cats/a.jpg', 'cats/b.png', 'data/dogs/c.png', 'loose.png'])
    expect(images[1]!.bytes).toEqual(red)
  })

  it('says what an archive without images holds', () => {
    const err = error(() => readImageArchive(zipBytes({ 'readme.md': new Uint8Array([35]) }), 'zip', 'x.zip'))
    expect(err.code).toBe('archive_empty')
    expect(err.message).toMatch(/"readme\.md"/)
  })

  it('refuses a file that is not a zip or has a corrupt tar header', () => {
    expect(error(() => readImageArchive(new Uint8Array(100).fill(7), 'zip')).code).toBe('archive_unreadable')
    const tar = tarBytes({ 'a/b.png': red })
    tar[150] = tar[150]! ^ 0xff
    expect(error(() => readImageArchive(tar, 'tar')).code).toBe('archive_unreadable')
  })
})

describe('decoding and preprocessing images', () => {
  it('decodes PNG and JPEG by content', () => {
    const png = decodeImage(red, 'a.png')
    expect([png.width, png.height, png.data[0], png.data[1], png.data[3]]).toEqual([4, 4, 255, 0, 255])
    const jpg = decodeImage(blue, 'b.jpeg')
    expect([jpg.width, jpg.height]).toEqual([8, 8])
    expect(jpg.data[2]).toBeGreaterThan(240)
    expect(error(() => decodeImage(new Uint8Array([1, 2, 3]), 'c.png')).code).toBe('image_unreadable')
  })

  it('refuses images larger than the side limit before decoding them', () => {
    const header = pngBytes(1, 1, () => [0, 0, 0])
    new DataView(header.buffer, header.byteOffset).setUint32(16, 100_000)
    expect(error(() => decodeImage(header, 'huge.png')).code).toBe('image_too_large')
  })

  it('keeps a flat colour flat when resizing, and averages when shrinking', () => {
    const flat = resizeRgb(decodeImage(red, 'r.png'), 7, 3)
    for (let k = 0; k < flat.length; k += 3) expect([flat[k]!, flat[k + 1]!, flat[k + 2]!].map(Math.round)).toEqual([255, 0, 0])
    const checker: RgbaImage = { width: 4, height: 4, data: new Uint8Array(64).map((_, k) => (k % 4 === 3 ? 255 : ((k >> 2) + ((k >> 4) % 2)) % 2 ? 200 : 0)) }
    const shrunk = resizeRgb(checker, 1, 1)
    expect(shrunk[0]).toBeCloseTo(100, 0)
  })

  it('reads size, channels and layout off the model input shape', () => {
    expect(resolvePreprocess({}, ['N', 3, 224, 224])).toMatchObject({ height: 224, width: 224, channels: 3, layout: 'NCHW', sampleShape: [3, 224, 224] })
    expect(resolvePreprocess({}, ['N', 28, 28, 1])).toMatchObject({ channels: 1, layout: 'NHWC', sampleShape: [28, 28, 1] })
    expect(resolvePreprocess({}, ['N', 784])).toMatchObject({ height: 28, width: 28, channels: 1, sampleShape: [784] })
    expect(resolvePreprocess({}, ['N', 28, 28])).toMatchObject({ channels: 1, sampleShape: [28, 28] })
    expect(resolvePreprocess({ size: [10, 12] }, ['N', 3, 'h', 'w']).sampleShape).toEqual([3, 10, 12])
    const unknown = error(() => resolvePreprocess({}, ['N', 3, 'h', 'w']))
    expect(unknown.code).toBe('bad_preprocess')
    expect(unknown.message).toMatch(/preprocess\.size/)
    expect(error(() => resolvePreprocess({ mean: [0.1, 0.2] }, ['N', 3, 8, 8])).message).toMatch(/1 or 3 values/)
  })

  it('normalises with mean and std, in NCHW or NHWC order, grey as luma', () => {
    const image = decodeImage(pngBytes(2, 1, (x) => (x === 0 ? [255, 0, 0] : [0, 255, 0])), 'two.png')
    const nchw = new Float32Array(6)
    imageToSample(image, resolvePreprocess({ mean: [0.5], std: [0.5] }, ['N', 3, 1, 2]), nchw, 0)
    expect(Array.from(nchw)).toEqual([1, -1, -1, 1, -1, -1])
    const nhwc = new Float32Array(6)
    imageToSample(image, resolvePreprocess({ layout: 'NHWC' }, ['N', 1, 2, 3]), nhwc, 0)
    expect(Array.from(nhwc)).toEqual([1, 0, 0, 0, 1, 0])
    const grey = new Float32Array(2)
    imageToSample(image, resolvePreprocess({ scale: 1 }, ['N', 1, 1, 2]), grey, 0)
    expect(grey[0]).toBeCloseTo(255 * 0.299, 3)
    expect(grey[1]).toBeCloseTo(255 * 0.587, 3)
  })
})

describe('thumbnail sprite sheets', () => {
  it('places image i at tile i, fitted and centred, and starts a new sheet when one is full', async () => {
    const sheets = new Map<string, Uint8Array>()
    const thumbs = new ThumbnailSheets(async (name, png) => void sheets.set(name, png), { tileSize: 8, columns: 2, rowsPerSheet: 2 })
    const wide = decodeImage(pngBytes(16, 8, () => [0, 255, 0]), 'wide.png')
    for (let i = 0; i < 5; i++) await thumbs.add(wide)
    const index = await thumbs.finish()
    expect(index).toEqual({ version: 1, tileSize: 8, columns: 2, perSheet: 4, count: 5, sheets: ['0.png', '1.png'] })
    const first = PNG.sync.read(Buffer.from(sheets.get('0.png')!))
    expect([first.width, first.height]).toEqual([16, 16])
    // tile 3 is at (8, 8); a 16x8 image fits as 8x4, rows 2..5 of the tile
    const pixel = (x: number, y: number) => Array.from(first.data.subarray((y * 16 + x) * 4, (y * 16 + x) * 4 + 4))
    expect(pixel(12, 11)).toEqual([0, 255, 0, 255])
    expect(pixel(12, 8)).toEqual([0, 0, 0, 0])
    const second = PNG.sync.read(Buffer.from(sheets.get('1.png')!))
    expect([second.width, second.height]).toEqual([16, 8])
  })
})
