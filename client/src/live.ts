/**
 * @module Following a job until it ends: the live WebSocket (`.../live`: status messages as JSON text, CSTF
 * frames as binary), reconnected with backoff when it drops, and status polls (plus, if asked, the newest
 * stored frame) while it is down or as a slow safety net while it is up. One implementation for the CLI's
 * `watch` and the web viewer; a job id or a share link's `{ shared: token }` alike.
 */
import { LiveMessage, type Job, type JobStatus } from '@constellate/shared'
import { ConstellateError, CLIENT_ERROR_CODES } from './errors.ts'
import { readFrameHeader, type FrameHeader } from './frame-header.ts'
import type { JobRef } from './job-ref.ts'
import { reconnectDelay } from './reconnect.ts'
import type { FrameInfo } from './schemas.ts'

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

/** How the live connection stands: opening, open, down and being retried, or finished for good. */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'closed'

export const WATCH_DEFAULTS = {
  /** Status poll while the WebSocket is open (a safety net for a missed message), ms; Infinity: none. */
  pollWithSocketMs: 5000,
  /** Status poll while there is no open WebSocket (one poll right after it drops, then this often), ms. */
  pollWithoutSocketMs: 1000,
  /** How long the socket stays open after the job ended, for a frame already on its way, ms. */
  lingerMs: 0,
}

export interface WatchOptions {
  /** Each status the job reports (from the socket or a poll), terminal one included. */
  onStatus?: (job: Job) => void
  /** Each live frame's header (iteration, KL) and bytes (decode with shared `decodeFrame`). */
  onFrame?: (header: FrameHeader, bytes: Uint8Array) => void
  /** Each change of the connection's state. */
  onConnection?: (state: ConnectionState) => void
  /**
   * Failed status reads that may pass (network, 5xx, 429 after the HTTP retries) are reported here and
   * following carries on; without it the first such failure ends following. Client errors (4xx: unknown
   * job, revoked link) always end it.
   */
  onReadError?: (error: unknown) => void
  /** Use the WebSocket (default true when a factory or a global WebSocket exists). */
  live?: boolean
  /** While no socket is open, each poll also fetches the newest stored frame when it is newer than the last one seen. */
  framesWhileDown?: boolean
  signal?: AbortSignal
  pollWithSocketMs?: number
  pollWithoutSocketMs?: number
  lingerMs?: number
  /** Jitter of the reconnect delay (default Math.random); tests pass a seeded one. */
  random?: () => number
}

export interface WatchDeps {
  getJob: (job: JobRef, signal?: AbortSignal) => Promise<Job>
  liveUrl: (job: JobRef) => string
  headers: () => Record<string, string>
  webSocket: WebSocketFactory | null
  /** Needed for `framesWhileDown`. */
  listFrames?: (job: JobRef, signal?: AbortSignal) => Promise<FrameInfo[]>
  getFrame?: (job: JobRef, seq: number, signal?: AbortSignal) => Promise<Uint8Array>
}

/** A job being followed: `done` settles with the ended job (or the error that stopped following). */
export interface JobFollow {
  readonly done: Promise<Job>
  /** Stops following (closes the socket, cancels timers); `done` rejects with an `aborted` error. */
  stop(): void
}

/** A read failure that retrying cannot fix: the job or link is unknown, gone or not ours. */
function isClientError(error: unknown): boolean {
  return error instanceof ConstellateError && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429
}

const abortedError = () => new ConstellateError(0, CLIENT_ERROR_CODES.aborted, 'Following the job was stopped.')

/**
 * Follows `job` until it is succeeded, failed or cancelled. Reads the status first (an unknown job or a bad
 * token fails fast with the API's error), then opens the socket if the job is still going.
 */
export function followJob(deps: WatchDeps, job: JobRef, options: WatchOptions = {}): JobFollow {
  const pollWithSocketMs = options.pollWithSocketMs ?? WATCH_DEFAULTS.pollWithSocketMs
  const pollWithoutSocketMs = options.pollWithoutSocketMs ?? WATCH_DEFAULTS.pollWithoutSocketMs
  const lingerMs = options.lingerMs ?? WATCH_DEFAULTS.lingerMs
  const random = options.random ?? Math.random
  const useSocket = options.live !== false && deps.webSocket !== null
  const abort = new AbortController()

  let done = false
  let socket: WebSocketLike | null = null
  let socketOpen = false
  let attempt = 0
  let connection: ConnectionState | null = null
  /** Iteration of the newest frame handed to onFrame, so polls fetch only newer ones. */
  let newestIteration = -1
  let pollTimer: ReturnType<typeof setTimeout> | undefined
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined

  let resolveDone!: (job: Job) => void
  let rejectDone!: (error: unknown) => void
  const promise = new Promise<Job>((resolve, reject) => {
    resolveDone = resolve
    rejectDone = reject
  })
  // Stopping on purpose is not an unhandled rejection; callers who await `done` still see the error.
  promise.catch(() => undefined)

  const setConnection = (state: ConnectionState) => {
    if (state === connection) return
    connection = state
    options.onConnection?.(state)
  }

  const closeSocket = () => {
    const current = socket
    socket = null
    socketOpen = false
    if (!current) return
    current.onopen = current.onclose = current.onerror = current.onmessage = null
    current.close()
  }

  const finish = (outcome: { job: Job } | { error: unknown }) => {
    if (done) return
    done = true
    clearTimeout(pollTimer)
    clearTimeout(reconnectTimer)
    options.signal?.removeEventListener('abort', onAbort)
    if ('job' in outcome && socket && lingerMs > 0) {
      // A frame may still be on its way: keep listening a moment, then close.
      const lingering = socket
      setTimeout(() => {
        if (socket !== lingering) return
        closeSocket()
        setConnection('closed')
      }, lingerMs)
    } else {
      closeSocket()
      setConnection('closed')
    }
    abort.abort()
    if ('job' in outcome) resolveDone(outcome.job)
    else rejectDone(outcome.error)
  }

  const onAbort = () => finish({ error: options.signal?.reason ?? abortedError() })
  if (options.signal?.aborted) onAbort()
  else options.signal?.addEventListener('abort', onAbort, { once: true })

  const seeJob = (current: Job) => {
    if (done) return
    options.onStatus?.(current)
    if (isTerminal(current.status)) finish({ job: current })
  }

  const seeFrame = (bytes: Uint8Array) => {
    const header = readFrameHeader(bytes)
    if (!header) return
    newestIteration = Math.max(newestIteration, header.iteration)
    options.onFrame?.(header, bytes)
  }

  /** Reports a failed read, or ends following with it; returns whether following goes on. */
  const readFailed = (error: unknown): boolean => {
    if (done) return false
    if (isClientError(error) || !options.onReadError || abort.signal.aborted) {
      finish({ error })
      return false
    }
    options.onReadError(error)
    return true
  }

  const schedulePoll = (ms: number) => {
    clearTimeout(pollTimer)
    if (!done && Number.isFinite(ms)) pollTimer = setTimeout(() => void poll(), ms)
  }

  const fetchNewestFrame = async () => {
    if (!deps.listFrames || !deps.getFrame) return
    const frames = await deps.listFrames(job, abort.signal)
    if (frames.length === 0 || done) return
    const latest = frames.reduce((a, b) => (b.seq > a.seq ? b : a))
    if (latest.iteration <= newestIteration) return
    const bytes = await deps.getFrame(job, latest.seq, abort.signal)
    if (!done && !socketOpen) seeFrame(bytes)
  }

  const poll = async () => {
    clearTimeout(pollTimer)
    let current: Job
    try {
      current = await deps.getJob(job, abort.signal)
    } catch (error) {
      if (readFailed(error)) schedulePoll(socketOpen ? pollWithSocketMs : pollWithoutSocketMs)
      return
    }
    seeJob(current)
    if (done) return
    if (!socketOpen && options.framesWhileDown) await fetchNewestFrame().catch(() => undefined)
    schedulePoll(socketOpen ? pollWithSocketMs : pollWithoutSocketMs)
  }

  const socketLost = () => {
    socket = null
    socketOpen = false
    if (done) return setConnection('closed')
    setConnection('reconnecting')
    // While the socket is down, ask the REST API so status (and the map) still move forward.
    void poll()
    clearTimeout(reconnectTimer)
    reconnectTimer = setTimeout(connect, reconnectDelay(attempt++, random))
  }

  const onMessage = (data: unknown) => {
    if (typeof data === 'string') {
      let message: unknown
      try {
        message = JSON.parse(data)
      } catch {
        return
      }
      const parsed = LiveMessage.safeParse(message)
      if (!parsed.success) return
      // A message proves the connection works: the next drop starts the backoff from the shortest delay.
      attempt = 0
      seeJob(parsed.data.job)
      return
    }
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null
    if (!bytes) return
    attempt = 0
    seeFrame(bytes)
  }

  const connect = () => {
    if (done) return
    setConnection(attempt === 0 ? 'connecting' : 'reconnecting')
    let created: WebSocketLike
    try {
      created = deps.webSocket!(deps.liveUrl(job), deps.headers())
    } catch {
      return socketLost()
    }
    socket = created
    created.binaryType = 'arraybuffer'
    created.onopen = () => {
      if (socket !== created) return
      socketOpen = true
      setConnection('live')
      schedulePoll(pollWithSocketMs)
    }
    created.onmessage = (event) => {
      if (socket === created) onMessage(event.data)
    }
    created.onclose = created.onerror = () => {
      if (socket === created) socketLost()
    }
  }

  const start = async () => {
    let current: Job
    try {
      current = await deps.getJob(job, abort.signal)
    } catch (error) {
      if (readFailed(error)) reconnectTimer = setTimeout(() => void start(), reconnectDelay(attempt++, random))
      return
    }
    seeJob(current)
    if (done) return
    if (useSocket) connect()
    else schedulePoll(pollWithoutSocketMs)
  }

  if (!done) void start()
  return {
    done: promise,
    stop: () => finish({ error: abortedError() }),
  }
}

/** Resolves with the job once it is succeeded, failed or cancelled; rejects when following fails for good. */
export function watchJob(deps: WatchDeps, job: JobRef, options: WatchOptions = {}): Promise<Job> {
  return followJob(deps, job, options).done
}
