/** @module Words for a job's state, shown on the job page and in the recent jobs list. */
import type { Job, JobStatus } from '@constellate/shared'

export const ACTIVE_STATUSES: readonly JobStatus[] = ['queued', 'running']

export function isActive(status: JobStatus): boolean {
  return ACTIVE_STATUSES.includes(status)
}

const STAGE_WORDS: Record<string, string> = {
  queued: 'Waiting for a worker',
  leased: 'Starting',
  starting: 'Starting',
  loading: 'Reading the inputs',
  inputs: 'Reading the inputs',
  reading: 'Reading the inputs',
  labels: 'Reading the labels',
  pca: 'Reducing dimensions with PCA',
  knn: 'Finding nearest neighbours',
  affinities: 'Computing affinities',
  init: 'Placing the starting layout',
  exaggeration: 'Separating clusters (early exaggeration)',
  early_exaggeration: 'Separating clusters (early exaggeration)',
  optimise: 'Refining the layout',
  optimize: 'Refining the layout',
  tsne: 'Refining the layout',
  quality: 'Measuring quality',
  writing: 'Saving results',
  saving: 'Saving results',
  results: 'Saving results',
  done: 'Done',
}

/** A readable name for a worker stage; unknown stages are shown as their own words. */
export function stageText(stage: string): string {
  const known = STAGE_WORDS[stage.toLowerCase()]
  if (known) return known
  const words = stage.replace(/[_-]+/g, ' ').trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

export const STATUS_TEXT: Record<JobStatus, string> = {
  queued: 'Waiting in the queue for a worker.',
  running: 'The map is forming.',
  succeeded: 'Finished. The final map is shown.',
  failed: 'The job failed.',
  cancelled: 'The job was cancelled.',
}

/** "2,000 × 784" or null when the shape is not known yet. */
export function shapeText(job: Pick<Job, 'n' | 'd'>): string | null {
  if (job.n === null) return null
  return job.d === null ? `${job.n.toLocaleString('en-US')} points` : `${job.n.toLocaleString('en-US')} × ${job.d.toLocaleString('en-US')}`
}

/** "just now", "5 min ago", "3 h ago", or the date. */
export function timeAgo(iso: string, now: number = Date.now()): string {
  const then = Date.parse(iso)
  if (!Number.isFinite(then)) return ''
  const seconds = Math.max(0, Math.round((now - then) / 1000))
  if (seconds < 45) return 'just now'
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `${minutes} min ago`
  const hours = Math.round(minutes / 60)
  if (hours < 24) return `${hours} h ago`
  return new Date(then).toISOString().slice(0, 10)
}

/**
 * Where the worker found each point's neighbours (manifest), for the selection panel's hint: the input,
 * or its PCA space when it has more dimensions than `pcaDims`; for a model job's layer, that layer's features.
 */
export function neighbourSpaceText(job: { d: number | null; params: { pcaDims?: number } } | null, layer: { name: string; d: number } | null): string {
  const pca = job?.params.pcaDims ?? 50
  const d = layer ? layer.d : (job?.d ?? null)
  const what = layer ? `layer ${layer.name}'s features` : 'the input'
  return d !== null && d > pca ? `the ${pca}-dim PCA space of ${what}` : layer ? what : 'the input feature space'
}
