/**
 * @module The job page's live state: the job record, the latest frame, the labels and the run's history of
 * iterations and KL, kept current over the job's WebSocket (`<source>/live`) with reconnects, falling back
 * to polling the REST API while the socket is down, and loading the final map of a job that has already
 * ended. Works the same for the owner's routes and a share link's read-only ones (a JobSource).
 */
import { decodeFrame, LiveMessage, type Frame, type Job } from '@constellate/shared'
import {
  ApiError,
  errorMessage,
  getEmbeddingNpy,
  getFrameBytes,
  getJobLabels,
  getSourceJob,
  listFrames,
  liveUrl,
  type FrameInfo,
  type JobSource,
} from './api.ts'
import { reconnectDelay } from '@constellate/client'
import { countClasses, frameFromNpy } from './embedding.ts'
import { isActive } from './job-text.ts'

export interface LoadedLabels {
  classes: string[]
  /** Class index per point, length N. */
  codes: Int32Array
  /** Points per class. */
  counts: number[]
}

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'closed'

export class LiveJob {
  readonly source: JobSource
  job = $state<Job | null>(null)
  /** Set when the job cannot be shown at all (unknown id). */
  loadError = $state<string | null>(null)
  frame = $state.raw<Frame | null>(null)
  /** Frames received or fetched and handed to the viewer on this page. */
  framesReceived = $state(0)
  connection = $state<ConnectionState>('connecting')
  labels = $state.raw<LoadedLabels | null>(null)
  labelsError = $state<string | null>(null)
  /** A problem with the final map or frames that does not stop the page. */
  frameError = $state<string | null>(null)
  /** Iteration and KL of every frame seen (live), or of every stored frame (with seq) once the job ended. */
  history = $state.raw<FrameInfo[]>([])

  #socket: WebSocket | null = null
  #stopped = false
  #attempt = 0
  #retryTimer: ReturnType<typeof setTimeout> | null = null
  #labelsRequested = false
  #finalRequested = false
  #abort = new AbortController()

  constructor(source: JobSource) {
    this.source = source
  }

  /** Loads the job and starts following it. Call `stop()` when the page goes away. */
  async start(): Promise<void> {
    try {
      const job = await getSourceJob(this.source, this.#abort.signal)
      if (this.#stopped) return
      this.#setJob(job)
    } catch (error) {
      if (this.#stopped) return
      if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
        this.loadError = error.message
        this.connection = 'closed'
        return
      }
      // Server unreachable or failing: keep trying, as for a dropped socket.
      this.frameError = errorMessage(error)
      this.#scheduleRetry(() => void this.start())
      return
    }
    this.frameError = null
    // Earlier frames' iterations and KL for the timeline (a late viewer joins mid-run).
    void this.loadHistory().catch(() => undefined)
    if (this.job && isActive(this.job.status)) this.#connect()
    else this.connection = 'closed'
  }

  stop(): void {
    this.#stopped = true
    this.#abort.abort()
    if (this.#retryTimer) clearTimeout(this.#retryTimer)
    this.#retryTimer = null
    const socket = this.#socket
    this.#socket = null
    if (socket) {
      socket.onclose = null
      socket.onmessage = null
      socket.onerror = null
      socket.close(1000, 'page closed')
    }
    this.connection = 'closed'
  }

  /** Applies a job record from any source (socket, REST, cancel) and reacts to what changed. */
  updateJob(job: Job): void {
    this.#setJob(job)
  }

  #setJob(job: Job): void {
    this.job = job
    this.#maybeLoadLabels(job)
    if (!isActive(job.status)) {
      void this.#loadFinalFrame(job)
      this.#closeSocketSoon()
    }
  }

  /** After the job ends nothing more is coming; leave a moment for a frame already in flight, then close. */
  #closeSocketSoon(): void {
    const socket = this.#socket
    if (!socket) return
    setTimeout(() => {
      if (this.#socket !== socket) return
      this.#socket = null
      socket.onclose = null
      socket.close(1000, 'job ended')
      this.connection = 'closed'
    }, 1500)
  }

  #connect(): void {
    if (this.#stopped) return
    this.connection = this.#attempt === 0 ? 'connecting' : 'reconnecting'
    let socket: WebSocket
    try {
      socket = new WebSocket(liveUrl(this.source, window.location))
    } catch {
      this.#onSocketLost()
      return
    }
    socket.binaryType = 'arraybuffer'
    this.#socket = socket
    socket.onopen = () => {
      this.connection = 'live'
    }
    socket.onmessage = (event) => this.#onMessage(event.data)
    socket.onclose = () => {
      if (this.#socket !== socket) return
      this.#socket = null
      this.#onSocketLost()
    }
  }

  #onMessage(data: unknown): void {
    if (typeof data === 'string') {
      let message: unknown
      try {
        message = JSON.parse(data)
      } catch {
        return
      }
      const parsed = LiveMessage.safeParse(message)
      const job = parsed.success ? parsed.data.job : (message as { type?: string; job?: Job })?.job
      if ((message as { type?: string })?.type === 'status' && job) {
        // A message proves the connection works; start the backoff again from the shortest delay.
        this.#attempt = 0
        this.#setJob(job)
      }
      return
    }
    if (data instanceof ArrayBuffer) {
      this.#attempt = 0
      try {
        this.#acceptFrame(decodeFrame(new Uint8Array(data)))
      } catch (error) {
        this.frameError = `A frame could not be read: ${errorMessage(error)}`
      }
    }
  }

  /**
   * Shows a frame unless it is older than the one shown. The latest frame is resent on every (re)connect,
   * so a frame at the same iteration is a repeat too, except the final embedding (`replaceSameIteration`).
   */
  #acceptFrame(frame: Frame, replaceSameIteration = false): void {
    const current = this.frame
    if (current && frame.n === current.n && frame.dims === current.dims) {
      if (frame.iteration < current.iteration) return
      if (frame.iteration === current.iteration && !replaceSameIteration) return
    }
    this.frame = frame
    this.framesReceived++
    const last = this.history[this.history.length - 1]
    if (!last || frame.iteration > last.iteration) {
      this.history = [...this.history, { seq: -1, iteration: frame.iteration, kl: Number.isFinite(frame.kl) ? frame.kl : null }]
    }
  }

  /** Replaces the live history with the stored frame list (which has sequence numbers for replay). */
  async loadHistory(): Promise<FrameInfo[]> {
    const frames = await listFrames(this.source, this.#abort.signal)
    const sorted = [...frames].sort((a, b) => a.seq - b.seq)
    if (!this.#stopped) {
      const lastStored = sorted[sorted.length - 1]?.iteration ?? -1
      this.history = [...sorted, ...this.history.filter((entry) => entry.iteration > lastStored)]
    }
    return sorted
  }

  #onSocketLost(): void {
    if (this.#stopped) return
    const job = this.job
    if (job && !isActive(job.status)) {
      this.connection = 'closed'
      return
    }
    this.connection = 'reconnecting'
    // While the socket is down, ask the REST API so status and the map still move forward.
    void this.#poll()
    this.#scheduleRetry(() => this.#connect())
  }

  #scheduleRetry(action: () => void): void {
    if (this.#stopped) return
    const delay = reconnectDelay(this.#attempt++)
    if (this.#retryTimer) clearTimeout(this.#retryTimer)
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null
      if (!this.#stopped) action()
    }, delay)
  }

  async #poll(): Promise<void> {
    try {
      const job = await getSourceJob(this.source, this.#abort.signal)
      if (this.#stopped) return
      this.#setJob(job)
      if (isActive(job.status)) await this.#fetchLatestFrame()
      if (!isActive(job.status)) {
        if (this.#retryTimer) clearTimeout(this.#retryTimer)
        this.connection = 'closed'
      }
    } catch {
      // The next reconnect attempt tries again.
    }
  }

  /** Fetches the newest stored frame when it is newer than the one shown; returns whether one was found. */
  async #fetchLatestFrame(): Promise<boolean> {
    const frames = await listFrames(this.source, this.#abort.signal)
    if (frames.length === 0) return false
    const latest = frames.reduce((a, b) => (b.seq > a.seq ? b : a))
    if (this.frame && latest.iteration <= this.frame.iteration) return true
    const bytes = await getFrameBytes(this.source, latest.seq, this.#abort.signal)
    if (this.#stopped) return true
    this.#acceptFrame(decodeFrame(bytes))
    return true
  }

  /** Makes sure an ended job shows its last map: the last stored frame, else the final embedding. */
  async #loadFinalFrame(job: Job): Promise<void> {
    if (this.#finalRequested) return
    this.#finalRequested = true
    const total = job.progress?.totalIterations ?? job.params.iterations
    if (this.frame && this.frame.iteration >= total && job.status === 'succeeded') return
    let found = false
    try {
      found = await this.#fetchLatestFrame()
    } catch {
      // Fall back to the embedding below.
    }
    if (this.#stopped || job.status !== 'succeeded') return
    if (found && this.frame && this.frame.iteration >= total) return
    try {
      const bytes = await getEmbeddingNpy(this.source, this.#abort.signal)
      if (this.#stopped) return
      this.#acceptFrame(frameFromNpy(bytes, Math.max(total, this.frame?.iteration ?? 0)), true)
    } catch (error) {
      if (!this.frame) this.frameError = `The final map could not be loaded: ${errorMessage(error)}`
    }
  }

  #maybeLoadLabels(job: Job): void {
    if (this.#labelsRequested) return
    // A model job on an image archive has labels from its folders, with no labels upload: the worker says when.
    const fromFolders = !job.labels && Boolean(job.model)
    if (!job.labels && !fromFolders) return
    const ready = job.progress?.labelsReady === true || (job.status === 'succeeded' && !fromFolders)
    if (!ready) return
    this.#labelsRequested = true
    void (async () => {
      try {
        const { classes, codes } = await getJobLabels(this.source, this.#abort.signal)
        if (this.#stopped) return
        const codeArray = Int32Array.from(codes)
        this.labels = { classes, codes: codeArray, counts: countClasses(codeArray, classes.length) }
        this.labelsError = null
      } catch (error) {
        if (this.#stopped) return
        this.labelsError = `Labels could not be loaded: ${errorMessage(error)}`
        // Try again with the next status update while the job is still going.
        if (this.job && isActive(this.job.status)) this.#labelsRequested = false
      }
    })()
  }
}
