/**
 * @module Image archives: the PNG/JPEG files of a `.zip` (fflate) or `.tar` (ustar, pax and GNU long
 * names) in path order, each labelled by the folder it sits in ("cat/001.png" is a "cat").
 */
import { unzipSync } from 'fflate'
import { LIMITS } from '@constellate/shared'
import { ModelError } from '../inference/errors.ts'

export interface ArchiveImage {
  /** Path inside the archive, "/"-separated. */
  path: string
  /** The folder holding the image ("cat" for "train/cat/001.png"), null at the archive's root. */
  label: string | null
  bytes: Uint8Array
}

/** Uncompressed image bytes one archive may expand to (guards against zip bombs). */
export const MAX_ARCHIVE_EXPANDED_BYTES = 8 * 1024 ** 3

const IMAGE_EXTENSION = /\.(png|jpe?g)$/i

/** An archive member that is an image we read: right extension, not a hidden file or macOS resource fork. */
export function isImagePath(path: string): boolean {
  const parts = path.split('/')
  const base = parts[parts.length - 1] ?? ''
  return IMAGE_EXTENSION.test(base) && !base.startsWith('.') && !parts.includes('__MACOSX')
}

/**
 * The images of an archive, sorted by path. Other files are ignored.
 * @throws ModelError archive_unreadable, archive_empty, too_many_inputs
 */
export function readImageArchive(bytes: Uint8Array, format: 'zip' | 'tar', filename = `images.${format}`): ArchiveImage[] {
  const others: string[] = []
  const files = format === 'zip' ? readZip(bytes, filename, others) : readTar(bytes, filename)
  const images = files.filter((f) => isImagePath(f.path) || (others.push(f.path), false))
  if (images.length === 0) {
    const seen = others.slice(0, 5).map((p) => `"${p}"`).join(', ')
    throw new ModelError('archive_empty', `"${filename}" holds no PNG or JPEG images${others.length ? ` (it holds ${others.length} other files, e.g. ${seen})` : ''}. Put the images in class folders: cat/001.png, dog/002.jpg, ...`)
  }
  images.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return images.map((f) => {
    const parts = f.path.split('/').filter(Boolean)
    return { path: f.path, label: parts.length >= 2 ? parts[parts.length - 2]! : null, bytes: f.bytes }
  })
}

function tooMany(count: number, filename: string): ModelError {
  return new ModelError('too_many_inputs', `"${filename}" holds more than ${LIMITS.maxModelInputs} images (${count} so far); a model job runs at most ${LIMITS.maxModelInputs}. Split or subsample the archive.`)
}

/** The image members of a zip; names of the other files go to `others` (they are never inflated). */
function readZip(bytes: Uint8Array, filename: string, others: string[]): { path: string; bytes: Uint8Array }[] {
  let count = 0
  let expanded = 0
  let entries: Record<string, Uint8Array>
  try {
    entries = unzipSync(bytes, {
      filter(file) {
        if (!isImagePath(file.name)) {
          if (!file.name.endsWith('/')) others.push(file.name)
          return false
        }
        if (++count > LIMITS.maxModelInputs) throw tooMany(count, filename)
        expanded += file.originalSize
        if (expanded > MAX_ARCHIVE_EXPANDED_BYTES) {
          throw new ModelError('archive_unreadable', `"${filename}" expands to more than ${MAX_ARCHIVE_EXPANDED_BYTES / 1024 ** 3} GiB of images; upload a smaller archive.`)
        }
        return true
      },
    })
  } catch (err) {
    if (err instanceof ModelError) throw err
    throw new ModelError('archive_unreadable', `"${filename}" could not be read as a ZIP archive (${(err as Error).message}). Create it with "zip -r images.zip folder/" (stored or deflate compression).`)
  }
  return Object.entries(entries).map(([path, data]) => ({ path, bytes: data }))
}

function readOctal(bytes: Uint8Array, start: number, length: number): number {
  // GNU base-256 for sizes >= 8 GiB: high bit of the first byte set
  if (bytes[start]! & 0x80) {
    let value = 0
    for (let k = 1; k < length; k++) value = value * 256 + bytes[start + k]!
    return value
  }
  let text = ''
  for (let k = 0; k < length; k++) {
    const c = bytes[start + k]!
    if (c === 0 || c === 0x20) {
      if (text) break
      continue
    }
    text += String.fromCharCode(c)
  }
  return text ? parseInt(text, 8) : 0
}

function readString(bytes: Uint8Array, start: number, length: number): string {
  let end = start
  while (end < start + length && bytes[end] !== 0) end++
  return new TextDecoder().decode(bytes.subarray(start, end))
}

/** The regular files of a tar archive (ustar, with pax `path` records and GNU long names). */
export function readTar(bytes: Uint8Array, filename = 'images.tar'): { path: string; bytes: Uint8Array }[] {
  const files: { path: string; bytes: Uint8Array }[] = []
  let at = 0
  let longName: string | null = null
  let images = 0
  const bad = (why: string) => new ModelError('archive_unreadable', `"${filename}" is not a readable tar archive: ${why}. Create it with "tar -cf images.tar folder/".`)
  while (at + 512 <= bytes.length) {
    const header = bytes.subarray(at, at + 512)
    if (header.every((b) => b === 0)) break
    let sum = 0
    for (let k = 0; k < 512; k++) sum += k >= 148 && k < 156 ? 0x20 : header[k]!
    if (sum !== readOctal(header, 148, 8)) throw bad(`the header at byte ${at} has a wrong checksum`)
    const size = readOctal(header, 124, 12)
    const type = String.fromCharCode(header[156]!)
    const dataStart = at + 512
    if (dataStart + size > bytes.length) throw bad(`the entry at byte ${at} runs past the end of the file`)
    const data = bytes.subarray(dataStart, dataStart + size)
    const magic = readString(header, 257, 6)
    const prefix = magic.startsWith('ustar') ? readString(header, 345, 155) : ''
    const name = readString(header, 0, 100)
    if (type === 'L') longName = readString(data, 0, data.length)
    else if (type === 'x') {
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(new TextDecoder().decode(data))?.[1]
      if (path) longName = path
    } else if (type === '0' || type === '\0' || type === '7') {
      const path = (longName ?? (prefix ? `${prefix}/${name}` : name)).replace(/^\.\//, '')
      longName = null
      if (isImagePath(path) && ++images > LIMITS.maxModelInputs) throw tooMany(images, filename)
      files.push({ path, bytes: data })
    } else longName = type === 'g' ? longName : null
    at = dataStart + Math.ceil(size / 512) * 512
  }
  return files
}
