/**
 * @module Editing a ModelProto so chosen intermediate tensors become graph outputs: the graph's output list
 * is replaced by the requested names (nodes that feed none of them are then pruned by ONNX Runtime).
 * Works on the wire format: every other byte of the model is copied through unchanged.
 */
import { ProtoWriter, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT } from '@constellate/shared'

interface FieldSpan {
  field: number
  wire: number
  /** Start of the field's key. */
  start: number
  /** Start and end of a length-delimited value (its payload). */
  valueStart: number
  end: number
}

function readVarint(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0
  let scale = 1
  for (let i = 0; i < 10; i++) {
    if (at >= bytes.length) throw new RangeError('varint runs past the end of the model')
    const b = bytes[at++]!
    value += (b & 0x7f) * scale
    if (b < 0x80) return [value, at]
    scale *= 128
  }
  throw new RangeError('varint longer than 10 bytes')
}

/** The top-level fields of a message in bytes[start, end). */
function fieldSpans(bytes: Uint8Array, start: number, end: number): FieldSpan[] {
  const spans: FieldSpan[] = []
  let at = start
  while (at < end) {
    const fieldStart = at
    const [key, afterKey] = readVarint(bytes, at)
    const field = Math.floor(key / 8)
    const wire = key & 7
    at = afterKey
    let valueStart = at
    if (wire === WIRE_VARINT) at = readVarint(bytes, at)[1]
    else if (wire === WIRE_I64) at += 8
    else if (wire === WIRE_I32) at += 4
    else if (wire === WIRE_LEN) {
      const [length, afterLength] = readVarint(bytes, at)
      valueStart = afterLength
      at = afterLength + length
    } else throw new RangeError(`wire type ${wire} at byte ${fieldStart}`)
    if (at > end) throw new RangeError(`field ${field} at byte ${fieldStart} runs past its message`)
    spans.push({ field, wire, start: fieldStart, valueStart, end: at })
  }
  return spans
}

/** The `name` (field 1) of a ValueInfoProto payload. */
function valueInfoName(bytes: Uint8Array, span: FieldSpan): string {
  for (const f of fieldSpans(bytes, span.valueStart, span.end)) {
    if (f.field === 1 && f.wire === WIRE_LEN) return new TextDecoder().decode(bytes.subarray(f.valueStart, f.end))
  }
  return ''
}

/**
 * A copy of the model whose graph outputs are exactly `names`, in that order. Outputs the model already
 * declares keep their type; others are added by name only (ONNX Runtime infers their type).
 * O(model bytes) time, one copy.
 */
export function exposeOutputs(model: Uint8Array, names: readonly string[]): Uint8Array {
  const top = fieldSpans(model, 0, model.length)
  const graphSpan = top.find((f) => f.field === 7 && f.wire === WIRE_LEN)
  if (!graphSpan) throw new RangeError('the model has no graph')
  const graphFields = fieldSpans(model, graphSpan.valueStart, graphSpan.end)
  const declared = new Map<string, Uint8Array>()
  for (const f of graphFields) if (f.field === 12 && f.wire === WIRE_LEN) declared.set(valueInfoName(model, f), model.subarray(f.valueStart, f.end))
  const graph = new ProtoWriter()
  for (const f of graphFields) if (f.field !== 12) graph.raw(model.subarray(f.start, f.end))
  for (const name of names) graph.message(12, declared.get(name) ?? new ProtoWriter().string(1, name))
  const out = new ProtoWriter()
  for (const f of top) {
    if (f === graphSpan) out.message(7, graph)
    else out.raw(model.subarray(f.start, f.end))
  }
  return out.finish()
}
