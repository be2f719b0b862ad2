import { AwsV4Signer } from 'aws4fetch'
import { describe, expect, it } from 'vitest'
import { verifySigV4, type SignedRequest } from './sigv4.ts'

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0)
const datetime = '20261125T120000Z'

async function presigned(url: string, method = 'PUT', expires = 900): Promise<SignedRequest> {
  const target = new URL(url)
  target.searchParams.set('X-Amz-Expires', String(expires))
  const signer = new AwsV4Signer({ ...credentials, url: target.toString(), method, service: 's3', region: 'us-east-1', signQuery: true, datetime, allHeaders: false })
  const signed = await signer.sign()
  return { method, path: signed.url.pathname, query: signed.url.search.slice(1), headers: { host: signed.url.host } }
}

async function headerSigned(url: string, method = 'GET'): Promise<SignedRequest> {
  const signer = new AwsV4Signer({ ...credentials, url, method, service: 's3', region: 'us-east-1', datetime })
  const signed = await signer.sign()
  const headers: Record<string, string> = { host: signed.url.host }
  signed.headers.forEach((value, name) => (headers[name] = value))
  return { method, path: signed.url.pathname, query: signed.url.search.slice(1), headers }
}

describe('SigV4 verification of the local storage gateway', () => {
  it('accepts a presigned PUT within its lifetime and a header-signed GET', async () => {
    expect(verifySigV4(await presigned('http://127.0.0.1:9000/constellate/incoming/ws_1/upl_1'), credentials, NOW + 60_000)).toEqual({ ok: true })
    expect(verifySigV4(await headerSigned('http://127.0.0.1:9000/constellate/jobs/j/embedding.npy'), credentials, NOW)).toEqual({ ok: true })
  })

  it('refuses a presigned URL whose path was changed to another key', async () => {
    const request = await presigned('http://127.0.0.1:9000/constellate/incoming/ws_1/upl_1')
    const verdict = verifySigV4({ ...request, path: request.path.replace('upl_1', 'upl_2') }, credentials, NOW)
    expect(verdict).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' })
  })

  it('refuses a presigned URL used with another method', async () => {
    const request = await presigned('http://127.0.0.1:9000/constellate/incoming/ws_1/upl_1', 'PUT')
    expect(verifySigV4({ ...request, method: 'DELETE' }, credentials, NOW)).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' })
  })

  it('refuses a presigned URL after it expires', async () => {
    const request = await presigned('http://127.0.0.1:9000/constellate/incoming/ws_1/upl_1', 'PUT', 900)
    expect(verifySigV4(request, credentials, NOW + 899_000)).toEqual({ ok: true })
    expect(verifySigV4(request, credentials, NOW + 901_000)).toMatchObject({ ok: false, code: 'AccessDenied', message: 'Request has expired' })
  })

  it('refuses unsigned requests and unknown keys', async () => {
    expect(verifySigV4({ method: 'GET', path: '/constellate/x', query: '', headers: { host: 'h' } }, credentials, NOW)).toMatchObject({ ok: false, code: 'AccessDenied' })
    const request = await presigned('http://127.0.0.1:9000/constellate/x')
    expect(verifySigV4(request, { ...credentials, accessKeyId: 'OTHER' }, NOW)).toMatchObject({ ok: false, code: 'InvalidAccessKeyId' })
    expect(verifySigV4(request, { ...credentials, secretAccessKey: 'wrong' }, NOW)).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' })
  })
})
