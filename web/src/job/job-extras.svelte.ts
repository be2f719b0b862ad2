/**
 * @module What the viewer loads about a job beyond its frames and labels, each once and only when the
 * job has it: metadata columns (as soon as the worker has parsed them), the worker's per-point quality and
 * original-space neighbours (finished jobs; neighbours on first use), and image thumbnails (model jobs).
 */
import { ConstellateError, type JobRef } from '@constellate/client'
import { thumbnailTile, type Job, type JobMetadata, type ThumbnailIndex } from '@constellate/shared'
import { client } from '../app/client.ts'
import { errorMessage } from '../app/error-message.ts'

export interface Neighbours {
  k: number
  /** Row-major n x k point indices, nearest first. */
  indices: Int32Array
}

export class JobExtras {
  metadata = $state.raw<JobMetadata | null>(null)
  /** The worker's per-point quality of each map loaded so far (key: layer index; 0 is the job's own map). */
  qualities = $state.raw<ReadonlyMap<number, Float32Array>>(new Map())
  thumbnails = $state.raw<ThumbnailIndex | null>(null)
  /** Problems loading any of them, in plain words (the map still works without). */
  error = $state<string | null>(null)
  readonly #ref: JobRef
  readonly #abort = new AbortController()
  readonly #requested = new Set<string>()
  readonly #neighbours = new Map<number, Promise<Neighbours | null>>()
  #finished = false

  constructor(ref: JobRef) {
    this.#ref = ref
  }

  /** Call with every job update and layer change; starts the loads the job now allows for map `layer`. */
  update(job: Job, layer = 0): void {
    const finished = job.status === 'succeeded'
    this.#finished = finished
    const hasMetadata = Boolean(job.metadata) || (job.featureUploads?.length ?? 1) > 1
    if (hasMetadata && (job.progress?.metadataReady || finished)) {
      this.#once('metadata', async (signal) => {
        this.metadata = await client.getMetadata(this.#ref, signal)
      })
    }
    if (finished && job.results?.qualityPointsNpy) {
      this.#once(`quality:${layer}`, async (signal) => {
        const quality = await client.getPointQuality(this.#ref, signal, layer)
        this.qualities = new Map(this.qualities).set(layer, quality)
      })
    }
    if (finished && job.model) {
      this.#once('thumbnails', async (signal) => {
        this.thumbnails = await client.getThumbnails(this.#ref, signal)
      }, true)
    }
  }

  /** Whether original-space neighbours can be loaded for this job. */
  canLoadNeighbours(job: Job | null): boolean {
    return Boolean(job && job.status === 'succeeded' && job.results?.neighboursNpy)
  }

  /** Loads the original-space neighbours of map `layer` (once each); null when the job has none. */
  loadNeighbours(layer = 0): Promise<Neighbours | null> {
    if (!this.#finished) return Promise.resolve(null)
    let pending = this.#neighbours.get(layer)
    if (!pending) {
      pending = client
        .getNeighbours(this.#ref, this.#abort.signal, layer)
        .then(({ k, indices }) => ({ k, indices }))
        .catch((error) => {
          this.#neighbours.delete(layer)
          this.error = `Neighbours could not be loaded: ${errorMessage(error)}`
          return null
        })
      this.#neighbours.set(layer, pending)
    }
    return pending
  }

  /** CSS for point i's thumbnail as a sprite (sheet URL and position), or null. */
  thumbnailStyle(i: number, shownSize = 64): { url: string; position: string; size: string; side: number } | null {
    const index = this.thumbnails
    if (!index || i < 0 || i >= index.count) return null
    const tile = thumbnailTile(index, i)
    const scale = shownSize / tile.size
    const [x, y] = [tile.x * scale, tile.y * scale]
    return {
      url: client.thumbnailSheetUrl(this.#ref, tile.sheet),
      position: `-${x}px -${y}px`,
      // The last sheet holds only the rows it uses: scale by width and keep the sheet's own aspect ratio.
      size: `${index.columns * index.tileSize * scale}px auto`,
      side: shownSize,
    }
  }

  stop(): void {
    this.#abort.abort()
  }

  #once(key: string, load: (signal: AbortSignal) => Promise<void>, quietIfMissing = false): void {
    if (this.#requested.has(key)) return
    this.#requested.add(key)
    load(this.#abort.signal).catch((error) => {
      if (this.#abort.signal.aborted) return
      // A job without thumbnails (e.g. .npy inputs) answers 404: nothing to show, nothing to report.
      if (quietIfMissing && /no thumbnails|not_ready|404/i.test(`${error instanceof ConstellateError ? error.code : ''} ${errorMessage(error)}`)) return
      this.#requested.delete(key)
      this.error = `Some map data could not be loaded: ${errorMessage(error)}`
    })
  }
}
