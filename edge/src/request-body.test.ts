import { describe, expect, it } from 'vitest'
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from './env.ts'
import { handleError } from './errors.ts'
import { jsonBody, readBinaryBody, readJsonBody } from './request-body.ts'
import { validationHook } from './validation.ts'

const Body = z.object({ name: z.string(), options: z.object({ size: z.number() }).strict().optional() }).strict()
/** A body that may be left out entirely (as a share link's). */
const OptionalBody = z.object({ name: z.string().optional() }).strict()

/** A small app wired like the edge: zod-openapi routes behind jsonBody, plain routes reading bodies, one error handler. */
function app() {
  const api = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  api.onError(handleError)
  const route = (path: string, schema: typeof Body | typeof OptionalBody, required: boolean) =>
    createRoute({
      method: 'post',
      path,
      middleware: [jsonBody(schema, { example: '{"name": "x"}', required })] as const,
      request: { body: { content: { 'application/json': { schema } }, required } },
      responses: { 200: { content: { 'application/json': { schema: Body.partial() } }, description: 'echo' } },
    })
  api.openapi(route('/required', Body, true), (c) => c.json(c.req.valid('json'), 200))
  api.openapi(route('/optional', OptionalBody, false), (c) => c.json(c.req.valid('json'), 200))
  api.post('/plain', async (c) => {
    await readJsonBody(c, { example: '{}', maxBytes: 64 })
    return c.json({ again: await c.req.json() })
  })
  api.post('/binary', async (c) => {
    const bytes = await readBinaryBody(c, 16, 'a test blob', 'Send less.')
    return c.json({ read: bytes.byteLength, cached: (await c.req.arrayBuffer()).byteLength })
  })
  api.post('/hono-refusal', () => {
    throw new HTTPException(415, { message: 'Unsupported Media Type' })
  })
  return api
}

async function call(path: string, init: RequestInit & { duplex?: 'half' } = {}) {
  const res = await app().request(path, { method: 'POST', ...init })
  return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } & Record<string, unknown> }
}

const json = { 'content-type': 'application/json' }

describe('jsonBody on a zod-openapi route', () => {
  it('hands a valid body to the route validator and handler', async () => {
    expect(await call('/required', { headers: json, body: '{"name": "a", "options": {"size": 2}}' })).toEqual({ status: 200, body: { name: 'a', options: { size: 2 } } })
  })

  it('says where a cut-off body ends', async () => {
    const { status, body } = await call('/required', { headers: json, body: '{"name":' })
    expect(status).toBe(400)
    expect(body.error).toEqual({ code: 'invalid_json', message: 'The body is not valid JSON: unexpected end at byte 8 (line 1, column 9); send a JSON object like {"name": "x"}.' })
  })

  it('names unknown fields, nested ones too, with the closest valid name', async () => {
    const { status, body } = await call('/required', { headers: json, body: '{"name": "a", "nmae": 1, "options": {"sise": 2}}' })
    expect(status).toBe(400)
    expect(body.error?.code).toBe('unknown_field')
    expect(body.error?.message).toContain('nmae is not a field; did you mean name?')
    expect(body.error?.message).toContain('options.sise is not a field; did you mean options.size?')
    expect(body.error?.message).toMatch(/ Remove them or fix the spelling\.$/)
  })

  it('refuses a non-JSON Content-Type, a missing one, and an empty required body', async () => {
    expect((await call('/required', { headers: { 'content-type': 'text/plain' }, body: '{"name": "a"}' })).body.error?.code).toBe('unsupported_media_type')
    expect((await call('/required', { body: new TextEncoder().encode('{"name": "a"}') })).body.error?.message).toMatch(/no Content-Type/)
    expect(await call('/required', { headers: json, body: ' ' })).toMatchObject({ status: 400, body: { error: { code: 'invalid_json', message: expect.stringMatching(/^The body is empty/) } } })
    expect((await call('/required')).status).toBe(400)
  })

  it('reads an absent optional body as {}, with or without a JSON Content-Type', async () => {
    expect(await call('/optional')).toEqual({ status: 200, body: {} })
    expect(await call('/optional', { headers: json })).toEqual({ status: 200, body: {} })
    expect(await call('/optional', { headers: json, body: '{"name": "b"}' })).toEqual({ status: 200, body: { name: 'b' } })
  })
})

describe('readJsonBody and readBinaryBody on plain routes', () => {
  it('leaves the parsed text where c.req.json() finds it', async () => {
    expect(await call('/plain', { headers: json, body: '{"a": [1, 2]}' })).toEqual({ status: 200, body: { again: { a: [1, 2] } } })
  })

  it('refuses a body over the limit by its length, or while reading one sent without a length', async () => {
    const big = '{"a": "' + 'x'.repeat(100) + '"}'
    const declared = await call('/plain', { headers: { ...json, 'content-length': String(big.length) }, body: big })
    expect(declared).toMatchObject({ status: 413, body: { error: { code: 'body_too_large', message: expect.stringMatching(/^The body is 109 bytes; this route takes at most 64 bytes of JSON\./) } } })
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < big.length; i += 10) controller.enqueue(new TextEncoder().encode(big.slice(i, i + 10)))
        controller.close()
      },
    })
    const streamed = await call('/plain', { headers: json, body: stream, duplex: 'half' })
    expect(streamed).toMatchObject({ status: 413, body: { error: { message: expect.stringMatching(/^The body is more than 64 bytes/) } } })
  })

  it('refuses bytes that are not UTF-8, and a charset other than UTF-8', async () => {
    expect((await call('/plain', { headers: json, body: new Uint8Array([0x22, 0xff, 0x22]) })).body.error?.message).toMatch(/not UTF-8/)
    expect((await call('/plain', { headers: { 'content-type': 'application/json; charset=iso-8859-1' }, body: '{}' })).status).toBe(415)
    expect((await call('/plain', { headers: { 'content-type': 'application/json; charset=UTF-8' }, body: '{}' })).status).toBe(200)
  })

  it('reads a binary body once and serves it again from the cache, within its limit', async () => {
    expect(await call('/binary', { headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(16) })).toEqual({ status: 200, body: { read: 16, cached: 16 } })
    expect(await call('/binary', { body: new Uint8Array(3) })).toEqual({ status: 200, body: { read: 3, cached: 3 } })
    expect((await call('/binary', { headers: { 'content-length': '17' }, body: new Uint8Array(17) })).body.error?.message).toBe('The body is 17 bytes; this route takes at most 16 bytes of a test blob. Send less.')
    expect((await call('/binary', { body: new Uint8Array(17) })).body.error?.message).toMatch(/^The body is more than 16 bytes/)
    expect((await call('/binary', { headers: json, body: '{}' })).status).toBe(415)
  })
})

describe('handleError', () => {
  it("answers Hono's own 4xx refusals as JSON errors with their status", async () => {
    expect(await call('/hono-refusal')).toMatchObject({ status: 415, body: { error: { code: 'unsupported_media_type' } } })
  })
})
