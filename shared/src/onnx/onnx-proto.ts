/**
 * @module The protobuf wire format, just enough for ONNX: a pull reader over a byte stream that can skip
 * large fields without holding them (so a Worker can check a 500 MB model in constant memory), and a
 * writer for building or editing messages. Web APIs only.
 */

export const WIRE_VARINT = 0
export const WIRE_I64 = 1
export const WIRE_LEN = 2
export const WIRE_I32 = 5

/** The bytes are not a well-formed protobuf message. */
export class ProtoFormatError extends Error {
  override name = 'ProtoFormatError'
}

/** Where the reader gets more bytes: the next chunk, or null at the end. */
export type ChunkSource = () => Promise<Uint8Array | null>

/** A chunk source over one in-memory buffer (the worker has the whole model). */
export function bufferSource(bytes: Uint8Array): ChunkSource {
  let done = false
  return async () => {
    if (done) return null
    done = true
    return bytes
  }
}

/** A chunk source over a fetch body (the edge streams the stored object). */
export function streamSource(stream: ReadableStream<Uint8Array>): ChunkSource {
  const reader = stream.getReader()
  return async () => {
    const { value, done } = await reader.read()
    return done ? null : value
  }
}

/**
 * Pulls protobuf fields from a chunked byte stream. `position` counts bytes consumed from the start;
 * `skip` drops bytes without keeping them. Every read is checked against the innermost `limit`.
 */
export class ProtoReader {
  private buffer: Uint8Array = new Uint8Array(0)
  private offset = 0
  /** Absolute position of buffer[offset]. */
  position = 0
  private readonly limits: number[] = []

  constructor(private readonly source: ChunkSource, readonly totalBytes: number) {}

  /** End (absolute) of the message being read. */
  get limit(): number {
    return this.limits.length > 0 ? this.limits[this.limits.length - 1]! : this.totalBytes
  }

  /** Reads a nested message of `length` bytes with `body`, then checks it ended exactly there. */
  async nested<T>(length: number, body: () => Promise<T>): Promise<T> {
    const end = this.position + length
    if (end > this.limit) throw new ProtoFormatError(`a field of ${length} bytes at byte ${this.position} runs past the end of its message (byte ${this.limit})`)
    this.limits.push(end)
    try {
      const value = await body()
      if (this.position !== end) throw new ProtoFormatError(`a nested message ends at byte ${this.position}, not at ${end}`)
      return value
    } finally {
      this.limits.pop()
    }
  }

  /** True while the innermost message has bytes left. */
  more(): boolean {
    return this.position < this.limit
  }

  private async fill(n: number): Promise<void> {
    while (this.buffer.length - this.offset < n) {
      const chunk = await this.source()
      if (!chunk) throw new ProtoFormatError(`the data ends at byte ${this.position + this.buffer.length - this.offset} inside a field`)
      if (chunk.length === 0) continue
      const rest = this.buffer.subarray(this.offset)
      if (rest.length === 0) this.buffer = chunk
      else {
        const joined = new Uint8Array(rest.length + chunk.length)
        joined.set(rest, 0)
        joined.set(chunk, rest.length)
        this.buffer = joined
      }
      this.offset = 0
    }
  }

  private async byte(): Promise<number> {
    if (this.position >= this.limit) throw new ProtoFormatError(`a field at byte ${this.position} runs past the end of its message`)
    if (this.offset >= this.buffer.length) await this.fill(1)
    this.position++
    return this.buffer[this.offset++]!
  }

  /** An unsigned varint as a number (exact below 2^53); 10-byte negatives (int64 -1, ...) come back negative. */
  async varint(): Promise<number> {
    let low = 0
    let shift = 0
    for (let i = 0; i < 4; i++) {
      const b = await this.byte()
      low |= (b & 0x7f) << shift
      if (b < 0x80) return low >>> 0
      shift += 7
    }
    // Beyond 28 bits: accumulate in BigInt (rare: large sizes and negative int64 values).
    let value = BigInt(low >>> 0)
    let bigShift = 28n
    for (let i = 4; i < 10; i++) {
      const b = await this.byte()
      value |= BigInt(b & 0x7f) << bigShift
      if (b < 0x80) return Number(BigInt.asIntN(64, value))
      bigShift += 7n
    }
    throw new ProtoFormatError(`a varint at byte ${this.position} is longer than 10 bytes`)
  }

  /** The next field's tag: number and wire type, or null at the end of the current message. */
  async tag(): Promise<{ field: number; wire: number } | null> {
    if (!this.more()) return null
    const key = await this.varint()
    const field = Math.floor(key / 8)
    const wire = key & 7
    if (field === 0 || ![WIRE_VARINT, WIRE_I64, WIRE_LEN, WIRE_I32].includes(wire)) {
      throw new ProtoFormatError(`byte ${this.position} holds field ${field} with wire type ${wire}, which a protobuf message cannot hold`)
    }
    return { field, wire }
  }

  /** `n` bytes, copied out. Callers bound `n`: large fields are skipped instead. */
  async bytes(n: number): Promise<Uint8Array> {
    if (n < 0 || this.position + n > this.limit) throw new ProtoFormatError(`a field of ${n} bytes at byte ${this.position} runs past the end of its message`)
    await this.fill(n)
    const out = this.buffer.slice(this.offset, this.offset + n)
    this.offset += n
    this.position += n
    return out
  }

  /** Drops `n` bytes without keeping them. */
  async skip(n: number): Promise<void> {
    if (n < 0 || this.position + n > this.limit) throw new ProtoFormatError(`a field of ${n} bytes at byte ${this.position} runs past the end of its message`)
    let left = n
    while (left > 0) {
      const held = this.buffer.length - this.offset
      if (held === 0) {
        const chunk = await this.source()
        if (!chunk) throw new ProtoFormatError(`the data ends at byte ${this.position} inside a field`)
        this.buffer = chunk
        this.offset = 0
        continue
      }
      const step = Math.min(held, left)
      this.offset += step
      this.position += step
      left -= step
    }
  }

  /** Skips the value of a field with this wire type. */
  async skipValue(wire: number): Promise<void> {
    if (wire === WIRE_VARINT) await this.varint()
    else if (wire === WIRE_I64) await this.skip(8)
    else if (wire === WIRE_I32) await this.skip(4)
    else await this.skip(await this.varint())
  }

  /** A length-delimited UTF-8 string of at most `maxBytes`. */
  async string(maxBytes = 64 * 1024): Promise<string> {
    const length = await this.varint()
    if (length > maxBytes) throw new ProtoFormatError(`a name or text field of ${length} bytes is longer than ${maxBytes}`)
    return textDecoder.decode(await this.bytes(length))
  }

  /** Repeated int64 values: one varint, or a packed run. */
  async int64s(wire: number, into: number[], maxCount = 1 << 16): Promise<void> {
    if (wire === WIRE_VARINT) {
      into.push(await this.varint())
      return
    }
    if (wire !== WIRE_LEN) return this.skipValue(wire)
    const length = await this.varint()
    await this.nested(length, async () => {
      while (this.more()) {
        if (into.length >= maxCount) throw new ProtoFormatError(`a list of integers holds more than ${maxCount} values`)
        into.push(await this.varint())
      }
    })
  }

  /** A float32 field (wire type I32). */
  async float32(): Promise<number> {
    const b = await this.bytes(4)
    return new DataView(b.buffer, b.byteOffset, 4).getFloat32(0, true)
  }
}

const textDecoder = new TextDecoder()
const textEncoder = new TextEncoder()

/** Builds a protobuf message field by field. `finish()` returns the bytes. */
export class ProtoWriter {
  private chunks: Uint8Array[] = []
  private length = 0

  private push(bytes: Uint8Array): this {
    this.chunks.push(bytes)
    this.length += bytes.length
    return this
  }

  private rawVarint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value))
    const out: number[] = []
    do {
      const b = Number(v & 0x7fn)
      v >>= 7n
      out.push(v > 0n ? b | 0x80 : b)
    } while (v > 0n)
    return this.push(Uint8Array.from(out))
  }

  private key(field: number, wire: number): this {
    return this.rawVarint(field * 8 + wire)
  }

  varint(field: number, value: number | bigint): this {
    return this.key(field, WIRE_VARINT).rawVarint(value)
  }

  bytes(field: number, bytes: Uint8Array): this {
    return this.key(field, WIRE_LEN).rawVarint(bytes.length).push(bytes)
  }

  string(field: number, text: string): this {
    return this.bytes(field, textEncoder.encode(text))
  }

  message(field: number, message: ProtoWriter | Uint8Array): this {
    return this.bytes(field, message instanceof ProtoWriter ? message.finish() : message)
  }

  float32(field: number, value: number): this {
    const b = new Uint8Array(4)
    new DataView(b.buffer).setFloat32(0, value, true)
    return this.key(field, WIRE_I32).push(b)
  }

  /** Packed repeated int64. */
  packedVarints(field: number, values: readonly number[]): this {
    const inner = new ProtoWriter()
    for (const v of values) inner.rawVarint(v)
    return this.bytes(field, inner.finish())
  }

  /** Bytes already encoded as fields (copied through when editing a message). */
  raw(bytes: Uint8Array): this {
    return this.push(bytes)
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length)
    let at = 0
    for (const c of this.chunks) {
      out.set(c, at)
      at += c.length
    }
    return out
  }
}
