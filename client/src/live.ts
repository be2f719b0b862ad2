/**
 * @module Following a job until it ends: the live WebSocket (`/api/v1/jobs/:id/live`: status messages as
 * JSON text, CSTF frames as binary) with a slow status poll as a safety net, or polling alone where no
 * WebSocket is available or it cannot connect.
 */
import { LiveMessage, type Job, type JobStatus } from '@constellate/shared'
import { readFrameHeader, type FrameHeader } from './frame-header.ts'

export const TERMINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled']

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status)
}

/** The part of the WebSocket API the client uses (browsers' WebSocket and the `ws` package both have it). */
export interface WebSocketLike {
  binaryType: string
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  onclose: ((event: unknown) => void) | null
  onerror: ((event: unknown) => void) | null
  close(): void
}

/**
 * Opens a WebSocket. Browsers cannot send headers (their workspace cookie identifies them); Node passes
 * `headers` (the Authorization token) with the `ws` package: `(url, headers) => new WebSocket(url, { headers })`.
 */
export type WebSocketFactory = (url: string, headers: Record<string, string>) => WebSocketLike

export const WATCH_DEFAULTS = {
  /** Status poll while the WebSocket is open (a safety net for a missed message), ms. */
  pollWithSocketMs: 5000,
  /** Status poll without a WebSocket, ms. */
  pollWithoutSocketMs: 1000,
}

export interface WatchOptions {
  /** Each status the job reports (from the socket or a poll), terminal one included. */
  onStatus?: (job: Job) => void
  /** Each live frame's header (iteration, KL) and bytes (decode with shared `decodeFrame`). */
  onFrame?: (header: FrameHeader, bytes: Uint8Array) => void
  /** Use the WebSocket (default true when a factory or a global WebSocket exists). */
  live?: boolean
  signal?: AbortSignal
  pollWithSocketMs?: number
  pollWithoutSocketMs?: number
}

export interface WatchDeps {
  getJob: (id: string, signal?: AbortSignal) => Promise<Job>
  liveUrl: (id: string) => string
  headers: () => Record<string, string>
  webSocket: WebSocketFactory | null
}

/** Resolves with the job once it is succeeded, failed or cancelled; rejects when a status read fails for good. */
export function watchJob(deps: WatchDeps, id: string, options: WatchOptions = {}): Promise<Job> {
  const pollWithSocketMs = options.pollWithSocketMs ?? WATCH_DEFAULTS.pollWithSocketMs
  const pollWithoutSocketMs = options.pollWithoutSocketMs ?? WATCH_DEFAULTS.pollWithoutSocketMs
  return new Promise<Job>((resolve, reject) => {
    let done = false
    let socket: WebSocketLike | null = null
    let socketOpen = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const finish = (outcome: { job: Job } | { error: unknown }) => {
      if (done) return
      done = true
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      if (socket) {
        socket.onclose = socket.onerror = socket.onmessage = null
        socket.close()
      }
      if ('job' in outcome) resolve(outcome.job)
      else reject(outcome.error)
    }
    const onAbort = () => finish({ error: options.signal?.reason ?? new Error('aborted') })
    options.signal?.addEventListener('abort', onAbort, { once: true })

    const seeJob = (job: Job) => {
      if (done) return
      options.onStatus?.(job)
      if (isTerminal(job.status)) finish({ job })
    }
    const poll = async () => {
      try {
        seeJob(await deps.getJob(id, options.signal))
      } catch (error) {
        return finish({ error })
      }
      if (!done) timer = setTimeout(poll, socketOpen ? pollWithSocketMs : pollWithoutSocketMs)
    }
    const connect = () => {
      if (done || options.live === false || !deps.webSocket) return
      try {
        socket = deps.webSocket(deps.liveUrl(id), deps.headers())
      } catch {
        return // No WebSocket here: polling carries on alone.
      }
      socket.binaryType = 'arraybuffer'
      socket.onopen = () => {
        socketOpen = true
      }
      socket.onmessage = (event) => {
        if (typeof event.data === 'string') {
          let message: unknown
          try {
            message = JSON.parse(event.data)
          } catch {
            return
          }
          const parsed = LiveMessage.safeParse(message)
          if (parsed.success) seeJob(parsed.data.job)
          return
        }
        const bytes = event.data instanceof ArrayBuffer ? new Uint8Array(event.data) : ArrayBuffer.isView(event.data) ? new Uint8Array(event.data.buffer, event.data.byteOffset, event.data.byteLength) : null
        const header = bytes && readFrameHeader(bytes)
        if (bytes && header) options.onFrame?.(header, bytes)
      }
      socket.onclose = socket.onerror = () => {
        // Fall back to polling at the faster pace; the job's status decides when watching ends.
        socketOpen = false
        socket = null
      }
    }
    // Read the status first: an unknown job or a bad token fails fast with the API's error.
    void poll().then(connect)
  })
}
