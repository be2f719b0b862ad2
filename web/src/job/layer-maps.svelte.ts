/**
 * @module A model job's maps, one per embedded layer: the layer list (once the job has succeeded), which
 * layer is shown (0, the first, is the live and replayable one), whether they are compared side by side,
 * and the other layers' final maps, each loaded once when first shown.
 */
import type { JobRef } from '@constellate/client'
import type { Frame, Job, JobLayer, JobLayers } from '@constellate/shared'
import { client } from '../app/client.ts'
import { errorMessage } from '../app/error-message.ts'
import { frameFromNpy } from './embedding.ts'

export class LayerMaps {
  list = $state.raw<JobLayers | null>(null)
  /** Index of the layer shown (an index in the list; 0 when there is no list). */
  index = $state(0)
  compare = $state(false)
  frames = $state.raw<ReadonlyMap<number, Frame>>(new Map())
  error = $state<string | null>(null)
  readonly #ref: JobRef
  readonly #abort = new AbortController()
  #listRequested = false
  readonly #frameRequested = new Set<number>()

  constructor(ref: JobRef, initial: { layer?: number; compare?: boolean } = {}) {
    this.#ref = ref
    this.index = initial.layer ?? 0
    this.compare = initial.compare ?? false
  }

  /** The shown layer's entry, once the list is loaded. */
  get shown(): JobLayer | null {
    return this.list?.layers.find((layer) => layer.index === this.index) ?? null
  }

  /** The shown layer's final map when it is not the first (whose frames come live or from the replay). */
  get frame(): Frame | null {
    return this.index > 0 ? (this.frames.get(this.index) ?? null) : null
  }

  /** How many layers the job embeds: from the list, else from the request (none named: the default one). */
  count(job: Job): number {
    return this.list ? this.list.layers.length : (job.model?.layers?.length ?? 1)
  }

  /** Call with every job update: loads the list once a model job has succeeded, then the shown layer's map. */
  sync(job: Job): void {
    if (!job.model || job.status !== 'succeeded' || this.#listRequested) return
    this.#listRequested = true
    client
      .jobLayers(this.#ref, this.#abort.signal)
      .then((listed) => {
        this.list = listed
        if (!listed.layers.some((layer) => layer.index === this.index)) this.index = 0
        this.show(this.index, this.compare)
      })
      .catch((error) => {
        this.#listRequested = false
        if (!this.#abort.signal.aborted) this.error = errorMessage(error)
      })
  }

  /** Shows layer `index` (loading its map the first time), alone or side by side with the others. */
  show(index: number, compare = false): void {
    this.index = index
    this.compare = compare
    const layer = this.shown
    if (index === 0 || !layer || this.#frameRequested.has(index)) return
    this.#frameRequested.add(index)
    this.error = null
    client
      .downloadLayer(this.#ref, index, 'embedding.npy', this.#abort.signal)
      .then((bytes) => {
        this.frames = new Map(this.frames).set(index, frameFromNpy(bytes, layer.iterations))
      })
      .catch((error) => {
        this.#frameRequested.delete(index)
        if (!this.#abort.signal.aborted) this.error = `The map of layer ${layer.name} could not be loaded: ${errorMessage(error)}`
      })
  }

  stop(): void {
    this.#abort.abort()
  }
}
