/**
 * @module What colour each point is drawn in: by label class (categorical palette), by a numeric value per
 * point (continuous colour scale), or one colour; hidden classes get alpha 0 and, while something is
 * emphasised (a selection, search matches), every other point is faded towards white.
 */
import { hexToRgb, MISSING_LABEL_COLOR, UNLABELLED_COLOR } from './palette.ts'

export interface PointStyle {
  /** Class per point (length n) and colour per class; null colours every point alike. */
  codes: ArrayLike<number> | null
  palette: readonly string[]
  /** Classes not drawn. */
  hidden: ReadonlySet<number>
  /** When set, points are coloured by these values through `scale` instead of by class. */
  values?: ArrayLike<number> | null
  valueRange?: [number, number]
  /** Whether points outside `emphasised` are faded (true while a selection or search is active). */
  fadeOthers: boolean
  /** Per-point flag (length n), 1 = emphasised; only read when fadeOthers. */
  emphasised?: Uint8Array | null
}

/** How far faded points move towards white, 0..1. */
export const FADE = 0.78

/**
 * RGBA per point (length n*4) for `style`; reuses `out` when it has the right length. O(n).
 */
export function pointColors(n: number, style: PointStyle, out?: Uint8Array): Uint8Array {
  const rgba = out && out.length === n * 4 ? out : new Uint8Array(n * 4)
  const classRgb = style.palette.map(hexToRgb)
  const missing = hexToRgb(MISSING_LABEL_COLOR)
  const single = hexToRgb(UNLABELLED_COLOR)
  const codes = style.codes && style.codes.length === n ? style.codes : null
  const values = style.values && style.values.length === n ? style.values : null
  const [low, high] = style.valueRange ?? [0, 1]
  const span = high - low || 1
  const fade = style.fadeOthers
  const emphasised = style.emphasised
  for (let i = 0; i < n; i++) {
    const code = codes ? codes[i]! : -1
    let rgb: readonly number[]
    // a point without a value (NaN) is drawn like a missing label
    if (values) rgb = Number.isNaN(values[i]!) ? missing : sequentialColor((values[i]! - low) / span)
    else if (codes) rgb = code >= 0 && code < classRgb.length ? classRgb[code]! : missing
    else rgb = single
    let r = rgb[0]!
    let g = rgb[1]!
    let b = rgb[2]!
    if (fade && !(emphasised && emphasised[i])) {
      r = Math.round(r + (255 - r) * FADE)
      g = Math.round(g + (255 - g) * FADE)
      b = Math.round(b + (255 - b) * FADE)
    }
    rgba[i * 4] = r
    rgba[i * 4 + 1] = g
    rgba[i * 4 + 2] = b
    rgba[i * 4 + 3] = codes && style.hidden.has(code) ? 0 : 255
  }
  return rgba
}

/** Viridis stops (matplotlib), evenly spaced over [0, 1]. */
const VIRIDIS = [
  [68, 1, 84], [72, 35, 116], [64, 67, 135], [52, 94, 141], [41, 120, 142],
  [32, 144, 140], [34, 167, 132], [68, 190, 112], [121, 209, 81], [189, 222, 38], [253, 231, 37],
] as const

/** Viridis colour of t in [0, 1] (clamped; NaN gives grey), as [r, g, b]. Perceptually uniform, colour-blind safe. */
export function sequentialColor(t: number): [number, number, number] {
  if (!Number.isFinite(t)) return [154, 160, 166]
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1)
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x))
  const f = x - i
  const a = VIRIDIS[i]!
  const b = VIRIDIS[i + 1]!
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)]
}

/** CSS linear-gradient stops for the legend of the continuous scale. */
export function sequentialGradient(): string {
  return VIRIDIS.map(([r, g, b], i) => `rgb(${r} ${g} ${b}) ${Math.round((100 * i) / (VIRIDIS.length - 1))}%`).join(', ')
}
