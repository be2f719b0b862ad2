import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LIMITS } from '@constellate/shared'
import { TestClient } from '../src/api-client.ts'
import { blobs, npyFloat32 } from '../src/fixtures.ts'
import { startServiceStack, type ServiceStack } from '../src/service-stack.ts'
import { LOCAL_SECRETS } from '../../scripts/local-stack.ts'

/** One route from /api/v1/openapi.json (path with `{name}` parameters) or from the worker API. */
interface Route {
  method: string
  path: string
  /** Takes a JSON body; `required` when it may not be left out. */
  body: { required: boolean } | null
  /** Refuses fields its schema lacks (public routes; worker bodies stay lenient). */
  strict: boolean
  worker: boolean
}

interface Answer {
  status: number
  contentType: string
  text: string
  json: { error?: { code?: unknown; message?: unknown } } | null
}

/** The worker API (not in the public OpenAPI document): JSON routes, plus the binary frames route. */
const WORKER_JSON_ROUTES = ['/api/v1/worker/lease', ...['heartbeat', 'complete', 'fail', 'release'].map((a) => `/api/v1/worker/jobs/{id}/${a}`)]

/** Path parameter values a careless or hostile client might send. */
const HOSTILE_IDS = [
  'does-not-exist',
  '%00',
  '%E0%A4%A', // a cut-off percent-encoded UTF-8 sequence
  '..%2F..%2Fetc%2Fpasswd',
  encodeURIComponent("'; DROP TABLE jobs; --"),
  encodeURIComponent('<script>alert(1)</script>'),
  encodeURIComponent('🌌\u202E'),
  '-1',
  '1e999',
  '99999999999999999999999',
  'x'.repeat(3000),
]

/** Query strings no route expects: bad numbers, repeated keys, NUL, an unknown key. */
const HOSTILE_QUERIES = ['?limit=abc', '?limit=-1&status=%00', '?limit=1e999', '?limit=1&limit=2', '?leaseId=%00&fence=NaN&waitSeconds=x', '?%E0%A4%A=1']

// One stack for the file, without workers: the job created below stays queued until this test leases it.
let stack: ServiceStack
let client: TestClient
beforeAll(async () => {
  stack = await startServiceStack({ RATE_LIMIT_PER_MINUTE: '100000' })
  client = new TestClient(stack.url)
})
afterAll(async () => {
  await stack?.dispose()
})

describe('every refused request gets a 4xx JSON error that says how to fix it', () => {
  let token: string
  let routes: Route[]
  /** Real ids so that hostile values reach each handler past its lookups. */
  const real: Record<string, string> = {}

  /** A raw request: the body and headers exactly as given (the client helpers always send valid JSON). */
  async function send(method: string, path: string, init: { body?: BodyInit; headers?: Record<string, string>; worker?: boolean; duplex?: boolean } = {}): Promise<Answer> {
    const authorization = init.worker ? `Bearer ${LOCAL_SECRETS.workerSecret}` : `Bearer ${token}`
    const res = await fetch(stack.url + path, {
      method,
      headers: { authorization, ...init.headers },
      body: init.body,
      signal: AbortSignal.timeout(60_000),
      ...(init.duplex ? { duplex: 'half' } : {}),
    } as RequestInit)
    const text = await res.text()
    const contentType = res.headers.get('content-type') ?? ''
    let json: Answer['json'] = null
    if (contentType.includes('json')) {
      try {
        json = JSON.parse(text)
      } catch {
        json = null
      }
    }
    return { status: res.status, contentType, text, json }
  }

  /** No 5xx; and any refusal is `{error: {code, message}}` JSON with a 4xx status. */
  function expectClientError(answer: Answer, what: string): void {
    expect(answer.status, `${what}: ${answer.text.slice(0, 300)}`).toBeLessThan(500)
    if (answer.status < 400) return
    expect(answer.contentType, what).toContain('application/json')
    expect(typeof answer.json?.error?.code, `${what}: ${answer.text.slice(0, 300)}`).toBe('string')
    expect(String(answer.json?.error?.message ?? '').length, what).toBeGreaterThan(10)
  }

  function expectError(answer: Answer, status: number, code: string, what: string): string {
    expect({ what, status: answer.status, code: answer.json?.error?.code }, answer.text.slice(0, 400)).toEqual({ what, status, code })
    return String(answer.json?.error?.message)
  }

  /**
   * The route's path with each `{name}` replaced: `values[name]` when given, else the real id for it
   * (unless the route revokes or cancels: those get ids that do not exist, so the fixtures survive).
   */
  function fill(route: Route, values: Record<string, string> = {}): string {
    const destructive = route.method === 'DELETE' || route.path.endsWith('/cancel')
    return route.path.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? (destructive ? undefined : real[realKey(route.path, name)]) ?? 'does-not-exist')
  }

  function realKey(path: string, name: string): string {
    if (name === 'id') return path.includes('/uploads/') ? 'upload' : path.includes('/links/') ? 'link' : path.includes('/tokens/') ? 'tokenId' : 'job'
    return name
  }

  beforeAll(async () => {
    const created = await client.request('POST', '/api/v1/tokens', { name: 'malformed requests' })
    token = created.body.secret
    real.tokenId = created.body.token.id
    const { features } = blobs(100, 4, 2)
    real.upload = await client.uploadVerified('features.npy', npyFloat32(features, [100, 4]), 'features')
    real.job = (await client.request('POST', '/api/v1/jobs', { features: real.upload, params: { perplexity: 10 } })).body.job.id
    const link = (await client.request('POST', `/api/v1/jobs/${real.job}/links`, {})).body.link
    real.link = link.id
    real.token = link.token
    Object.assign(real, { seq: '0', index: '0', file: 'embedding.npy', sheet: '0.png', partNumber: '1' })

    const doc = await (await fetch(`${stack.url}/api/v1/openapi.json`)).json()
    routes = []
    for (const [path, operations] of Object.entries(doc.paths as Record<string, Record<string, { requestBody?: { required?: boolean; content?: Record<string, unknown> } }>>)) {
      for (const [method, operation] of Object.entries(operations)) {
        const json = operation.requestBody?.content?.['application/json']
        routes.push({ method: method.toUpperCase(), path, body: json ? { required: operation.requestBody?.required === true } : null, strict: true, worker: false })
      }
    }
    for (const path of WORKER_JSON_ROUTES) routes.push({ method: 'POST', path, body: { required: true }, strict: false, worker: true })
    routes.push({ method: 'POST', path: '/api/v1/worker/jobs/{id}/frames', body: null, strict: false, worker: true })
    routes.push({ method: 'POST', path: '/api/v1/_test/clock', body: { required: true }, strict: false, worker: false })
  })

  it('finds the routes with JSON bodies in the OpenAPI document', () => {
    const withBodies = routes.filter((r) => r.body && !r.worker).map((r) => `${r.method} ${r.path}`)
    expect(withBodies).toEqual(expect.arrayContaining(['POST /api/v1/jobs', 'POST /api/v1/uploads', 'POST /api/v1/tokens', 'POST /api/v1/jobs/{id}/links', 'PUT /api/v1/uploads/{id}/parts/{partNumber}']))
    expect(routes.length).toBeGreaterThan(30)
  })

  it('answers a cut-off JSON body with 400 invalid_json saying where it ends, on every JSON route', async () => {
    for (const route of routes.filter((r) => r.body)) {
      const what = `${route.method} ${route.path}`
      const answer = await send(route.method, fill(route), { body: '{"features":', headers: { 'content-type': 'application/json' }, worker: route.worker })
      const message = expectError(answer, 400, 'invalid_json', what)
      expect(message, what).toMatch(/not valid JSON: unexpected end at byte 12 \(line 1, column 13\); send a JSON object like \{/)
    }
  })

  it('answers other broken JSON with 400 invalid_json naming the problem', async () => {
    const cases: [string, RegExp][] = [
      ['{"name": "ci",}', /expected a property name in double quotes at byte 14/],
      ["{'name': 'ci'}", /double quotes at byte 1/],
      ['{"name": "ci"} {}', /after the JSON value/],
      ['name=ci', /unexpected 'n'; expected a value at byte 0/],
    ]
    for (const [body, expected] of cases) {
      const answer = await send('POST', '/api/v1/tokens', { body, headers: { 'content-type': 'application/json' } })
      expect(expectError(answer, 400, 'invalid_json', body)).toMatch(expected)
    }
    const latin1 = await send('POST', '/api/v1/tokens', { body: new Uint8Array([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]), headers: { 'content-type': 'application/json' } })
    expect(expectError(latin1, 400, 'invalid_json', 'latin-1 bytes')).toMatch(/not UTF-8/)
    const nested = await send('POST', '/api/v1/tokens', { body: '['.repeat(200_000) + ']'.repeat(200_000), headers: { 'content-type': 'application/json' } })
    expectClientError(nested, 'deeply nested arrays')
    expect(nested.status).toBe(400)
    for (const body of ['[]', 'null', '"ci"', '42']) {
      const answer = await send('POST', '/api/v1/tokens', { body, headers: { 'content-type': 'application/json' } })
      expect(expectError(answer, 400, 'invalid_request', body)).toMatch(/expected object/)
    }
  })

  it('answers a body that is not JSON with 415 unsupported_media_type naming the type to send, on every JSON route', async () => {
    for (const route of routes.filter((r) => r.body)) {
      const what = `${route.method} ${route.path}`
      const path = fill(route)
      const plain = await send(route.method, path, { body: '{}', headers: { 'content-type': 'text/plain' }, worker: route.worker })
      expect(expectError(plain, 415, 'unsupported_media_type', `${what} text/plain`)).toMatch(/not text\/plain\. Send "Content-Type: application\/json"/)
      const form = await send(route.method, path, { body: new URLSearchParams({ name: 'ci' }), worker: route.worker })
      expect(expectError(form, 415, 'unsupported_media_type', `${what} form`)).toMatch(/application\/x-www-form-urlencoded/)
      const untyped = await send(route.method, path, { body: new TextEncoder().encode('{}'), worker: route.worker })
      expect(expectError(untyped, 415, 'unsupported_media_type', `${what} no type`)).toMatch(/no Content-Type.*application\/json/)
      const utf16 = await send(route.method, path, { body: '{}', headers: { 'content-type': 'application/json; charset=utf-16' }, worker: route.worker })
      expect(expectError(utf16, 415, 'unsupported_media_type', `${what} utf-16`)).toMatch(/UTF-8/)
      const trailing = await send(route.method, path, { body: '{}', headers: { 'content-type': 'application/json;' }, worker: route.worker })
      expectError(trailing, 415, 'unsupported_media_type', `${what} "application/json;"`)
    }
  })

  it(`answers a JSON body over ${LIMITS.maxJsonBodyBytes} bytes with 413 body_too_large, with or without a length, on every JSON route`, async () => {
    const oversized = new TextEncoder().encode(`{"pad": "${'a'.repeat(LIMITS.maxJsonBodyBytes)}"}`)
    for (const route of routes.filter((r) => r.body)) {
      const what = `${route.method} ${route.path}`
      const path = fill(route)
      const declared = await send(route.method, path, { body: oversized, headers: { 'content-type': 'application/json' }, worker: route.worker })
      expect(expectError(declared, 413, 'body_too_large', what)).toMatch(/at most 1 MiB \(1048576 bytes\)/)
      const chunks = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < oversized.byteLength; i += 64 * 1024) controller.enqueue(oversized.subarray(i, i + 64 * 1024))
          controller.close()
        },
      })
      const streamed = await send(route.method, path, { body: chunks, headers: { 'content-type': 'application/json' }, worker: route.worker, duplex: true })
      expectError(streamed, 413, 'body_too_large', `${what} streamed`)
    }
    // At the limit exactly, the body is read (and then judged on its content).
    const atLimit = new TextEncoder().encode(`{"name": "${'a'.repeat(LIMITS.maxJsonBodyBytes - 12)}"}`)
    expect(atLimit.byteLength).toBe(LIMITS.maxJsonBodyBytes)
    expectError(await send('POST', '/api/v1/tokens', { body: atLimit, headers: { 'content-type': 'application/json' } }), 400, 'invalid_request', 'a body of exactly the limit')
  })

  it('answers an empty body with 400 on routes that need one, and reads it as {} where the body is optional', async () => {
    for (const route of routes.filter((r) => r.body)) {
      const what = `${route.method} ${route.path}`
      const answer = await send(route.method, fill(route), { body: '', headers: { 'content-type': 'application/json' }, worker: route.worker })
      if (route.body!.required) expect(expectError(answer, 400, 'invalid_json', what)).toMatch(/The body is empty; this route needs a JSON object like/)
      else expect(answer.status, `${what}: ${answer.text}`).toBeLessThan(300)
    }
    const bare = await send('POST', `/api/v1/jobs/${real.job}/links`)
    expect(bare.status, bare.text).toBe(201)
  })

  it('refuses an unknown field by name on every public JSON route', async () => {
    for (const route of routes.filter((r) => r.body && r.strict)) {
      const what = `${route.method} ${route.path}`
      const answer = await send(route.method, fill(route), { body: '{"zzNotAField": 1}', headers: { 'content-type': 'application/json' } })
      expect(expectError(answer, 400, 'unknown_field', what)).toMatch(/^zzNotAField is not a field; the body takes /)
    }
  })

  it('suggests the field a misspelt or misplaced one most likely meant, nested objects included', async () => {
    const job = (body: unknown) => send('POST', '/api/v1/jobs', { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
    expect(expectError(await job({ features: real.upload, params: { perplexty: 5 } }), 400, 'unknown_field', 'perplexty')).toMatch(
      /^params\.perplexty is not a field; did you mean params\.perplexity\?/,
    )
    expect(expectError(await job({ features: real.upload, params: { method: 'pca' } }), 400, 'unknown_field', 'method')).toMatch(/^params\.method is not a field; params takes perplexity, dims/)
    expect(expectError(await job({ features: real.upload, params: { subsample: { method: 'random', size: 50, perlabel: 3 } } }), 400, 'unknown_field', 'perlabel')).toMatch(
      /params\.subsample\.perlabel is not a field; did you mean params\.subsample\.perLabel\?/,
    )
    const model = await job({ model: { upload: real.upload, inputs: real.upload, batchsize: 8, preprocess: { sze: 224 } } })
    const message = expectError(model, 400, 'unknown_field', 'model fields')
    expect(message).toContain('model.batchsize is not a field; did you mean model.batchSize?')
    expect(message).toContain('model.preprocess.sze is not a field; did you mean model.preprocess.size?')
    const upload = await send('POST', '/api/v1/uploads', { body: JSON.stringify({ filename: 'a.npy', size: 10, kind: 'features', knd: 'labels' }), headers: { 'content-type': 'application/json' } })
    expect(expectError(upload, 400, 'unknown_field', 'knd')).toMatch(/^knd is not a field; did you mean kind\?/)
    const tokenBody = await send('POST', '/api/v1/tokens', { body: JSON.stringify({ name: 'x', scope: ['read'] }), headers: { 'content-type': 'application/json' } })
    expect(expectError(tokenBody, 400, 'unknown_field', 'scope')).toMatch(/^scope is not a field; did you mean scopes\?/)
    const linkBody = await send('POST', `/api/v1/jobs/${real.job}/links`, { body: JSON.stringify({ expiresInDay: 3 }), headers: { 'content-type': 'application/json' } })
    expect(expectError(linkBody, 400, 'unknown_field', 'expiresInDay')).toMatch(/^expiresInDay is not a field; did you mean expiresInDays\?/)
    // Nothing was created by any of these.
    const jobs = (await client.withToken(token).request('GET', '/api/v1/jobs')).body.jobs
    expect(jobs).toHaveLength(1)
  })

  it('answers hostile ids and query values with a 4xx JSON error (or a plain answer), never a 5xx, on every route', async () => {
    let requests = 0
    for (const route of routes) {
      const body = route.method === 'GET' ? {} : route.body ? { body: '{}', headers: { 'content-type': 'application/json' } } : route.path.endsWith('/frames') ? { body: new Uint8Array(8) } : {}
      for (const name of [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)) {
        for (const value of HOSTILE_IDS) {
          const path = fill(route, { [name]: value })
          expectClientError(await send(route.method, path, { ...body, worker: route.worker }), `${route.method} ${path.slice(0, 200)}`)
          requests++
        }
      }
      for (const query of HOSTILE_QUERIES) {
        const path = fill(route) + query
        expectClientError(await send(route.method, path, { ...body, worker: route.worker }), `${route.method} ${path}`)
        requests++
      }
    }
    expect(requests).toBeGreaterThan(300)
  })

  it('guards the worker routes the same way: a lease taken with a bad body, then malformed frames and heartbeats', async () => {
    const worker = (path: string, body: string) => send('POST', `/api/v1/worker${path}`, { body, headers: { 'content-type': 'application/json' }, worker: true })
    expectError(await worker('/lease', '{"workerId": "w1", "waitSeconds": "soon"}'), 400, 'invalid_request', 'waitSeconds')
    // Worker bodies stay lenient: a newer worker may send fields this edge does not know.
    const leased = await worker('/lease', '{"workerId": "w1", "waitSeconds": 0, "capabilities": ["cpu"]}')
    expect(leased.status, leased.text).toBe(200)
    const { lease, job } = JSON.parse(leased.text) as { lease: { leaseId: string; fence: number }; job: { id: string } }
    const frames = `/api/v1/worker/jobs/${job.id}/frames?leaseId=${lease.leaseId}&fence=${lease.fence}`
    expect((await worker(`/jobs/${job.id}/heartbeat`, JSON.stringify({ ...lease, progress: { stage: 'read' } }))).status).toBe(200)
    expect(expectError(await send('POST', frames, { body: new Uint8Array(64), headers: { 'content-type': 'application/octet-stream' }, worker: true }), 400, 'bad_frame', 'garbage frame')).toMatch(/CSTF|magic/i)
    expect(expectError(await send('POST', frames, { body: '{}', headers: { 'content-type': 'application/json' }, worker: true }), 415, 'unsupported_media_type', 'JSON frame')).toMatch(/application\/octet-stream/)
    const tooBig = await send('POST', frames, { body: new Uint8Array(LIMITS.maxFrameBytes + 1), headers: { 'content-type': 'application/octet-stream' }, worker: true })
    expect(expectError(tooBig, 413, 'body_too_large', 'oversized frame')).toMatch(new RegExp(`at most .*${LIMITS.maxFrameBytes} bytes`))
    expectError(await worker(`/jobs/${job.id}/heartbeat`, JSON.stringify({ ...lease, progress: { points: 'many' } })), 400, 'invalid_request', 'progress.points')
    expectError(await worker(`/jobs/${job.id}/heartbeat`, `{"leaseId": "${lease.leaseId}", "fence": ${lease.fence}, "progress": `), 400, 'invalid_json', 'cut-off heartbeat')
    expectError(await worker(`/jobs/${job.id}/fail`, JSON.stringify({ ...lease, error: { code: 'x', message: 'y'.repeat(5000) } })), 400, 'invalid_request', 'long failure message')
    // A bad worker secret is refused before the body is read.
    const stranger = await fetch(`${stack.url}/api/v1/worker/lease`, { method: 'POST', headers: { authorization: 'Bearer nope', 'content-type': 'application/json' }, body: '{"workerId":' })
    expect(stranger.status).toBe(401)
    expect((await worker(`/jobs/${job.id}/release`, JSON.stringify(lease))).status).toBe(200)
    expectError(await send('POST', frames, { body: new Uint8Array(64), headers: { 'content-type': 'application/octet-stream' }, worker: true }), 409, 'job_not_running', 'a frame after the release')
  })
})

describe('filenames are normalised when an upload is created', () => {
  it('stores and shows the name without control or direction characters, and never uses it as a storage key', async () => {
    const raw = '\u0000fea\u202Etures\u2066<img src=x onerror=alert(1)>\u200F.npy'
    const created = await client.request('POST', '/api/v1/uploads', { filename: raw, size: 10, kind: 'features' })
    expect(created.status).toBe(201)
    expect(created.body.upload.filename).toBe('features<img src=x onerror=alert(1)>.npy')
    expect(new URL(created.body.uploadUrl).pathname).toMatch(new RegExp(`/incoming/ws_[a-z0-9]+/${created.body.upload.id}$`))
    const read = await client.request('GET', `/api/v1/uploads/${created.body.upload.id}`)
    expect(read.body.upload.filename).toBe('features<img src=x onerror=alert(1)>.npy')
  })

  it('composes names to NFC, shortens long ones keeping the extension, and names an empty one by its kind', async () => {
    const nfc = await client.request('POST', '/api/v1/uploads', { filename: 'Cafe\u0301.csv', size: 10, kind: 'labels' })
    expect(nfc.body.upload.filename).toBe('Caf\u00e9.csv')
    const long = await client.request('POST', '/api/v1/uploads', { filename: 'n'.repeat(900) + '.tsv', size: 10, kind: 'metadata' })
    expect(long.status).toBe(201)
    expect(Array.from(long.body.upload.filename as string)).toHaveLength(LIMITS.maxFilenameLength)
    expect(long.body.upload.filename).toMatch(/^n+….tsv$/)
    const blank = await client.request('POST', '/api/v1/uploads', { filename: '\u202E\u0000 ', size: 10, kind: 'metadata' })
    expect(blank.status).toBe(201)
    expect(blank.body.upload.filename).toBe('upload.csv')
    const tooLong = await client.request('POST', '/api/v1/uploads', { filename: 'n'.repeat(LIMITS.maxFilenameRequestLength + 1) + '.npy', size: 10, kind: 'features' })
    expect(tooLong.status).toBe(400)
    expect(tooLong.body.error.code).toBe('invalid_request')
  })

  it('judges the format on the normalised name: a NUL after the extension no longer hides it', async () => {
    const res = await client.request('POST', '/api/v1/uploads', { filename: 'features.npy\u0000', size: 10, kind: 'features' })
    expect(res.status).toBe(201)
    expect(res.body.upload.filename).toBe('features.npy')
    const refused = await client.request('POST', '/api/v1/uploads', { filename: 'evil\u202Eypn.exe', size: 10, kind: 'features' })
    expect(refused.status).toBe(400)
    expect(refused.body.error.code).toBe('unsupported_format')
    expect(refused.body.error.message).toContain('"evilypn.exe"')
  })
})
