/**
 * @module Naming the fields a strict request schema refused, with the closest valid name:
 * "params.perplexty is not a field; did you mean params.perplexity?". The edge answers 400 `unknown_field`
 * with these messages; a client or CLI checking a request before sending it can word its errors the same way.
 */
import { z } from 'zod'

/** One refused field: where it was and what could have been meant. */
export interface UnknownField {
  /** Dotted path of the refused field, e.g. `params.perplexty` (array items as `[i]`). */
  path: string
  /** Path of the object it was in (`params`); empty for the top level of the body. */
  parent: string
  /** The valid field it most likely stands for, as a full path (`params.perplexity`), or null when none is close. */
  suggestion: string | null
  /** Every field the object there accepts. */
  validFields: string[]
}

/** The fields a schema's object accepts at `path` of the input, or [] when no object is there. */
export function fieldsAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  const fields = new Set<string>()
  collectFields(schema, path, fields)
  return [...fields]
}

function collectFields(schema: z.core.$ZodType, path: readonly PropertyKey[], into: Set<string>): void {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault) {
    return collectFields(schema.unwrap(), path, into)
  }
  if (schema instanceof z.ZodNonOptional || schema instanceof z.ZodReadonly || schema instanceof z.ZodCatch || schema instanceof z.ZodLazy) {
    return collectFields(schema.unwrap(), path, into)
  }
  // The request side of a transform is what the client sent.
  if (schema instanceof z.ZodPipe) return collectFields(schema.in, path, into)
  if (schema instanceof z.ZodUnion) {
    for (const option of schema.options) collectFields(option, path, into)
    return
  }
  if (schema instanceof z.ZodIntersection) {
    collectFields(schema._zod.def.left, path, into)
    collectFields(schema._zod.def.right, path, into)
    return
  }
  const [head, ...rest] = path
  if (schema instanceof z.ZodObject) {
    if (head === undefined) {
      for (const key of Object.keys(schema.shape)) into.add(key)
      return
    }
    const field = typeof head === 'string' ? schema.shape[head] : undefined
    if (field) collectFields(field, rest, into)
    return
  }
  if (head === undefined) return
  if (schema instanceof z.ZodArray) return collectFields(schema.element, rest, into)
  if (schema instanceof z.ZodRecord) return collectFields(schema.valueType, rest, into)
  if (schema instanceof z.ZodTuple && typeof head === 'number') {
    const item = schema._zod.def.items[head] ?? schema._zod.def.rest
    if (item) collectFields(item, rest, into)
  }
}

/**
 * Edit distance between two names, ignoring case and `_`/`-` (so `pca_dims` is `pcaDims`): insertions,
 * deletions, substitutions and swaps of neighbours each count 1 (optimal string alignment). O(|a|·|b|).
 */
export function editDistance(a: string, b: string): number {
  const x = comparable(a)
  const y = comparable(b)
  let before = new Array<number>(y.length + 1).fill(0)
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j)
  for (let i = 1; i <= x.length; i++) {
    const current = [i]
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) best = Math.min(best, before[j - 2]! + 1)
      current.push(best)
    }
    before = previous
    previous = current
  }
  return previous[y.length]!
}

function comparable(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, '')
}

/** The candidate closest to `name`, if it is close enough to be a likely slip (about one edit in three letters). */
export function closestName(name: string, candidates: readonly string[]): string | null {
  let best: string | null = null
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  if (best === null) return null
  return bestDistance <= Math.max(1, Math.floor(comparable(best).length / 3)) ? best : null
}

/** `params.subsample`, `model.layers[0]`: how a path reads in messages. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`
  return out
}

/** The refused fields among `issues` (zod's `unrecognized_keys`), each with the closest name `schema` accepts there. */
export function unknownFields(schema: z.core.$ZodType, issues: readonly z.core.$ZodIssue[]): UnknownField[] {
  const found: UnknownField[] = []
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue
    const validFields = fieldsAt(schema, issue.path)
    for (const key of issue.keys) {
      const close = closestName(key, validFields)
      found.push({
        path: formatFieldPath([...issue.path, key]),
        parent: formatFieldPath(issue.path),
        suggestion: close === null ? null : formatFieldPath([...issue.path, close]),
        validFields,
      })
    }
  }
  return found
}

/** "params.perplexty is not a field; did you mean params.perplexity?" (or the fields there are, when none is close). */
export function describeUnknownField(field: UnknownField): string {
  if (field.suggestion !== null) return `${field.path} is not a field; did you mean ${field.suggestion}?`
  const where = field.parent === '' ? 'the body' : field.parent
  return `${field.path} is not a field; ${where} takes ${field.validFields.length ? field.validFields.join(', ') : 'no fields'}.`
}
