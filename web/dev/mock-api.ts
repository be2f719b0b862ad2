/**
 * @module A stand-in for the edge + worker, for working on the web app alone: implements the routes of
 * docs/api.md in memory (uploads PUT to this server, jobs "run" by moving points towards per-label centres
 * and stream CSTF frames over a hand-rolled WebSocket) and serves web/dist with the SPA fallback.
 * Run: `npm run mock -w web` (PORT, default 8787). Not used in production or by the real tests.
 *
 * A features file whose name contains "fail" makes the job fail halfway, to see the failure view.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  encodeFrame,
  encodeNpyFloat32,
  formatFromFilename,
  minPointsForPerplexity,
  parseNpyHeader,
  TSNE_PARAM_DEFAULTS,
  type Job,
  type Upload,
} from '../../shared/src/index.ts'

const PORT = Number(process.env.PORT ?? 8787)
const DIST = fileURLToPath(new URL('../dist', import.meta.url))
const FRAME_EVERY = 25
const TICK_MS = Number(process.env.MOCK_TICK_MS ?? 120)
/** When set, every live socket is dropped this often (ms), to exercise the page's reconnects. */
const DROP_MS = Number(process.env.MOCK_DROP_MS ?? 0)

interface StoredUpload extends Upload {
  bytes: Buffer | null
}
interface MockJob {
  job: Job
  frames: Uint8Array[]
  sockets: Set<Duplex>
  codes: number[] | null
  classes: string[]
  final: Float32Array | null
  cancelled: boolean
}

const uploads = new Map<string, StoredUpload>()
const jobs = new Map<string, MockJob>()
const id = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}
function fail(res: ServerResponse, status: number, code: string, message: string): void {
  send(res, status, { error: { code, message } })
}
async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Reads rows of a features or labels file: numbers for features, strings for labels. */
function readMatrix(upload: StoredUpload): { n: number; d: number; values: Float32Array } {
  const bytes = new Uint8Array(upload.bytes!)
  if (formatFromFilename(upload.filename) === 'npy') {
    const header = parseNpyHeader(bytes)
    const [n, d = 1] = header.shape
    const view = new DataView(bytes.buffer, bytes.byteOffset + header.dataOffset)
    const values = new Float32Array(n! * d)
    for (let i = 0; i < values.length; i++) {
      if (header.kind === 'f' && header.itemSize === 4) values[i] = view.getFloat32(i * 4, true)
      else if (header.kind === 'f' && header.itemSize === 8) values[i] = view.getFloat64(i * 8, true)
      else if (header.itemSize === 1) values[i] = view.getUint8(i)
      else if (header.itemSize === 4) values[i] = view.getInt32(i * 4, true)
      else values[i] = Number(view.getBigInt64(i * 8, true))
    }
    return { n: n!, d, values }
  }
  const delimiter = upload.filename.endsWith('.tsv') ? '\t' : ','
  let lines = bytes.toString().split(/\r?\n/).filter((l) => l.trim())
  if (lines[0]!.split(delimiter).some((f) => Number.isNaN(Number(f)))) lines = lines.slice(1)
  const d = lines[0]!.split(delimiter).length
  const values = Float32Array.from(lines.flatMap((l) => l.split(delimiter).map(Number)))
  return { n: lines.length, d, values }
}

function readLabels(upload: StoredUpload): string[] {
  if (formatFromFilename(upload.filename) === 'npy') {
    const { values } = readMatrix(upload)
    return [...values].map((v) => String(v))
  }
  return upload.bytes!.toString().split(/\r?\n/).map((l) => l.trim()).filter(Boolean)
}

function broadcast(mock: MockJob, data: string | Uint8Array): void {
  for (const socket of mock.sockets) wsSend(socket, data)
}

function status(mock: MockJob): void {
  broadcast(mock, JSON.stringify({ type: 'status', job: mock.job }))
}

/** Fake optimisation: points drift from a small random cloud to their class centre on a circle, with noise. */
function run(mock: MockJob, features: { n: number; d: number; values: Float32Array }): void {
  const { job } = mock
  const n = features.n
  const dims = job.params.dims
  const total = job.params.iterations
  let seed = job.params.seed + 1
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647)
  const classCount = Math.max(1, mock.classes.length)
  const start = new Float32Array(n * dims).map(() => (random() - 0.5) * 1e-2)
  const target = new Float32Array(n * dims)
  for (let i = 0; i < n; i++) {
    const c = mock.codes ? mock.codes[i]! : Math.floor(random() * 6)
    const angle = (2 * Math.PI * c) / Math.max(classCount, 6)
    const spread = 2 + 2 * random()
    target[i * dims] = 30 * Math.cos(angle) + spread * (random() - 0.5) * 4
    target[i * dims + 1] = 30 * Math.sin(angle) + spread * (random() - 0.5) * 4
    if (dims === 3) target[i * dims + 2] = 15 * Math.sin(3 * angle) + spread * (random() - 0.5) * 4
  }
  const shouldFail = /fail/i.test(uploads.get(job.features)?.filename ?? '')
  let iteration = 0
  setTimeout(() => {
    if (mock.cancelled) return
    job.status = 'running'
    job.startedAt = new Date().toISOString()
    job.progress = { stage: 'pca', iteration: 0, totalIterations: total, kl: null, frames: 0, labelsReady: false }
    status(mock)
    const timer = setInterval(() => {
      if (mock.cancelled) return clearInterval(timer)
      iteration = Math.min(total, iteration + FRAME_EVERY)
      const t = iteration / total
      const ease = 1 - (1 - t) ** 3
      const coords = new Float32Array(n * dims)
      for (let i = 0; i < coords.length; i++) coords[i] = start[i]! + (target[i]! - start[i]!) * ease + Math.sin(i + iteration / 40) * (1 - t) * 2
      const kl = 4 * (1 - ease) + 0.9
      const frame = encodeFrame({ iteration, dims, n, kl, coords })
      mock.frames.push(frame)
      job.progress = { stage: iteration <= 250 ? 'exaggeration' : 'optimise', iteration, totalIterations: total, kl, frames: mock.frames.length, labelsReady: mock.codes !== null }
      broadcast(mock, frame)
      status(mock)
      if (shouldFail && t >= 0.5) {
        clearInterval(timer)
        job.status = 'failed'
        job.error = { code: 'features_not_finite', message: 'features.npy row 17, column 3 is NaN. Features must be finite numbers; fill or drop those rows.' }
        job.finishedAt = new Date().toISOString()
        status(mock)
        return
      }
      if (iteration >= total) {
        clearInterval(timer)
        mock.final = coords
        job.status = 'succeeded'
        job.finishedAt = new Date().toISOString()
        job.progress = { ...job.progress, stage: 'done' }
        const base = `/api/v1/jobs/${job.id}`
        job.results = { embeddingNpy: `${base}/embedding.npy`, embeddingCsv: `${base}/embedding.csv`, manifest: `${base}/manifest.json`, metrics: `${base}/metrics.json` }
        status(mock)
        for (const socket of mock.sockets) socket.end(Buffer.from([0x88, 0x02, 0x03, 0xe8]))
      }
    }, TICK_MS)
  }, 800)
  void features
}

async function api(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const method = req.method ?? 'GET'
  let match: RegExpExecArray | null
  if (method === 'POST' && path === '/api/v1/uploads') {
    const body = JSON.parse((await readBody(req)).toString() || '{}')
    if (!body.filename || !(body.size > 0) || !['features', 'labels'].includes(body.kind)) return fail(res, 400, 'invalid_request', 'filename, size and kind are required.')
    const format = formatFromFilename(body.filename)
    if (!format) return fail(res, 400, 'unsupported_format', `"${body.filename}" is not .npy, .csv, .tsv or .txt.`)
    const upload: StoredUpload = { id: id('up'), kind: body.kind, filename: body.filename, size: body.size, status: 'pending', info: null, createdAt: new Date().toISOString(), bytes: null }
    uploads.set(upload.id, upload)
    const { bytes: _bytes, ...publicUpload } = upload
    return send(res, 201, { upload: publicUpload, uploadUrl: `http://127.0.0.1:${PORT}/mock-storage/${upload.id}`, method: 'PUT', expiresAt: new Date(Date.now() + 900_000).toISOString() })
  }
  if (method === 'POST' && (match = /^\/api\/v1\/uploads\/([^/]+)\/complete$/.exec(path))) {
    const upload = uploads.get(match[1]!)
    if (!upload) return fail(res, 404, 'upload_not_found', `No upload with id ${match[1]}.`)
    if (!upload.bytes) return fail(res, 409, 'upload_missing', 'The file has not been uploaded to storage yet.')
    if (upload.bytes.length !== upload.size) return fail(res, 400, 'upload_size_mismatch', `Storage holds ${upload.bytes.length} bytes; ${upload.size} were announced.`)
    const format = formatFromFilename(upload.filename)!
    try {
      if (upload.kind === 'features') {
        const m = readMatrix(upload)
        upload.info = { format, rows: m.n, cols: m.d, dtype: format === 'npy' ? 'float32' : null }
      } else {
        upload.info = { format, rows: readLabels(upload).length, cols: null, dtype: null }
      }
    } catch (error) {
      return fail(res, 400, 'upload_unreadable', (error as Error).message)
    }
    upload.status = 'verified'
    const { bytes: _bytes, ...publicUpload } = upload
    return send(res, 200, { upload: publicUpload })
  }
  if (method === 'POST' && path === '/api/v1/jobs') {
    const body = JSON.parse((await readBody(req)).toString() || '{}')
    const features = uploads.get(body.features)
    if (!features || features.status !== 'verified') return fail(res, 400, 'upload_not_verified', 'The features upload is unknown or not verified.')
    const params = { ...TSNE_PARAM_DEFAULTS, ...body.params }
    const matrix = readMatrix(features)
    if (matrix.n < 5) return fail(res, 400, 'too_few_points', `t-SNE needs at least 5 points; the features have ${matrix.n}.`)
    if (matrix.n < minPointsForPerplexity(params.perplexity)) {
      return fail(res, 400, 'perplexity_too_large', `perplexity ${params.perplexity} needs at least ${minPointsForPerplexity(params.perplexity)} points; got ${matrix.n}. Lower perplexity or upload more points.`)
    }
    let codes: number[] | null = null
    let classes: string[] = []
    if (body.labels) {
      const labelUpload = uploads.get(body.labels)
      if (!labelUpload) return fail(res, 400, 'upload_not_verified', 'The labels upload is unknown.')
      const values = readLabels(labelUpload)
      if (values.length !== matrix.n) return fail(res, 400, 'label_count_mismatch', `The labels file has ${values.length} labels but the features have ${matrix.n} points.`)
      classes = [...new Set(values)].sort((a, b) => (Number(a) - Number(b)) || a.localeCompare(b))
      codes = values.map((v) => classes.indexOf(v))
    }
    const job: Job = {
      id: id('job'), status: 'queued', params, features: features.id, labels: body.labels ?? null, n: matrix.n, d: matrix.d,
      attempt: 0, progress: null, error: null, createdAt: new Date().toISOString(), startedAt: null, finishedAt: null, results: null,
    }
    const mock: MockJob = { job, frames: [], sockets: new Set(), codes, classes, final: null, cancelled: false }
    jobs.set(job.id, mock)
    run(mock, matrix)
    return send(res, 201, { job })
  }
  if (method === 'GET' && path === '/api/v1/jobs') return send(res, 200, { jobs: [...jobs.values()].map((m) => m.job).reverse() })
  const jobMatch = /^\/api\/v1\/jobs\/([^/]+)(\/.*)?$/.exec(path)
  if (!jobMatch) return fail(res, 404, 'not_found', `No route ${method} ${path}.`)
  const mock = jobs.get(jobMatch[1]!)
  if (!mock) return fail(res, 404, 'job_not_found', `No job with id ${jobMatch[1]}.`)
  const rest = jobMatch[2] ?? ''
  const { job } = mock
  if (method === 'GET' && rest === '') return send(res, 200, { job })
  if (method === 'POST' && rest === '/cancel') {
    if (job.status === 'queued' || job.status === 'running') {
      mock.cancelled = true
      job.status = 'cancelled'
      job.finishedAt = new Date().toISOString()
      status(mock)
    }
    return send(res, 200, { job })
  }
  if (method === 'GET' && rest === '/frames') return send(res, 200, { frames: mock.frames.map((f, seq) => ({ seq, iteration: new DataView(f.buffer, f.byteOffset).getUint32(8, true) })) })
  if (method === 'GET' && (match = /^\/frames\/(\d+)$/.exec(rest))) {
    const frame = mock.frames[Number(match[1])]
    if (!frame) return fail(res, 404, 'frame_not_found', 'No such frame.')
    res.writeHead(200, { 'content-type': 'application/octet-stream' })
    return void res.end(frame)
  }
  if (method === 'GET' && rest === '/labels') {
    if (!mock.codes) return fail(res, 404, 'labels_not_found', 'This job has no labels.')
    return send(res, 200, { classes: mock.classes, codes: mock.codes })
  }
  if (method === 'GET' && (rest === '/embedding.npy' || rest === '/embedding.csv')) {
    if (!mock.final) return fail(res, 409, 'job_not_finished', 'The embedding is ready once the job has succeeded.')
    const dims = job.params.dims
    if (rest.endsWith('.npy')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      return void res.end(encodeNpyFloat32(mock.final, [job.n!, dims]))
    }
    const header = (dims === 3 ? 'x,y,z' : 'x,y') + ',label'
    const rows = Array.from({ length: job.n! }, (_, i) => [...mock.final!.subarray(i * dims, i * dims + dims)].join(',') + ',' + (mock.codes ? mock.classes[mock.codes[i]!] : ''))
    res.writeHead(200, { 'content-type': 'text/csv' })
    return void res.end([header, ...rows].join('\n') + '\n')
  }
  return fail(res, 404, 'not_found', `No route ${method} ${path}.`)
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' }

function serveStatic(res: ServerResponse, path: string): void {
  let file = normalize(join(DIST, path))
  if (!file.startsWith(DIST) || !existsSync(file) || statSync(file).isDirectory()) file = join(DIST, 'index.html')
  if (!existsSync(file)) return fail(res, 404, 'not_built', 'Run `npm run build -w web` first.')
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
  createReadStream(file).pipe(res)
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost')
  res.setHeader('access-control-allow-origin', '*')
  res.setHeader('access-control-allow-methods', 'GET, PUT, POST, OPTIONS')
  res.setHeader('access-control-allow-headers', '*')
  if (req.method === 'OPTIONS') return void res.writeHead(204).end()
  const storage = /^\/mock-storage\/([^/]+)$/.exec(url.pathname)
  if (storage && req.method === 'PUT') {
    void readBody(req).then((bytes) => {
      const upload = uploads.get(storage[1]!)
      if (!upload) {
        res.writeHead(403, { 'content-type': 'application/xml' })
        return res.end('<Error><Code>AccessDenied</Code><Message>Unknown upload key</Message></Error>')
      }
      upload.bytes = bytes
      res.writeHead(200).end()
    })
    return
  }
  if (url.pathname.startsWith('/api/')) {
    api(req, res, url.pathname).catch((error) => fail(res, 500, 'internal', String(error)))
    return
  }
  serveStatic(res, url.pathname)
})

// Minimal WebSocket (RFC 6455) server side: handshake, unmasked server frames, close on any client close.
function wsSend(socket: Duplex, data: string | Uint8Array): void {
  const payload = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  const opcode = typeof data === 'string' ? 0x1 : 0x2
  let header: Buffer
  if (payload.length < 126) header = Buffer.from([0x80 | opcode, payload.length])
  else if (payload.length < 65536) {
    header = Buffer.alloc(4)
    header[0] = 0x80 | opcode
    header[1] = 126
    header.writeUInt16BE(payload.length, 2)
  } else {
    header = Buffer.alloc(10)
    header[0] = 0x80 | opcode
    header[1] = 127
    header.writeBigUInt64BE(BigInt(payload.length), 2)
  }
  socket.write(Buffer.concat([header, payload]))
}

server.on('upgrade', (req, socket) => {
  const url = new URL(req.url ?? '/', 'http://localhost')
  const match = /^\/api\/v1\/jobs\/([^/]+)\/live$/.exec(url.pathname)
  const mock = match ? jobs.get(match[1]!) : undefined
  const key = req.headers['sec-websocket-key']
  if (!mock || typeof key !== 'string') {
    socket.end('HTTP/1.1 404 Not Found\r\n\r\n')
    return
  }
  const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64')
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`)
  mock.sockets.add(socket)
  socket.on('data', (chunk: Buffer) => {
    if ((chunk[0]! & 0x0f) === 0x8) socket.end()
  })
  socket.on('close', () => mock.sockets.delete(socket))
  socket.on('error', () => mock.sockets.delete(socket))
  wsSend(socket, JSON.stringify({ type: 'status', job: mock.job }))
  const latest = mock.frames.at(-1)
  if (latest) wsSend(socket, latest)
})

if (DROP_MS > 0) {
  setInterval(() => {
    for (const mock of jobs.values()) for (const socket of mock.sockets) socket.destroy()
  }, DROP_MS)
}

server.listen(PORT, '127.0.0.1', () => console.log(`mock Constellate API + web/dist at http://127.0.0.1:${PORT}`))
