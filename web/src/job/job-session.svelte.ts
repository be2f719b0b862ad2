/**
 * @module Everything the job page loads about one job, and when: the live job (status, frames, labels),
 * the extras (metadata, quality, neighbours, thumbnails), a model job's layer maps, and the replay of the
 * stored frames once the run has ended; plus which frame is shown (a layer's, the replay's or the live one).
 * Create it while a component initialises: it keeps its loads in step with the job through effects.
 */
import type { JobRef } from '@constellate/client'
import { untrack } from 'svelte'
import { client } from '../app/client.ts'
import { errorMessage } from '../app/error-message.ts'
import { JobExtras } from './job-extras.svelte.ts'
import { isActive, neighbourSpaceText } from './job-text.ts'
import { LayerMaps } from './layer-maps.svelte.ts'
import { LiveJob } from './live-job.svelte.ts'
import { runProgress } from './progress.ts'
import { Replay } from './replay.svelte.ts'
import type { ViewState } from './view-hash.ts'

export class JobSession {
  readonly ref: JobRef
  readonly live: LiveJob
  readonly extras: JobExtras
  readonly layers: LayerMaps
  /** The replay of the stored frames, once the run has ended and they are listed. */
  replay = $state<Replay | null>(null)
  cancelling = $state(false)
  cancelError = $state<string | null>(null)

  readonly job = $derived.by(() => this.live.job)
  readonly ended = $derived(this.job !== null && !isActive(this.job.status))
  readonly labels = $derived.by(() => this.live.labels)
  /** A model job has one map per layer: the first is live and replayable, the others are loaded when shown. */
  readonly isModelJob = $derived(Boolean(this.job?.model))
  readonly layerIndex = $derived.by(() => this.layers.index)
  readonly shownLayer = $derived.by(() => this.layers.shown)
  /** The map shown: the chosen layer's final map, else the replayed frame, else the live (or final) one. */
  readonly frame = $derived.by(() => (this.layerIndex > 0 ? this.layers.frame : (this.replay?.frame ?? this.live.frame)))
  /** How far the run is (iterations, KL, percent), for the frame on screen. */
  readonly progress = $derived.by(() => {
    const replay = this.replay
    const replayed = replay?.frame ? { frame: replay.frame, stored: replay.frames[replay.position] } : null
    return runProgress(this.job, this.frame, replayed)
  })
  /** Loads the shown map's neighbours in its original space (each layer of a model job has its own); absent when the job has none. */
  readonly loadOriginalNeighbours = $derived.by(() => {
    const layer = this.layerIndex
    return this.extras.canLoadNeighbours(this.job) ? () => this.extras.loadNeighbours(layer) : undefined
  })
  /** Where those neighbours were found, in words. */
  readonly neighbourSpace = $derived.by(() => {
    const layer = this.isModelJob ? (this.layers.list?.layers.find((entry) => entry.index === this.layerIndex) ?? null) : null
    return neighbourSpaceText(this.job, layer)
  })
  /** File name stem for downloads: the job id, and the layer's name when a model job has several. */
  readonly stem = $derived.by(() => {
    const job = this.job
    if (!job) return 'constellate'
    const layer = this.shownLayer
    const several = layer && this.layers.list && this.layers.list.layers.length > 1
    return `constellate-${job.id}${several ? `-${layer.name.replace(/[^A-Za-z0-9._-]+/g, '_')}` : ''}`
  })

  /** `initial`: the view in the URL, for the layer shown and the replay position. */
  constructor(ref: JobRef, initial: ViewState) {
    this.ref = ref
    this.live = new LiveJob(ref)
    this.extras = new JobExtras(ref)
    this.layers = new LayerMaps(ref, initial)

    $effect(() => {
      untrack(() => this.live.start())
      return () => {
        this.live.stop()
        this.extras.stop()
        this.layers.stop()
        this.replay?.stop()
      }
    })
    $effect(() => {
      const job = this.live.job
      const layer = this.layerIndex
      if (job) untrack(() => this.extras.update(job, layer))
    })
    $effect(() => {
      const job = this.live.job
      if (job) untrack(() => this.layers.sync(job))
    })
    // Once the run has ended, its stored frames can be replayed.
    $effect(() => {
      if (!this.ended || this.replay) return
      const replay = new Replay(ref)
      void this.live
        .loadHistory()
        .then((frames) => {
          replay.setFrames(frames)
          this.replay = replay
          if (initial.frame !== undefined && initial.frame < frames.length) void replay.seek(initial.frame)
        })
        .catch(() => undefined)
    })
  }

  /** Cancels the job (owner only) and shows the cancelled record at once. */
  async cancel(): Promise<void> {
    const job = this.job
    if (!job || typeof this.ref !== 'string') return
    this.cancelling = true
    this.cancelError = null
    try {
      this.live.updateJob(await client.cancelJob(job.id))
    } catch (error) {
      this.cancelError = errorMessage(error)
    } finally {
      this.cancelling = false
    }
  }
}
