/**
 * @module Figures for papers: the current view redrawn at any pixel size on white, with an optional legend
 * column and class names, as a raster (canvas → PNG) or as SVG. Uses the same camera and colours as the
 * screen, so the figure shows what the user framed.
 */
import { projection, type Camera, type ViewMode } from '../../viewer/camera.ts'
import { sequentialColor } from '../../viewer/point-style.ts'
import { SoftPoints } from '../../viewer/render/soft-points.ts'
import { mapExtent, MAP_MARGIN } from '../../viewer/scatter-renderer.ts'

export interface FigureInput {
  coords: Float32Array
  n: number
  dims: 2 | 3
  mode: ViewMode
  camera: Camera
  /** RGBA per point as drawn on screen (alpha 0 = hidden). */
  colors: Uint8Array
  /** Emphasised points, drawn with a ring. */
  overlay: Uint32Array
  /** Point diameter on screen in device pixels and the smaller side of the screen canvas in device pixels. */
  screenDiameter: number
  screenMinSide: number
  /** Legend rows (visible classes); empty for no legend. */
  legend: { name: string; color: string; count: number }[]
  /** Class names at cluster centres in data coordinates; empty for none. */
  names: { name: string; centre: number[] }[]
  /** Optional title line above the legend. */
  title?: string
  /** A continuous colour scale (viridis) to explain instead of class rows. */
  scale?: { title: string; low: string; high: string }
}

export interface FigureLayout {
  width: number
  height: number
  mapWidth: number
  fontPx: number
  legendX: number
}

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, sans-serif'

/** Splits the figure into the map and a legend column; text is 8 pt at `dpi`, within what fits. */
export function figureLayout(width: number, height: number, dpi: number, legendRows: number, longestName: number): FigureLayout {
  const rows = legendRows + (legendRows > 0 ? 2 : 0)
  let fontPx = Math.round((dpi * 8) / 72)
  if (rows > 0) fontPx = Math.min(fontPx, Math.floor((height * 0.92) / (rows * 1.5)))
  fontPx = Math.max(6, fontPx)
  const legendWidth = legendRows > 0 ? Math.min(Math.round(width * 0.4), Math.round(fontPx * (2.6 + 0.58 * Math.min(28, longestName + 7)))) : 0
  return { width, height, mapWidth: width - legendWidth, fontPx, legendX: width - legendWidth + Math.round(fontPx * 0.6) }
}

function mapProjection(input: FigureInput, mapWidth: number, height: number) {
  const scale = Math.min(mapWidth, height) / Math.max(1, input.screenMinSide)
  const diameter = Math.max(1, input.screenDiameter * scale)
  const extent = mapExtent(input.coords, input.n, input.dims)
  const margin = MAP_MARGIN * scale + diameter / 2
  return { p: projection(extent, input.dims === 3 ? input.mode : '2d', input.camera, mapWidth, height, margin), diameter }
}

/** The figure on a new canvas of `width` x `height` pixels (white background). */
/** Legend rows and longest text, counting a colour scale as three rows. */
function legendSize(input: FigureInput): [number, number] {
  if (input.scale) return [3, Math.max(input.scale.title.length / 2, 12)]
  return [input.legend.length, Math.max(0, ...input.legend.map((row) => row.name.length))]
}

export function renderFigure(input: FigureInput, width: number, height: number, dpi: number): HTMLCanvasElement {
  const layout = figureLayout(width, height, dpi, ...legendSize(input))
  const canvas = document.createElement('canvas')
  canvas.width = width
  canvas.height = height
  const context = canvas.getContext('2d')!
  context.fillStyle = '#ffffff'
  context.fillRect(0, 0, width, height)

  const mapCanvas = document.createElement('canvas')
  const points = new SoftPoints(mapCanvas)
  points.resize(layout.mapWidth, height)
  points.setPositions(input.coords, input.coords, input.n, input.dims)
  points.setColors(input.colors)
  points.setOverlay(input.overlay, -1)
  const { p, diameter } = mapProjection(input, layout.mapWidth, height)
  points.draw(p, { t: 1, size: diameter })
  context.drawImage(mapCanvas, 0, 0)
  points.dispose()

  context.textBaseline = 'middle'
  if (input.names.length > 0) {
    context.font = `600 ${layout.fontPx}px ${FONT}`
    context.textAlign = 'center'
    context.lineJoin = 'round'
    context.lineWidth = Math.max(2, layout.fontPx / 4)
    context.strokeStyle = '#ffffff'
    context.fillStyle = '#1c2430'
    for (const { name, centre } of input.names) {
      const x = p.rowX[0] * centre[0]! + p.rowX[1] * centre[1]! + p.rowX[2] * (centre[2] ?? 0) + p.rowX[3]
      const y = p.rowY[0] * centre[0]! + p.rowY[1] * centre[1]! + p.rowY[2] * (centre[2] ?? 0) + p.rowY[3]
      context.strokeText(name, x, y)
      context.fillText(name, x, y)
    }
  }
  if (input.scale) {
    const { title, low, high } = input.scale
    const barWidth = width - layout.legendX - layout.fontPx
    let y = height / 2 - layout.fontPx * 2
    context.textAlign = 'left'
    context.font = `600 ${layout.fontPx}px ${FONT}`
    context.fillStyle = '#1c2430'
    context.fillText(fitText(context, title, barWidth), layout.legendX, y)
    y += layout.fontPx
    const gradient = context.createLinearGradient(layout.legendX, 0, layout.legendX + barWidth, 0)
    for (let k = 0; k <= 10; k++) gradient.addColorStop(k / 10, `rgb(${sequentialColor(k / 10).join(',')})`)
    context.fillStyle = gradient
    context.fillRect(layout.legendX, y, barWidth, layout.fontPx)
    y += layout.fontPx * 2
    context.font = `${layout.fontPx}px ${FONT}`
    context.fillStyle = '#1c2430'
    context.fillText(low, layout.legendX, y)
    context.textAlign = 'right'
    context.fillText(high, layout.legendX + barWidth, y)
  }
  if (input.legend.length > 0 && !input.scale) {
    context.textAlign = 'left'
    const line = layout.fontPx * 1.5
    let y = Math.max(layout.fontPx, (height - line * (input.legend.length + 1)) / 2)
    context.font = `600 ${layout.fontPx}px ${FONT}`
    context.fillStyle = '#1c2430'
    context.fillText(input.title ?? 'Label', layout.legendX, y)
    context.font = `${layout.fontPx}px ${FONT}`
    const maxText = width - layout.legendX - layout.fontPx * 1.6
    for (const row of input.legend) {
      y += line
      context.fillStyle = row.color
      const swatch = layout.fontPx * 0.9
      context.fillRect(layout.legendX, y - swatch / 2, swatch, swatch)
      context.fillStyle = '#1c2430'
      context.fillText(fitText(context, row.name, maxText), layout.legendX + layout.fontPx * 1.4, y)
    }
  }
  return canvas
}

function fitText(context: CanvasRenderingContext2D, text: string, maxWidth: number): string {
  if (context.measureText(text).width <= maxWidth) return text
  let cut = text.length
  while (cut > 1 && context.measureText(`${text.slice(0, cut)}…`).width > maxWidth) cut--
  return `${text.slice(0, cut)}…`
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/**
 * The figure as SVG text: points as zero-length round-capped strokes, one `<path>` per colour (compact
 * even for large maps), rings for emphasised points, class names and a legend as real text.
 */
export function figureSvg(input: FigureInput, width: number, height: number, dpi: number): string {
  const layout = figureLayout(width, height, dpi, ...legendSize(input))
  const { p, diameter } = mapProjection(input, layout.mapWidth, height)
  const byColor = new Map<number, string[]>()
  const positions = new Float32Array(input.n * 2)
  const { coords, dims } = input
  for (let i = 0; i < input.n; i++) {
    const x = coords[i * dims]!
    const y = coords[i * dims + 1]!
    const z = dims === 3 ? coords[i * dims + 2]! : 0
    positions[i * 2] = p.rowX[0] * x + p.rowX[1] * y + p.rowX[2] * z + p.rowX[3]
    positions[i * 2 + 1] = p.rowY[0] * x + p.rowY[1] * y + p.rowY[2] * z + p.rowY[3]
  }
  // 3-D: far points first so near ones cover them, as on screen.
  let order: number[] = Array.from({ length: input.n }, (_, i) => i)
  if (dims === 3 && input.mode === '3d') {
    const depth = (i: number) => p.rowZ[0] * coords[i * 3]! + p.rowZ[1] * coords[i * 3 + 1]! + p.rowZ[2] * coords[i * 3 + 2]!
    order = order.sort((a, b) => depth(b) - depth(a))
  }
  const paths: string[] = []
  let currentColor = -1
  let current: string[] = []
  const flush = () => {
    if (current.length > 0) paths.push(`<path stroke="${hex(currentColor)}" d="${current.join('')}"/>`)
    current = []
  }
  for (const i of order) {
    if (input.colors[i * 4 + 3]! < 128) continue
    const x = positions[i * 2]!
    const y = positions[i * 2 + 1]!
    if (x < -diameter || y < -diameter || x > layout.mapWidth + diameter || y > height + diameter) continue
    const color = (input.colors[i * 4]! << 16) | (input.colors[i * 4 + 1]! << 8) | input.colors[i * 4 + 2]!
    // 2-D keeps one path per colour (draw order within a colour does not matter); 3-D keeps depth order.
    if (dims === 3 && input.mode === '3d') {
      if (color !== currentColor) {
        flush()
        currentColor = color
      }
      current.push(`M${x.toFixed(1)} ${y.toFixed(1)}h0`)
    } else {
      const list = byColor.get(color) ?? []
      list.push(`M${x.toFixed(1)} ${y.toFixed(1)}h0`)
      byColor.set(color, list)
    }
  }
  flush()
  for (const [color, list] of byColor) paths.push(`<path stroke="${hex(color)}" d="${list.join('')}"/>`)
  const rings = Array.from(input.overlay)
    .filter((i) => i < input.n && input.colors[i * 4 + 3]! >= 128)
    .map((i) => `<circle cx="${positions[i * 2]!.toFixed(1)}" cy="${positions[i * 2 + 1]!.toFixed(1)}" r="${((diameter * 1.5 + 4) / 2).toFixed(1)}" fill="${hex((input.colors[i * 4]! << 16) | (input.colors[i * 4 + 1]! << 8) | input.colors[i * 4 + 2]!)}" stroke="#1c2430" stroke-width="${Math.max(1, diameter / 3).toFixed(1)}"/>`)
  const text: string[] = []
  for (const { name, centre } of input.names) {
    const x = p.rowX[0] * centre[0]! + p.rowX[1] * centre[1]! + p.rowX[2] * (centre[2] ?? 0) + p.rowX[3]
    const y = p.rowY[0] * centre[0]! + p.rowY[1] * centre[1]! + p.rowY[2] * (centre[2] ?? 0) + p.rowY[3]
    text.push(`<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" text-anchor="middle" dominant-baseline="middle" font-weight="600" stroke="#fff" stroke-width="${Math.max(2, layout.fontPx / 4)}" paint-order="stroke" stroke-linejoin="round">${escapeXml(name)}</text>`)
  }
  const defs: string[] = []
  if (input.scale) {
    const barWidth = width - layout.legendX - layout.fontPx
    let y = height / 2 - layout.fontPx * 2
    defs.push(`<linearGradient id="scale">${Array.from({ length: 11 }, (_, k) => `<stop offset="${k * 10}%" stop-color="rgb(${sequentialColor(k / 10).join(',')})"/>`).join('')}</linearGradient>`)
    text.push(`<text x="${layout.legendX}" y="${y.toFixed(1)}" dominant-baseline="middle" font-weight="600">${escapeXml(input.scale.title)}</text>`)
    y += layout.fontPx
    text.push(`<rect x="${layout.legendX}" y="${y.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${layout.fontPx}" fill="url(#scale)"/>`)
    y += layout.fontPx * 2
    text.push(`<text x="${layout.legendX}" y="${y.toFixed(1)}" dominant-baseline="middle">${escapeXml(input.scale.low)}</text>`)
    text.push(`<text x="${(layout.legendX + barWidth).toFixed(1)}" y="${y.toFixed(1)}" text-anchor="end" dominant-baseline="middle">${escapeXml(input.scale.high)}</text>`)
  }
  if (input.legend.length > 0 && !input.scale) {
    const line = layout.fontPx * 1.5
    let y = Math.max(layout.fontPx, (height - line * (input.legend.length + 1)) / 2)
    text.push(`<text x="${layout.legendX}" y="${y.toFixed(1)}" dominant-baseline="middle" font-weight="600">${escapeXml(input.title ?? 'Label')}</text>`)
    for (const row of input.legend) {
      y += line
      const swatch = layout.fontPx * 0.9
      text.push(`<rect x="${layout.legendX}" y="${(y - swatch / 2).toFixed(1)}" width="${swatch.toFixed(1)}" height="${swatch.toFixed(1)}" fill="${row.color}"/>`)
      text.push(`<text x="${(layout.legendX + layout.fontPx * 1.4).toFixed(1)}" y="${y.toFixed(1)}" dominant-baseline="middle">${escapeXml(row.name)}</text>`)
    }
  }
  const inches = (pixels: number) => `${(pixels / dpi).toFixed(3)}in`
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${inches(width)}" height="${inches(height)}" viewBox="0 0 ${width} ${height}">`,
    defs.length > 0 ? `<defs>${defs.join('')}</defs>` : '',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<g fill="none" stroke-linecap="round" stroke-width="${diameter.toFixed(2)}">${paths.join('')}</g>`,
    rings.join(''),
    `<g font-family="${FONT.replaceAll('"', "'")}" font-size="${layout.fontPx}" fill="#1c2430">${text.join('')}</g>`,
    '</svg>',
  ].join('\n')
}

function hex(color: number): string {
  return `#${color.toString(16).padStart(6, '0')}`
}
