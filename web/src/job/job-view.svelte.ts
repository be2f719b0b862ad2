/**
 * @module How the shown map is coloured, searched and overlaid: the colouring chosen (labels, a metadata
 * column, a value per point) and what follows from it (grouping, palette, value scale, legend), the search
 * and its matches, the points drawn on top (selection, matches, a point's neighbours) and the tooltip and
 * CSV lines about a point. Create it while a component initialises: its rules run as effects.
 */
import { untrack } from 'svelte'
import { categoricalPalette } from '../viewer/palette.ts'
import type { PointStyle } from '../viewer/point-style.ts'
import type { CsvColumn } from '../viewer/selection.ts'
import type { ViewerState } from '../viewer/viewer-state.svelte.ts'
import { colourOptions, groupingFor, metadataLines, searchPoints, valueScaleFor, type ColorBy, type ColourSources } from './colouring.ts'
import type { JobSession } from './job-session.svelte.ts'
import { AGREEMENT_K, mapNeighbourAgreement } from './map-quality.ts'

/** How long the page may paint the choice before computing map neighbour agreement (which can take a moment), ms. */
const AGREEMENT_DELAY_MS = 30

export class JobView {
  readonly #session: JobSession
  readonly #view: ViewerState
  colorBy = $state<ColorBy>('label')
  search = $state('')
  /** Per-point neighbour agreement of the map's labels, computed here when asked for. */
  agreement = $state.raw<Float32Array | null>(null)
  #agreementFor: unknown = null

  readonly #frame = $derived.by(() => this.#session.frame)
  /** The labels, when they fit the shown map. */
  readonly labelSet = $derived.by(() => {
    const labels = this.#session.labels
    const frame = this.#frame
    return labels && frame && labels.codes.length === frame.n ? labels : null
  })
  /** The metadata columns, when they fit the shown map. */
  readonly metadata = $derived.by(() => {
    const metadata = this.#session.extras.metadata
    const frame = this.#frame
    return metadata && frame && metadata.n === frame.n ? metadata : null
  })
  readonly sources = $derived.by<ColourSources>(() => ({
    labels: this.labelSet,
    metadata: this.metadata,
    quality: this.#fits(this.#session.extras.qualities.get(this.#session.layerIndex)),
    agreement: null,
  }))
  /** What the legend lists and points are hidden by. */
  readonly grouping = $derived(groupingFor(this.colorBy, this.sources))
  readonly codes = $derived(this.grouping && this.#frame && this.grouping.codes.length === this.#frame.n ? this.grouping.codes : null)
  readonly classes = $derived(this.codes ? this.grouping!.classes : null)
  readonly palette = $derived(categoricalPalette(this.grouping?.classes.length ?? 0))
  readonly colorOptions = $derived(colourOptions({ labels: this.labelSet !== null, metadata: this.metadata, quality: this.sources.quality !== null }))
  /** The codes points are coloured by (none when the map is drawn in one colour). */
  readonly styleCodes = $derived(this.colorBy === 'none' ? null : this.codes)
  readonly scale = $derived(valueScaleFor(this.colorBy, { ...this.sources, agreement: this.#fits(this.agreement) }, AGREEMENT_K))
  /** Coloured through a value scale (shown under the map, loading or not). */
  readonly wantsScale = $derived(
    this.colorBy === 'agreement' ||
      this.colorBy === 'quality' ||
      Boolean(this.metadata?.columns.some((column) => column.type === 'continuous' && `meta:${column.name}` === this.colorBy)),
  )
  readonly searchResult = $derived(
    this.#frame ? searchPoints(this.search, this.codes ? this.grouping : null, this.labelSet, this.metadata) : { classes: [], indices: new Uint32Array(0) },
  )
  readonly matchedClasses = $derived(new Set(this.searchResult.classes))
  /** Points drawn on top with a ring: the selection, search matches and the clicked point's neighbours. */
  readonly overlay = $derived.by(() => {
    const parts = [this.#view.selection, this.searchResult.indices, this.#view.neighbourHighlight].filter((part) => part.length > 0)
    if (parts.length <= 1) return parts[0] ?? this.#view.selection
    const union = new Set<number>()
    for (const part of parts) for (const i of part) union.add(i)
    return Uint32Array.from(union)
  })
  readonly #emphasised = $derived.by(() => {
    const frame = this.#frame
    if (!frame || this.overlay.length === 0) return null
    const mask = new Uint8Array(frame.n)
    for (const i of this.overlay) if (i < frame.n) mask[i] = 1
    return mask
  })
  /** How points are coloured beyond their class: values through the scale, the others faded under an overlay. */
  readonly style = $derived<Pick<PointStyle, 'values' | 'valueRange' | 'fadeOthers' | 'emphasised'>>({
    values: this.scale?.values ?? null,
    valueRange: this.scale?.range ?? [0, 1],
    fadeOthers: this.#emphasised !== null,
    emphasised: this.#emphasised,
  })
  /** Tooltip lines: the label when the map is grouped by something else, metadata, and the colouring value. */
  readonly detail = $derived.by(() => {
    const labelSet = this.labelSet
    const grouping = this.grouping
    const metadata = this.metadata
    const showLabel = labelSet && grouping?.title !== 'Labels'
    const valueLine = this.scale && (this.colorBy === 'agreement' || this.colorBy === 'quality') ? this.scale : null
    if (!showLabel && !metadata && !valueLine) return undefined
    return (i: number) => {
      const lines: string[] = []
      if (showLabel) lines.push(`label: ${labelSet.classes[labelSet.codes[i]!] ?? '–'}`)
      lines.push(...metadataLines(metadata, i).filter((line) => !grouping || !line.startsWith(`${grouping.title}: `)))
      if (valueLine) {
        const v = valueLine.values[i]!
        lines.push(`${valueLine.title}: ${Number.isFinite(v) ? v.toFixed(2) : '–'}`)
      }
      return lines
    }
  })
  /** The label and every metadata column, for CSV downloads of points. */
  readonly csvColumns = $derived.by(() => {
    const labelSet = this.labelSet
    const columns: CsvColumn[] = []
    if (labelSet) columns.push({ name: 'label', value: (i) => labelSet.classes[labelSet.codes[i]!] ?? '' })
    for (const col of this.metadata?.columns ?? []) {
      if (col.type === 'categorical') columns.push({ name: col.name, value: (i) => (col.codes[i]! >= 0 ? col.categories[col.codes[i]!]! : '') })
      else columns.push({ name: col.name, value: (i) => (col.values[i] === null ? '' : String(col.values[i])) })
    }
    return columns
  })

  constructor(session: JobSession, view: ViewerState) {
    this.#session = session
    this.#view = view

    // Hidden classes belong to one grouping: choosing another colouring column starts with all shown.
    let groupingTitle: string | null = null
    $effect(() => {
      const title = this.grouping?.title ?? null
      if (groupingTitle !== null && title !== groupingTitle) untrack(() => view.showAll())
      if (title !== null) groupingTitle = title
    })
    // Per-point agreement: computed from the map when asked for.
    $effect(() => {
      const labelCodes = this.labelSet?.codes
      const frame = this.#frame
      if (this.colorBy !== 'agreement' || !frame || !labelCodes) return
      if (this.#agreementFor === frame) return
      this.#agreementFor = frame
      // Let the page paint the choice first; this can take a moment for large maps.
      setTimeout(() => {
        if (this.#agreementFor === frame) this.agreement = mapNeighbourAgreement(frame.coords, frame.n, frame.dims, labelCodes)
      }, AGREEMENT_DELAY_MS)
    })
    // Without labels, a table's first categorical column colours the map.
    $effect(() => {
      if (this.colorBy !== 'label' || this.labelSet || !this.metadata || session.job?.labels) return
      const first = this.metadata.columns.find((column) => column.type === 'categorical')
      if (first) untrack(() => (this.colorBy = `meta:${first.name}`))
    })
  }

  /** `values` when it has one entry per point of the shown map, else null. */
  #fits<T extends { length: number }>(values: T | null | undefined): T | null {
    const frame = this.#frame
    return values && frame && values.length === frame.n ? values : null
  }
}
