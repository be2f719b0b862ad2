/**
 * @module The local storage endpoint: s3rver behind a gateway that enforces SigV4 (signatures, keys,
 * presigned-URL expiry) the way S3, R2 and MinIO do, so local runs and tests exercise real access control.
 */
import { createServer, request as httpRequest, type Server } from 'node:http'
import { verifySigV4 } from './sigv4.ts'

export interface GatewayOptions {
  port: number
  host: string
  /** Where s3rver listens. */
  upstreamPort: number
  credentials: { accessKeyId: string; secretAccessKey: string }
}

function xmlError(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`
}

export function startGateway(options: GatewayOptions): Promise<Server> {
  const server = createServer((req, res) => {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    // CORS preflights carry no credentials; s3rver answers them from the bucket's CORS rules.
    if (req.method !== 'OPTIONS') {
      const verdict = verifySigV4(
        { method: req.method ?? 'GET', path: q < 0 ? url : url.slice(0, q), query: q < 0 ? '' : url.slice(q + 1), headers: req.headers },
        options.credentials,
      )
      if (!verdict.ok) {
        req.resume()
        const origin = req.headers.origin
        res.writeHead(403, { 'content-type': 'application/xml', ...(origin ? { 'access-control-allow-origin': '*' } : {}) })
        res.end(xmlError(verdict.code, verdict.message))
        return
      }
    }
    const upstream = httpRequest(
      // A fresh connection per request: s3rver closes idle keep-alive sockets, which races with reuse.
      { host: '127.0.0.1', port: options.upstreamPort, method: req.method, path: url, headers: req.headers, agent: false },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/xml' })
      res.end(xmlError('ServiceUnavailable', `storage is not answering: ${err.message}`))
    })
    req.pipe(upstream)
  })
  // Clients (workerd, the SDK) reuse idle connections; outlive their idle timeouts so we never close a socket
  // just as a request arrives on it.
  server.keepAliveTimeout = 120_000
  server.headersTimeout = 125_000
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolve(server))
  })
}
