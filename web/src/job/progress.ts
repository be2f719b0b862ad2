/**
 * @module How far the run is, as the progress panel, the timeline and the page title show it: iterations
 * done of the total, the KL divergence of the frame on screen, and a percentage. A replayed frame shows
 * its own iteration and KL; a succeeded job is complete.
 */
import type { FrameInfo } from '@constellate/client'
import type { Frame, Job } from '@constellate/shared'

export interface RunProgress {
  /** Iterations the run makes in all (0 while unknown). */
  total: number
  /** Iterations done, as the progress bar shows them (the run's, never a replayed frame's). */
  done: number
  /** The iteration of the frame on screen. */
  iteration: number
  /** KL divergence of the frame on screen; null when not computed. */
  kl: number | null
  /** `iteration` of `total`, 0..100. */
  percent: number
}

/**
 * `shown`: the frame on screen (null before the first); `replayed`: the replay's frame and its stored entry
 * while a stored frame of an ended run is shown instead of the final map.
 */
export function runProgress(job: Job | null, shown: Frame | null, replayed: { frame: Frame; stored: FrameInfo | undefined } | null): RunProgress {
  const progress = job?.progress ?? null
  const total = progress?.totalIterations || job?.params.iterations || 0
  const done = job?.status === 'succeeded' ? total : Math.min(progress?.iteration ?? 0, total)
  const iteration = replayed ? replayed.frame.iteration : done
  const kl = replayed
    ? Number.isFinite(replayed.frame.kl)
      ? replayed.frame.kl
      : (replayed.stored?.kl ?? null)
    : (progress?.kl ?? (shown && Number.isFinite(shown.kl) ? shown.kl : null))
  return { total, done, iteration, kl, percent: total > 0 ? Math.round((100 * iteration) / total) : 0 }
}
