/** @module The KL-divergence curve of a run as an SVG path, for the timeline. */
import type { FrameInfo } from '@constellate/client'

/**
 * SVG path data for KL against iteration in a `width` x `height` box (x from 0 to `total` iterations,
 * y from the smallest to the largest KL, larger KL higher). Frames without KL are skipped. '' when fewer
 * than two frames have KL.
 */
export function klPath(frames: readonly FrameInfo[], total: number, width: number, height: number): string {
  const points = frames.filter((f): f is FrameInfo & { kl: number } => typeof f.kl === 'number' && Number.isFinite(f.kl))
  if (points.length < 2) return ''
  let low = Infinity
  let high = -Infinity
  for (const p of points) {
    low = Math.min(low, p.kl)
    high = Math.max(high, p.kl)
  }
  const span = high - low || 1
  const maxIteration = Math.max(total, points[points.length - 1]!.iteration, 1)
  return points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${((p.iteration / maxIteration) * width).toFixed(1)},${(height - 2 - ((p.kl - low) / span) * (height - 4)).toFixed(1)}`)
    .join('')
}
