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
/** How many colours past Tableau 20 are picked greedily for distinctness; beyond, hues step by the golden angle. */
const GREEDY_EXTRA = 236

let greedyExtra: string[] | null = null

/**
 * Colours after Tableau 20, each chosen from an in-gamut OKLCH grid as the candidate farthest (in OKLab)
 * from every colour already used, so class 21 differs from all 20 before it as much as possible.
 */
function greedyExtraColors(): string[] {
  if (greedyExtra) return greedyExtra
  const candidates: { hex: string; lab: [number, number, number] }[] = []
  for (const lightness of [0.48, 0.58, 0.68, 0.78]) {
    for (const chroma of [0.08, 0.12, 0.16]) {
      for (let hue = 0; hue < 360; hue += 10) {
        const rgb = oklchToRgb(lightness, chroma, hue)
        if (rgb.some((c) => c < 0 || c > 1)) continue
        const hex = rgbToHex(...(rgb.map((c) => c * 255) as [number, number, number]))
        candidates.push({ hex, lab: hexToOklab(hex) })
      }
    }
  }
  const used = [...TABLEAU_10, ...TABLEAU_20_EXTRA, '#ffffff'].map(hexToOklab)
  const nearest = candidates.map((candidate) => Math.min(...used.map((lab) => labDistance(lab, candidate.lab))))
  const taken = new Set<number>()
  const picked: string[] = []
  while (picked.length < GREEDY_EXTRA && taken.size < candidates.length) {
    let best = -1
    for (let i = 0; i < candidates.length; i++) if (!taken.has(i) && (best < 0 || nearest[i]! > nearest[best]!)) best = i
    taken.add(best)
    picked.push(candidates[best]!.hex)
    for (let i = 0; i < candidates.length; i++) nearest[i] = Math.min(nearest[i]!, labDistance(candidates[i]!.lab, candidates[best]!.lab))
  }
  greedyExtra = picked
  return picked
}

/**
 * The colour of class `index` (0-based). The first 20 are Tableau's; the next ones are picked to stay as
 * far as possible from all earlier ones; very high indices fall back to golden-angle hues.
 */
export function categoricalColor(index: number): string {
  if (index < 0) return MISSING_LABEL_COLOR
  if (index < TABLEAU_10.length) return TABLEAU_10[index]!
  const extra = index - TABLEAU_10.length
  if (extra < TABLEAU_20_EXTRA.length) return TABLEAU_20_EXTRA[extra]!
  const greedy = greedyExtraColors()
  const k = extra - TABLEAU_20_EXTRA.length
  if (k < greedy.length) return greedy[k]!
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
  const rgb = oklchToRgb(lightness, chroma, hueDegrees).map((c) => Math.min(1, Math.max(0, c)) * 255) as [number, number, number]
  return rgbToHex(...rgb)
}

/** OKLCH → gamma-encoded sRGB in 0..1, not clipped (values outside 0..1 are out of gamut). */
function oklchToRgb(lightness: number, chroma: number, hueDegrees: number): [number, number, number] {
  const h = (hueDegrees * Math.PI) / 180
  const a = chroma * Math.cos(h)
  const b = chroma * Math.sin(h)
  const l = (lightness + 0.3963377774 * a + 0.2158037573 * b) ** 3
  const m = (lightness - 0.1055613458 * a - 0.0638541728 * b) ** 3
  const s = (lightness - 0.0894841775 * a - 1.291485548 * b) ** 3
  const linear = [
    4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
    -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
    -0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s,
  ]
  return linear.map((c) => (Math.abs(c) <= 0.0031308 ? 12.92 * c : Math.sign(c) * (1.055 * Math.abs(c) ** (1 / 2.4) - 0.055))) as [
    number,
    number,
    number,
  ]
}

/** `#rrggbb` → OKLab [L, a, b]. */
export function hexToOklab(hex: string): [number, number, number] {
  const [r, g, b] = hexToRgb(hex).map((c) => {
    const v = c / 255
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4
  }) as [number, number, number]
  const l = Math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b)
  const m = Math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b)
  const s = Math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b)
  return [
    0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s,
    1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s,
    0.0259040371 * l + 0.7827717662 * m - 0.808675778 * s,
  ]
}

/** Perceptual difference of two OKLab colours (about 0.02 is just noticeable). */
export function labDistance(a: readonly number[], b: readonly number[]): number {
  return Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!)
}
