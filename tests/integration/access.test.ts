import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { uploadFile } from '@constellate/shared'
import { TestClient } from '../src/api-client.ts'
import { bytesSource, nodeTransport } from '../src/node-transport.ts'
import { blobs, npyFloat32 } from '../src/fixtures.ts'
import { startServiceStack, type ServiceStack } from '../src/service-stack.ts'

describe('identity, share links and hardened uploads', () => {
  let stack: ServiceStack
  let alice: TestClient
  let bob: TestClient
  let aliceUpload: string
  let aliceJob: string

  beforeAll(async () => {
    // Small multipart thresholds so a 13 MiB file goes up in three parts.
    stack = await startServiceStack({ RATE_LIMIT_PER_MINUTE: '300', MULTIPART_THRESHOLD_BYTES: String(6 * 1024 ** 2), MIN_PART_BYTES: String(5 * 1024 ** 2) })
    alice = new TestClient(stack.url)
    bob = new TestClient(stack.url)
    const { features } = blobs(100, 4, 2)
    aliceUpload = await alice.uploadVerified('features.npy', npyFloat32(features, [100, 4]), 'features')
    aliceJob = (await alice.request('POST', '/api/v1/jobs', { features: aliceUpload, params: { perplexity: 10 } })).body.job.id
    await bob.request('GET', '/api/v1/jobs')
  })
  afterAll(async () => {
    await stack?.dispose()
  })

  describe('API tokens', () => {
    it('shows a new token once, prefixed cst_, and lists it afterwards without its secret', async () => {
      const created = await alice.request('POST', '/api/v1/tokens', { name: 'lab script', scopes: ['read', 'write'] })
      expect(created.status).toBe(201)
      expect(created.body.secret).toMatch(/^cst_[A-Za-z0-9_-]{43}$/)
      const listed = await alice.request('GET', '/api/v1/tokens')
      const entry = listed.body.tokens.find((t: { id: string }) => t.id === created.body.token.id)
      expect(entry).toMatchObject({ name: 'lab script', scopes: ['read', 'write'], revokedAt: null })
      expect(JSON.stringify(listed.body)).not.toContain(created.body.secret)
      const viaToken = alice.withToken(created.body.secret)
      expect((await viaToken.request('GET', `/api/v1/jobs/${aliceJob}`)).body.job.id).toBe(aliceJob)
    })

    it("never lets one workspace's token see or touch another workspace's uploads, jobs, links or tokens", async () => {
      const bobToken = alice.withToken((await bob.request('POST', '/api/v1/tokens', { name: 'bob', scopes: ['read', 'write'] })).body.secret)
      const aliceToken = (await alice.request('POST', '/api/v1/tokens', { name: 'alice-2' })).body.token.id
      const aliceLink = (await alice.request('POST', `/api/v1/jobs/${aliceJob}/links`, {})).body.link.id
      const attempts: [string, string, unknown?][] = [
        ['GET', `/api/v1/jobs/${aliceJob}`],
        ['POST', `/api/v1/jobs/${aliceJob}/cancel`],
        ['GET', `/api/v1/jobs/${aliceJob}/frames`],
        ['GET', `/api/v1/jobs/${aliceJob}/labels`],
        ['GET', `/api/v1/jobs/${aliceJob}/embedding.npy`],
        ['GET', `/api/v1/jobs/${aliceJob}/links`],
        ['POST', `/api/v1/jobs/${aliceJob}/links`, {}],
        ['GET', `/api/v1/uploads/${aliceUpload}`],
        ['POST', `/api/v1/uploads/${aliceUpload}/complete`],
        ['POST', '/api/v1/jobs', { features: aliceUpload }],
        ['DELETE', `/api/v1/links/${aliceLink}`],
        ['DELETE', `/api/v1/tokens/${aliceToken}`],
      ]
      for (const [method, path, body] of attempts) {
        const res = await bobToken.request(method, path, body)
        expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 })
        expect(res.body.error.code).toMatch(/not_found/)
      }
      const bobJobs = await bobToken.request('GET', '/api/v1/jobs')
      expect(bobJobs.body.jobs.map((j: { id: string }) => j.id)).not.toContain(aliceJob)
      expect((await alice.request('GET', `/api/v1/jobs/${aliceJob}`)).body.job.status).not.toBe('cancelled')
    })

    it('refuses writes with a read-only token', async () => {
      const reader = alice.withToken((await alice.request('POST', '/api/v1/tokens', { name: 'reader', scopes: ['read'] })).body.secret)
      expect((await reader.request('GET', '/api/v1/jobs')).status).toBe(200)
      const res = await reader.request('POST', '/api/v1/jobs', { features: aliceUpload })
      expect(res.status).toBe(403)
      expect(res.body.error.code).toBe('insufficient_scope')
      expect((await reader.request('POST', '/api/v1/tokens', { name: 'escalate', scopes: ['write'] })).status).toBe(403)
    })

    it('refuses revoked, expired and unknown tokens', async () => {
      const created = await alice.request('POST', '/api/v1/tokens', { name: 'short', expiresInDays: 1 })
      const revocable = await alice.request('POST', '/api/v1/tokens', { name: 'revocable' })
      const short = alice.withToken(created.body.secret)
      const doomed = alice.withToken(revocable.body.secret)
      expect((await doomed.request('GET', '/api/v1/jobs')).status).toBe(200)
      expect((await alice.request('DELETE', `/api/v1/tokens/${revocable.body.token.id}`)).body.token.revokedAt).not.toBeNull()
      const revoked = await doomed.request('GET', '/api/v1/jobs')
      expect(revoked.status).toBe(401)
      expect(revoked.body.error.code).toBe('token_revoked')

      expect((await short.request('GET', '/api/v1/jobs')).status).toBe(200)
      await stack.advanceClock(25 * 3600 * 1000)
      const expired = await short.request('GET', '/api/v1/jobs')
      expect(expired.status).toBe(401)
      expect(expired.body.error.code).toBe('token_expired')

      const unknown = await alice.withToken('cst_' + 'x'.repeat(43)).request('GET', '/api/v1/jobs')
      expect(unknown.status).toBe(401)
      expect(unknown.body.error.code).toBe('invalid_token')
      const malformed = await alice.withToken('hunter2').request('GET', '/api/v1/jobs')
      expect(malformed.status).toBe(401)
    })
  })

  describe('share links', () => {
    it('opens the job read-only, cannot create or cancel jobs, and stops when revoked', async () => {
      const created = await alice.request('POST', `/api/v1/jobs/${aliceJob}/links`, {})
      expect(created.status).toBe(201)
      const { token, url, id } = created.body.link
      expect(token.length).toBeGreaterThanOrEqual(43) // 256 random bits, base64url
      expect(url).toBe(`/v/${token}`)

      const reader = new TestClient(stack.url)
      const job = await reader.request('GET', `/api/v1/shared/${token}`)
      expect(job.status).toBe(200)
      expect(job.body.job.id).toBe(aliceJob)
      expect(job.headers.get('referrer-policy')).toBe('no-referrer')
      expect((await reader.request('GET', `/api/v1/shared/${token}/frames`)).status).toBe(200)

      const page = await fetch(`${stack.url}${url}`)
      expect(page.status).toBe(200)
      expect(page.headers.get('referrer-policy')).toBe('no-referrer')
      expect(await page.text()).toContain('<div id="app"')

      expect((await reader.request('POST', `/api/v1/shared/${token}/cancel`)).status).toBe(405)
      expect((await reader.request('POST', `/api/v1/shared/${token}`, {})).status).toBe(405)
      const asBearer = await alice.withToken(token).request('POST', '/api/v1/jobs', { features: aliceUpload })
      expect(asBearer.status).toBe(401)
      expect((await reader.request('GET', `/api/v1/jobs/${aliceJob}`)).status).toBe(404)
      expect((await reader.request('POST', `/api/v1/jobs/${aliceJob}/cancel`)).status).toBe(404)
      expect((await alice.request('GET', `/api/v1/jobs/${aliceJob}`)).body.job.status).toBe('queued')

      expect((await alice.request('DELETE', `/api/v1/links/${id}`)).status).toBe(200)
      const gone = await reader.request('GET', `/api/v1/shared/${token}`)
      expect(gone.status).toBe(410)
      expect(gone.body.error.code).toBe('link_revoked')
      expect((await fetch(`${stack.url}${url}`)).status).toBe(410)
    })

    it('stops working when it expires, and unknown links answer 404', async () => {
      const created = await alice.request('POST', `/api/v1/jobs/${aliceJob}/links`, { expiresInDays: 2 })
      const { token } = created.body.link
      expect((await fetch(`${stack.url}/api/v1/shared/${token}`)).status).toBe(200)
      await stack.advanceClock(49 * 3600 * 1000)
      const expired = await fetch(`${stack.url}/api/v1/shared/${token}`)
      expect(expired.status).toBe(410)
      expect((await expired.json()).error.code).toBe('link_expired')
      expect((await fetch(`${stack.url}/api/v1/shared/not-a-real-token`)).status).toBe(404)
      expect((await fetch(`${stack.url}/v/not-a-real-token`)).status).toBe(404)
    })
  })

  describe('upload tampering', () => {
    async function createUpload(client: TestClient, bytes: Uint8Array) {
      const res = await client.request('POST', '/api/v1/uploads', { filename: 'features.npy', size: bytes.byteLength, kind: 'features' })
      expect(res.status).toBe(201)
      return res.body as { upload: { id: string }; uploadUrl: string }
    }

    it('keeps a verified upload as verified: a second PUT cannot replace it', async () => {
      const original = npyFloat32(new Float32Array(40).map((_, i) => i), [10, 4])
      const { upload, uploadUrl } = await createUpload(alice, original)
      expect((await fetch(uploadUrl, { method: 'PUT', body: Buffer.from(original) })).status).toBe(200)
      expect((await alice.request('POST', `/api/v1/uploads/${upload.id}/complete`)).status).toBe(200)
      const forged = npyFloat32(new Float32Array(40).fill(666), [10, 4])
      await fetch(uploadUrl, { method: 'PUT', body: Buffer.from(forged) })
      const again = await alice.request('POST', `/api/v1/uploads/${upload.id}/complete`)
      expect(again.body.upload.status).toBe('verified')
      const [key] = (await stack.listKeys('uploads/')).filter((k) => k.endsWith(`/${upload.id}`))
      expect(Buffer.from(await stack.getObject(key!)).equals(Buffer.from(original))).toBe(true)
    })

    it('refuses a PUT to a key other than the one the URL was signed for', async () => {
      const bytes = npyFloat32(new Float32Array(8), [2, 4])
      const { upload, uploadUrl } = await createUpload(alice, bytes)
      const forgedUrl = uploadUrl.replace(upload.id, 'upl_chosenbyclient')
      const res = await fetch(forgedUrl, { method: 'PUT', body: Buffer.from(bytes) })
      expect(res.status).toBe(403)
      expect(await res.text()).toContain('SignatureDoesNotMatch')
    })

    it('refuses a PUT through an expired presigned URL', async () => {
      // Put the edge's clock 16 minutes behind real time: the 15-minute URL it signs is already dead.
      const { now: edgeNow } = await stack.advanceClock(0)
      const shift = Date.now() - 16 * 60 * 1000 - edgeNow
      await stack.advanceClock(shift)
      const bytes = npyFloat32(new Float32Array(8), [2, 4])
      const { uploadUrl } = await createUpload(alice, bytes)
      await stack.advanceClock(-shift)
      const res = await fetch(uploadUrl, { method: 'PUT', body: Buffer.from(bytes) })
      expect(res.status).toBe(403)
      expect(await res.text()).toMatch(/expired/i)
    })

    it('refuses a declared size above the limit before handing out a URL', async () => {
      const res = await alice.request('POST', '/api/v1/uploads', { filename: 'huge.npy', size: 3 * 1024 ** 3, kind: 'features' })
      expect(res.status).toBe(400)
      expect(res.body.error.message).toMatch(/size/)
    })
  })

  describe('multipart uploads', () => {
    const rows = 4200
    const cols = 800
    const features = new Float32Array(rows * cols).map((_, i) => (i % 977) / 977)
    const file = npyFloat32(features, [rows, cols]) // about 13 MiB: three 5 MiB parts

    it('uploads a large file in presigned parts and verifies the assembled object', async () => {
      const progress: number[] = []
      const upload = await uploadFile(nodeTransport(alice), bytesSource('big.npy', file), { kind: 'features', onProgress: (sent) => progress.push(sent) })
      expect(upload).toMatchObject({ status: 'verified', size: file.byteLength, info: { rows, cols, dtype: 'float32' } })
      expect(progress.at(-1)).toBe(file.byteLength)
      const [key] = (await stack.listKeys('uploads/')).filter((k) => k.endsWith(`/${upload.id}`))
      expect(Buffer.from(await stack.getObject(key!)).equals(Buffer.from(file))).toBe(true)
    })

    it('resumes an interrupted upload from the parts already stored', async () => {
      let uploadId = ''
      const flaky = nodeTransport(alice, { failPutAfter: 1 })
      await expect(
        uploadFile(flaky, bytesSource('big.npy', file), { kind: 'features', concurrency: 1, onUploadCreated: (u) => (uploadId = u.id) }),
      ).rejects.toThrow(/connection dropped/)
      const early = await alice.request('POST', `/api/v1/uploads/${uploadId}/complete`)
      expect(early.status).toBe(409)
      expect(early.body.error.code).toBe('upload_incomplete')
      expect(early.body.error.message).toMatch(/Parts 2, 3 of 3/)

      const plan = (await alice.request('GET', `/api/v1/uploads/${uploadId}/parts`)).body.multipart
      expect(plan.parts.map((p: { etag: string | null }) => p.etag !== null)).toEqual([true, false, false])
      const resumed = nodeTransport(alice)
      const upload = await uploadFile(resumed, bytesSource('big.npy', file), { kind: 'features', resumeUploadId: uploadId })
      expect(resumed.puts).toBe(2)
      expect(upload).toMatchObject({ id: uploadId, status: 'verified', info: { rows, cols } })
    })
  })

  describe('rate limits', () => {
    it('answers 429 with Retry-After past the per-minute budget of a public route', async () => {
      const hammer = new TestClient(stack.url)
      await hammer.request('GET', '/api/v1/jobs')
      let limited: Response | undefined
      for (let batch = 0; batch < 8 && !limited; batch++) {
        const responses = await Promise.all(Array.from({ length: 50 }, () => fetch(`${stack.url}/api/v1/shared/nope`, { headers: { cookie: (hammer as any).cookie } })))
        limited = responses.find((r) => r.status === 429)
      }
      expect(limited).toBeDefined()
      expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0)
      expect((await limited!.json()).error.code).toBe('rate_limited')
    })
  })
})
