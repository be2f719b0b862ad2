/**
 * @module Reading request bodies before any route sees them: the declared content type (415), a size limit
 * enforced while reading (413), UTF-8 and JSON syntax with where it broke (400 `invalid_json`), an empty body
 * (400), and for public routes fields the schema does not know (400 `unknown_field`). Every JSON route, public
 * or worker, reads its body here (binary frames too, with their own limit), so a malformed request can never
 * reach a handler as a 500.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { z } from 'zod'
import { LIMITS, describeUnknownField, unknownFields } from '@constellate/shared'
import type { AppEnv } from './env.ts'
import { ApiError } from './errors.ts'
import { discardRest } from './drain.ts'
import { findJsonSyntaxError } from './json-syntax.ts'

export interface JsonBodyOptions {
  /** A valid body for this route, quoted in errors so the fix is one copy away. */
  example: string
  /** Whether the route needs a body; when not, an empty one reads as `{}`. Default true. */
  required?: boolean
  /** Largest body accepted, bytes. Default LIMITS.maxJsonBodyBytes. */
  maxBytes?: number
}

/**
 * A JSON Content-Type as @hono/zod-openapi's media type check accepts it (application/json or
 * application/<x>+json, each parameter `name=value`): anything it would refuse is refused here first,
 * with a message that says what to send.
 */
const JSON_CONTENT_TYPE = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i

/**
 * Reads the request's JSON body, or throws the 4xx ApiError that says what to send instead. Leaves the
 * text in Hono's body cache, so later readers (`c.req.json()`, zod-openapi's validator) see the same body.
 */
export async function readJsonBody(c: Context<AppEnv>, options: JsonBodyOptions): Promise<unknown> {
  const { example, required = true } = options
  const contentType = c.req.header('content-type')
  if (contentType !== undefined) checkJsonType(contentType, example)
  const bytes = await readBodyBytes(c.req.raw, options.maxBytes ?? LIMITS.maxJsonBodyBytes, 'JSON', 'Data files go to storage: POST /api/v1/uploads and PUT the bytes to the URL it answers.')
  if (contentType === undefined && bytes.byteLength > 0) {
    throw new ApiError(415, 'unsupported_media_type', `The request has a body but no Content-Type. Send it as JSON with the header "Content-Type: application/json", e.g. ${example}.`)
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
  } catch {
    throw new ApiError(400, 'invalid_json', `The body is not UTF-8 text. Send JSON encoded as UTF-8, e.g. ${example}.`)
  }
  if (text.trim() === '') {
    if (required) throw new ApiError(400, 'invalid_json', `The body is empty; this route needs a JSON object like ${example}.`)
    // No body reads as {}. Without a Content-Type the validator takes {} itself, and its media type check
    // must still see an empty body; with one it parses the cached text.
    primeText(c, contentType === undefined ? '' : '{}')
    return {}
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    const error = findJsonSyntaxError(text)
    const where = error ? `${error.problem} at byte ${error.byte} (line ${error.line}, column ${error.column})` : err instanceof Error ? err.message : String(err)
    throw new ApiError(400, 'invalid_json', `The body is not valid JSON: ${where}; send a JSON object like ${example}.`)
  }
  primeText(c, text)
  return value
}

/**
 * Hono's body cache holds promises (its type says otherwise); priming it lets the route's own validator
 * read this text instead of the stream, which is already consumed.
 */
function primeText(c: Context<AppEnv>, text: string): void {
  Object.assign(c.req.bodyCache, { text: Promise.resolve(text) })
}

/**
 * A route's JSON body, checked before its zod-openapi validator runs: readJsonBody, then fields `schema`
 * does not have (strict objects) become 400 `unknown_field` naming each with the closest valid name.
 * Other problems (types, ranges) are left to the validator's 400 `invalid_request`.
 */
export function jsonBody(schema: z.core.$ZodType, options: JsonBodyOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const value = await readJsonBody(c, options)
    const result = z.safeParse(schema, value)
    const fields = result.success ? [] : unknownFields(schema, result.error.issues)
    if (fields.length) {
      const message = fields.map(describeUnknownField).join(' ')
      throw new ApiError(400, 'unknown_field', `${message} Remove ${fields.length === 1 ? 'it' : 'them'} or fix the spelling.`, { fields })
    }
    await next()
  }
}

/**
 * Reads a binary body (a worker's frame) of at most `maxBytes`: 415 for a Content-Type other than
 * application/octet-stream (none is fine), 413 above the limit (saying `what` the route takes and `advice`).
 * Leaves the bytes in Hono's body cache.
 */
export async function readBinaryBody(c: Context<AppEnv>, maxBytes: number, what: string, advice: string): Promise<Uint8Array> {
  const mediaType = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase()
  if (mediaType !== undefined && mediaType !== '' && mediaType !== 'application/octet-stream') {
    throw new ApiError(415, 'unsupported_media_type', `This route takes the raw bytes of ${what}, not ${mediaType}. Send "Content-Type: application/octet-stream".`)
  }
  const bytes = await readBodyBytes(c.req.raw, maxBytes, what, advice)
  // `bytes` owns exactly its buffer: what `c.req.arrayBuffer()` answers from now on.
  Object.assign(c.req.bodyCache, { arrayBuffer: Promise.resolve(bytes.buffer) })
  return bytes
}

/**
 * The whole body of `request`, refusing it (413, saying `what` the route takes and `advice`) once it passes
 * `maxBytes`: by its Content-Length before reading, else while reading, so a chunked upload without a length
 * is cut off at the limit too. The rest of a refused body is read and dropped (drain.ts).
 */
export async function readBodyBytes(request: Request, maxBytes: number, what: string, advice: string): Promise<Uint8Array> {
  const tooLarge = (size: string) => {
    const limit = maxBytes >= 1024 ** 2 && maxBytes % 1024 ** 2 === 0 ? `${maxBytes / 1024 ** 2} MiB (${maxBytes} bytes)` : `${maxBytes} bytes`
    return new ApiError(413, 'body_too_large', `The body is ${size}; this route takes at most ${limit} of ${what}. ${advice}`)
  }
  const declared = Number(request.headers.get('content-length') ?? NaN)
  if (declared > maxBytes) throw tooLarge(`${declared} bytes`)
  if (!request.body) return new Uint8Array(0)
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      await discardRest(reader)
      throw tooLarge(`more than ${maxBytes} bytes`)
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

/** 415 unless `contentType` is JSON in UTF-8 (`application/json`, `application/<x>+json`; charset absent or utf-8). */
function checkJsonType(contentType: string, example: string): void {
  const [mediaType = '', ...parameters] = contentType.split(';').map((part) => part.trim())
  if (!JSON_CONTENT_TYPE.test(contentType.trim())) {
    const what = /json/i.test(mediaType) ? `"${contentType}" (not a Content-Type this route reads)` : mediaType || 'an empty Content-Type'
    throw new ApiError(415, 'unsupported_media_type', `This route takes JSON, not ${what}. Send "Content-Type: application/json" and a JSON body like ${example}.`)
  }
  const charset = parameters.find((p) => /^charset=/i.test(p))?.slice('charset='.length).replace(/"/g, '').toLowerCase()
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new ApiError(415, 'unsupported_media_type', `JSON bodies must be UTF-8, not ${charset}. Send "Content-Type: application/json" (or charset=utf-8) with UTF-8 text.`)
  }
}
