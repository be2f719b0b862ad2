/**
 * @module AWS Signature Version 4 verification (header and presigned-query forms) for the local storage
 * gateway. s3rver accepts any SigV4 request unchecked, so the gateway in front of it checks what real S3
 * (and R2, MinIO) check: the signature over method, path, query and signed headers, the key, and expiry.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

export interface SignedRequest {
  method: string
  /** Path as received, still percent-encoded, without the query. */
  path: string
  /** Raw query string without the leading "?". */
  query: string
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>
}

export type Verdict = { ok: true } | { ok: false; code: 'AccessDenied' | 'SignatureDoesNotMatch' | 'InvalidAccessKeyId'; message: string }

const ALGORITHM = 'AWS4-HMAC-SHA256'

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

function hmac(key: Buffer | string, text: string): Buffer {
  return createHmac('sha256', key).update(text, 'utf8').digest()
}

function parseQuery(query: string): [string, string][] {
  if (!query) return []
  return query.split('&').filter(Boolean).map((pair) => {
    const eq = pair.indexOf('=')
    const name = eq < 0 ? pair : pair.slice(0, eq)
    const value = eq < 0 ? '' : pair.slice(eq + 1)
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, '%20'))
    return [decode(name), decode(value)]
  })
}

function canonicalPath(path: string): string {
  // S3 signs the path encoded once: normalise whatever encoding the client used.
  return path.split('/').map((segment) => rfc3986(decodeURIComponent(segment))).join('/') || '/'
}

function headerValue(headers: SignedRequest['headers'], name: string): string {
  const value = headers[name]
  return (Array.isArray(value) ? value.join(',') : (value ?? '')).trim().replace(/\s+/g, ' ')
}

function signature(secret: string, date: string, region: string, service: string, stringToSign: string): string {
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request')
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex')
}

function sameHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))
}

/** Verifies a SigV4-signed request against the one key pair the local store knows. */
export function verifySigV4(request: SignedRequest, credentials: { accessKeyId: string; secretAccessKey: string }, now = Date.now()): Verdict {
  const params = parseQuery(request.query)
  const queryMap = new Map(params)
  let credential: string
  let signedHeaders: string
  let provided: string
  let amzDate: string
  let payloadHash: string
  let expiresSeconds: number | null = null
  const authorization = headerValue(request.headers, 'authorization')
  if (queryMap.get('X-Amz-Algorithm') === ALGORITHM) {
    credential = queryMap.get('X-Amz-Credential') ?? ''
    signedHeaders = queryMap.get('X-Amz-SignedHeaders') ?? ''
    provided = queryMap.get('X-Amz-Signature') ?? ''
    amzDate = queryMap.get('X-Amz-Date') ?? ''
    expiresSeconds = Number(queryMap.get('X-Amz-Expires') ?? 'NaN')
    payloadHash = 'UNSIGNED-PAYLOAD'
  } else if (authorization.startsWith(ALGORITHM + ' ')) {
    const fields = new Map(
      authorization.slice(ALGORITHM.length + 1).split(',').map((part) => {
        const [k, ...v] = part.trim().split('=')
        return [k!, v.join('=')] as [string, string]
      }),
    )
    credential = fields.get('Credential') ?? ''
    signedHeaders = fields.get('SignedHeaders') ?? ''
    provided = fields.get('Signature') ?? ''
    amzDate = headerValue(request.headers, 'x-amz-date')
    payloadHash = headerValue(request.headers, 'x-amz-content-sha256') || 'UNSIGNED-PAYLOAD'
  } else {
    return { ok: false, code: 'AccessDenied', message: 'Anonymous access is not allowed: sign the request with AWS Signature Version 4.' }
  }

  const [accessKeyId, date, region, service, terminator] = credential.split('/')
  if (accessKeyId !== credentials.accessKeyId) return { ok: false, code: 'InvalidAccessKeyId', message: 'The AWS access key Id you provided does not exist in our records.' }
  if (!date || !region || !service || terminator !== 'aws4_request' || !/^\d{8}T\d{6}Z$/.test(amzDate)) {
    return { ok: false, code: 'AccessDenied', message: 'The SigV4 credential scope or date is malformed.' }
  }
  const signedAt = Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15))
  if (expiresSeconds !== null) {
    if (!Number.isFinite(expiresSeconds) || expiresSeconds < 1 || expiresSeconds > 604800) return { ok: false, code: 'AccessDenied', message: 'X-Amz-Expires must be between 1 and 604800 seconds.' }
    if (now > signedAt + expiresSeconds * 1000) return { ok: false, code: 'AccessDenied', message: 'Request has expired' }
  } else if (Math.abs(now - signedAt) > 15 * 60 * 1000) {
    return { ok: false, code: 'AccessDenied', message: 'The difference between the request time and the current time is too large.' }
  }

  const names = signedHeaders.split(';').filter(Boolean)
  if (!names.includes('host')) return { ok: false, code: 'AccessDenied', message: 'The host header must be signed.' }
  const canonicalQuery = params
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => [rfc3986(name), rfc3986(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&')
  const canonicalHeaders = names.map((name) => `${name}:${headerValue(request.headers, name)}\n`).join('')
  const canonicalRequest = [request.method.toUpperCase(), canonicalPath(request.path), canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n')
  const scope = `${date}/${region}/${service}/aws4_request`
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n')
  const expected = signature(credentials.secretAccessKey, date, region, service, stringToSign)
  if (!sameHex(expected, provided)) {
    return { ok: false, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.' }
  }
  return { ok: true }
}
