/**
 * @module Categorical colours for labels: Tableau 10, then the rest of Tableau 20, then generated hues
 * (golden-angle steps in OKLCH at alternating lightness) so any number of classes stays distinguishable.
 * Colours are opaque `#rrggbb` so a pixel on the canvas reads back as exactly its class colour.
 */

/** Tableau 10, the default for up to ten classes. */
export const TABLEAU_10 = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f',
  '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac',
] as const

/** The ten Tableau 20 colours that Tableau 10 lacks, ordered so neighbours differ in hue. */
export const TABLEAU_20_EXTRA = [
  '#a0cbe8', '#ffbe7d', '#8cd17d', '#b6992d', '#499894',
  '#ff9d9a', '#79706e', '#d37295', '#d4a6c8', '#d7b5a6',
] as const

/** Colour for points without labels. */
export const UNLABELLED_COLOR = '#3f6fa5'
/** Colour for points whose label is missing (code < 0). */
export const MISSING_LABEL_COLOR = '#9aa0a6'

const GOLDEN_ANGLE_DEGREES = 137.50776405

/**
 * The colour of class `index` (0-based). The first 20 are Tableau's; later ones are generated
 * deterministically and never repeat an earlier colour.
 */
export function categoricalColor(index: number): string {
  if (index < 0) return MISSING_LABEL_COLOR
  if (index < TABLEAU_10.length) return TABLEAU_10[index]!
  const extra = index - TABLEAU_10.length
  if (extra < TABLEAU_20_EXTRA.length) return TABLEAU_20_EXTRA[extra]!
  const k = extra - TABLEAU_20_EXTRA.length
  const hue = (20 + k * GOLDEN_ANGLE_DEGREES) % 360
  const lightness = [0.62, 0.5, 0.74][k % 3]!
  const chroma = [0.15, 0.13, 0.11][Math.floor(k / 3) % 3]!
  return oklchToHex(lightness, chroma, hue)
}

/**
 * A palette of `count` distinct colours. Generated colours that happen to round onto an earlier one are
 * nudged one step in blue so every class keeps its own exact RGB value.
 */
export function categoricalPalette(count: number): string[] {
  const seen = new Set<string>()
  const palette: string[] = []
  for (let i = 0; i < count; i++) {
    let color = categoricalColor(i)
    while (seen.has(color)) color = nudge(color)
    seen.add(color)
    palette.push(color)
  }
  return palette
}

function nudge(hex: string): string {
  const [r, g, b] = hexToRgb(hex)
  return rgbToHex(r, g, b < 255 ? b + 1 : b - 1)
}

/** `#rrggbb` → [r, g, b] in 0..255. */
export function hexToRgb(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16)
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255]
}

export function rgbToHex(r: number, g: number, b: number): string {
  return '#' + [r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')
}

/** OKLCH (lightness 0..1, chroma, hue in degrees) → sRGB hex, clipped to gamut. */
export function oklchToHex(lightness: number, chroma: number, hueDegrees: number): string {
  const h = (hueDegrees * Math.PI) / 180
  const a = chroma * Math.cos(h)
  const b = chroma * Math.sin(h)
  const l_ = lightness + 0.3963377774 * a + 0.2158037573 * b
  const m_ = lightness - 0.1055613458 * a - 0.0638541728 * b
  const s_ = lightness - 0.0894841775 * a - 1.291485548 * b
  const l = l_ ** 3
  const m = m_ ** 3
  const s = s_ ** 3
  const linear = [
    4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
    -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
    -0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s,
  ]
  const [r, g, bl] = linear.map((c) => {
    const clipped = Math.min(1, Math.max(0, c))
    const encoded = clipped <= 0.0031308 ? 12.92 * clipped : 1.055 * clipped ** (1 / 2.4) - 0.055
    return encoded * 255
  }) as [number, number, number]
  return rgbToHex(r, g, bl)
}
