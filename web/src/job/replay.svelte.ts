/**
 * @module Replaying a finished run: seek to any stored frame, play them in order, with a bounded cache of
 * decoded frames. Position `frames.length` means "the final map" (the live job's own frame).
 */
import { CLIENT_ERROR_CODES, ConstellateError, type FrameInfo, type JobRef } from '@constellate/client'
import { decodeFrame, type Frame } from '@constellate/shared'
import { client } from '../app/client.ts'
import { errorMessage } from '../app/error-message.ts'

/** Decoded frames kept for scrubbing back and forth, in bytes of coordinates. */
export const REPLAY_CACHE_BYTES = 256 * 1024 * 1024
/** Time per frame while playing, milliseconds. */
export const REPLAY_STEP_MS = 160

export class Replay {
  readonly #ref: JobRef
  frames = $state.raw<FrameInfo[]>([])
  /** Index into `frames`; `frames.length` shows the final map. */
  position = $state(0)
  playing = $state(false)
  /** The frame to show while replaying; null shows the final map. */
  frame = $state.raw<Frame | null>(null)
  error = $state<string | null>(null)
  readonly #cache = new Map<number, Frame>()
  #cacheBytes = 0
  #timer: ReturnType<typeof setTimeout> | null = null
  #request = 0
  readonly #abort = new AbortController()

  constructor(ref: JobRef) {
    this.#ref = ref
  }

  setFrames(frames: FrameInfo[]): void {
    this.frames = frames.filter((frame) => frame.seq >= 0)
    this.position = this.frames.length
  }

  get atEnd(): boolean {
    return this.position >= this.frames.length
  }

  /** Shows stored frame `position` (or the final map at frames.length). Later calls win over earlier ones. */
  async seek(position: number): Promise<void> {
    const clamped = Math.max(0, Math.min(this.frames.length, Math.round(position)))
    this.position = clamped
    const request = ++this.#request
    if (clamped >= this.frames.length) {
      this.frame = null
      return
    }
    try {
      const frame = await this.#load(this.frames[clamped]!.seq)
      if (request === this.#request) {
        this.frame = frame
        this.error = null
      }
    } catch (error) {
      if (request === this.#request && !(error instanceof ConstellateError && error.code === CLIENT_ERROR_CODES.aborted)) this.error = `Frame ${clamped + 1} could not be loaded: ${errorMessage(error)}`
    }
  }

  async #load(seq: number): Promise<Frame> {
    const cached = this.#cache.get(seq)
    if (cached) {
      this.#cache.delete(seq)
      this.#cache.set(seq, cached)
      return cached
    }
    const frame = decodeFrame(await client.getFrame(this.#ref, seq, this.#abort.signal))
    this.#cache.set(seq, frame)
    this.#cacheBytes += frame.coords.byteLength
    for (const [key, value] of this.#cache) {
      if (this.#cacheBytes <= REPLAY_CACHE_BYTES || key === seq) break
      this.#cache.delete(key)
      this.#cacheBytes -= value.coords.byteLength
    }
    return frame
  }

  /** Plays from the current position (from the start when at the end) to the final map. */
  play(): void {
    if (this.frames.length === 0) return
    if (this.atEnd) void this.seek(0)
    this.playing = true
    this.#schedule()
  }

  pause(): void {
    this.playing = false
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
  }

  #schedule(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = setTimeout(async () => {
      this.#timer = null
      if (!this.playing) return
      await this.seek(this.position + 1)
      if (this.atEnd) this.playing = false
      else {
        // Fetch the next one while this one is shown.
        const next = this.frames[this.position + 1]
        if (next) void this.#load(next.seq).catch(() => undefined)
        this.#schedule()
      }
    }, REPLAY_STEP_MS)
  }

  /** Every stored frame in order (for animation export); reuses the cache. */
  async *all(): AsyncGenerator<Frame> {
    for (const info of this.frames) yield await this.#load(info.seq)
  }

  stop(): void {
    this.pause()
    this.#abort.abort()
    this.#cache.clear()
    this.#cacheBytes = 0
  }
}
