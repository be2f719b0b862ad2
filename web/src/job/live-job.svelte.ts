/**
 * @module The job page's live state: the job record, the latest frame, the labels and the run's history of
 * iterations and KL, kept current by the client's live follower (socket with reconnects, polls and stored
 * frames while it is down), and the final map of a job that has already ended. Works the same for a job
 * id and a share link (a JobRef).
 */
import type { ConnectionState, FrameInfo, JobFollow, JobRef } from '@constellate/client'
import { decodeFrame, type Frame, type Job } from '@constellate/shared'
import { client } from '../app/client.ts'
import { errorMessage } from '../app/error-message.ts'
import { countClasses, frameFromNpy } from './embedding.ts'
import { isActive } from './job-text.ts'

export interface LoadedLabels {
  classes: string[]
  /** Class index per point, length N. */
  codes: Int32Array
  /** Points per class. */
  counts: number[]
}

/** After the job ends nothing more is coming; the socket stays this long for a frame already in flight, ms. */
const LINGER_MS = 1500

export class LiveJob {
  readonly ref: JobRef
  job = $state<Job | null>(null)
  /** Set when the job cannot be shown at all (unknown id, revoked link). */
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

  #follow: JobFollow | null = null
  #stopped = false
  #historyRequested = false
  #labelsRequested = false
  #finalRequested = false
  #abort = new AbortController()

  constructor(ref: JobRef) {
    this.ref = ref
  }

  /** Loads the job and follows it until it ends. Call `stop()` when the page goes away. */
  start(): void {
    this.#follow = client.followJob(this.ref, {
      onStatus: (job) => this.#setJob(job),
      onFrame: (_header, bytes) => {
        try {
          this.#acceptFrame(decodeFrame(bytes))
        } catch (error) {
          this.frameError = `A frame could not be read: ${errorMessage(error)}`
        }
      },
      onConnection: (state) => {
        this.connection = state
      },
      // Server unreachable or failing before the job was read: say so, and keep trying.
      onReadError: (error) => {
        if (!this.job) this.frameError = errorMessage(error)
      },
      framesWhileDown: true,
      // The socket carries every status; polls happen only while it is down, once per reconnect attempt.
      pollWithSocketMs: Number.POSITIVE_INFINITY,
      pollWithoutSocketMs: Number.POSITIVE_INFINITY,
      lingerMs: LINGER_MS,
    })
    this.#follow.done.catch((error) => {
      if (this.#stopped) return
      if (this.job) this.frameError = errorMessage(error)
      else this.loadError = errorMessage(error)
    })
  }

  stop(): void {
    this.#stopped = true
    this.#abort.abort()
    this.#follow?.stop()
  }

  /** Applies a job record from any source (socket, poll, cancel) and reacts to what changed. */
  updateJob(job: Job): void {
    this.#setJob(job)
  }

  #setJob(job: Job): void {
    if (this.#stopped) return
    const first = this.job === null
    this.job = job
    if (first) {
      this.frameError = null
      // Earlier frames' iterations and KL for the timeline (a late viewer joins mid-run).
      if (!this.#historyRequested) {
        this.#historyRequested = true
        void this.loadHistory().catch(() => undefined)
      }
    }
    this.#maybeLoadLabels(job)
    if (!isActive(job.status)) void this.#loadFinalFrame(job)
  }

  /**
   * Shows a frame unless it is older than the one shown. The latest frame is resent on every (re)connect,
   * so a frame at the same iteration is a repeat too, except the final embedding (`replaceSameIteration`).
   */
  #acceptFrame(frame: Frame, replaceSameIteration = false): void {
    if (this.#stopped) return
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
    const frames = await client.listFrames(this.ref, this.#abort.signal)
    const sorted = [...frames].sort((a, b) => a.seq - b.seq)
    if (!this.#stopped) {
      const lastStored = sorted[sorted.length - 1]?.iteration ?? -1
      this.history = [...sorted, ...this.history.filter((entry) => entry.iteration > lastStored)]
    }
    return sorted
  }

  /** Fetches the newest stored frame when it is newer than the one shown; returns whether one was found. */
  async #fetchLatestFrame(): Promise<boolean> {
    const frames = await client.listFrames(this.ref, this.#abort.signal)
    if (frames.length === 0) return false
    const latest = frames.reduce((a, b) => (b.seq > a.seq ? b : a))
    if (this.frame && latest.iteration <= this.frame.iteration) return true
    const bytes = await client.getFrame(this.ref, latest.seq, this.#abort.signal)
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
      const bytes = await client.download(this.ref, 'embedding.npy', this.#abort.signal)
      this.#acceptFrame(frameFromNpy(bytes, Math.max(total, this.frame?.iteration ?? 0)), true)
    } catch (error) {
      if (!this.frame && !this.#stopped) this.frameError = `The final map could not be loaded: ${errorMessage(error)}`
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
        const { classes, codes } = await client.getLabels(this.ref, this.#abort.signal)
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
