/**
 * @module The "features file" form's state: the chosen feature files (in row order), labels and metadata,
 * each inspected in the background; subsampling and parameters with their checks; and submitting (upload
 * each file in turn, start the job, open its page). Kept by the upload page, so it survives switching to
 * the model form and back.
 */
import { ConstellateError } from '@constellate/client'
import type { UploadKind } from '@constellate/shared'
import { client } from '../app/client.ts'
import { errorMessage } from '../app/error-message.ts'
import { navigate } from '../app/router.svelte.ts'
import { jobPath } from '../app/routes.ts'
import { inspectFile, type FileSummary } from '../lib/inspect-file.ts'
import {
  defaultParams,
  defaultSubsample,
  firstParamProblem,
  paramForApiError,
  subsampledPoints,
  subsampleRequest,
  validateParams,
  validateSubsample,
  withServerError,
  type ServerParamError,
} from './params.ts'
import { assignDroppedFiles, checkLabelCount, checkMetadataCount, combineFeatureFiles, sameFile, type DroppedFiles, type FileSlot } from './upload-plan.ts'
import { uploadWithProgress } from './upload-slot.ts'

/** The single-file slots of this form (model jobs have their own kinds). */
export type SideKind = Extract<UploadKind, 'labels' | 'metadata'>

/** What a form can be doing: waiting for the user, sending files, or creating the job. */
export type SubmitPhase = 'idle' | 'uploading' | 'creating'

/** The summary of a file that could not be read at all: one problem saying why. */
export function unreadable(error: unknown): FileSummary {
  return { format: null, rows: null, rowsExact: false, cols: null, dtype: null, problems: [`The file could not be read: ${errorMessage(error)}`], notes: [] }
}

export class FeatureForm {
  /** Feature files in the order their rows are joined. */
  readonly featureSlots = $state<FileSlot[]>([])
  readonly sideSlots = $state<Record<SideKind, FileSlot | null>>({ labels: null, metadata: null })
  params = $state(defaultParams())
  subsample = $state(defaultSubsample())
  serverParamError = $state<ServerParamError | null>(null)
  formError = $state<string | null>(null)
  phase = $state<SubmitPhase>('idle')
  /** Inspections under way, by slot key, awaited before submitting. */
  readonly #inspections = new Map<number, Promise<unknown>>()
  #nextKey = 0

  readonly submitting = $derived(this.phase !== 'idle')
  readonly totals = $derived(combineFeatureFiles(this.featureSlots.map((slot) => ({ name: slot.file.name, summary: slot.summary }))))
  /** Input points, all files together, once every file is counted exactly. */
  readonly inputPoints = $derived(this.totals.rowsExact ? this.totals.rows : null)
  readonly labels = $derived(this.sideSlots.labels)
  readonly metadata = $derived(this.sideSlots.metadata)
  readonly subsampleContext = $derived({ n: this.inputPoints, hasLabels: this.labels !== null, classCounts: this.labels?.summary?.classCounts ?? null })
  readonly subsampleErrors = $derived(validateSubsample(this.subsample, this.subsampleContext))
  readonly kept = $derived(subsampledPoints(this.subsample, this.subsampleContext))
  /** Points in the map: what perplexity is checked against (an upper bound when subsampling). */
  readonly mapPoints = $derived(this.kept.points)
  readonly clientParamErrors = $derived(validateParams(this.params, this.mapPoints, { subsampled: this.subsample.method !== 'none', of: this.inputPoints }))
  readonly paramErrors = $derived(withServerError(this.clientParamErrors, this.serverParamError, this.params))
  readonly labelCheck = $derived(checkLabelCount(this.totals, this.labels?.summary ?? null, this.labels?.file.name ?? 'The labels file'))
  /** The worker names the file column "source", or "source_file" when the metadata already has a "source". */
  readonly sourceColumn = $derived(this.metadata?.summary?.columns?.some((column) => column.name === 'source') ? 'source_file' : 'source')
  readonly metadataCheck = $derived(checkMetadataCount(this.totals, this.metadata?.summary ?? null, this.metadata?.file.name ?? 'The metadata file'))

  /** A new slot for `file`, inspected in the background; `find` locates it again once the reading is done. */
  #newSlot(file: File, kind: UploadKind, find: (key: number) => FileSlot | null | undefined): FileSlot {
    const key = this.#nextKey++
    const inspection = inspectFile(file, kind)
      .catch(unreadable)
      .then((summary) => {
        const slot = find(key)
        if (slot) {
          slot.summary = summary
          slot.inspecting = false
        }
        this.#inspections.delete(key)
      })
    this.#inspections.set(key, inspection)
    return { key, file, summary: null, inspecting: true, error: null, progress: null, uploadId: null }
  }

  addFeatureFiles(files: File[]): void {
    this.formError = null
    for (const file of files) {
      if (this.featureSlots.some((slot) => sameFile(slot.file, file))) continue
      this.featureSlots.push(this.#newSlot(file, 'features', (key) => this.featureSlots.find((slot) => slot.key === key)))
    }
  }

  removeFeatureFile(key: number): void {
    this.formError = null
    const index = this.featureSlots.findIndex((slot) => slot.key === key)
    if (index >= 0) this.featureSlots.splice(index, 1)
    this.#inspections.delete(key)
  }

  setSideFile(kind: SideKind, file: File | null): void {
    this.formError = null
    const previous = this.sideSlots[kind]
    if (previous) this.#inspections.delete(previous.key)
    this.sideSlots[kind] = file ? this.#newSlot(file, kind, (key) => (this.sideSlots[kind]?.key === key ? this.sideSlots[kind] : null)) : null
  }

  /** Puts dropped files where they belong; false when none of them is a file this form takes. */
  takeAssigned(assigned: DroppedFiles<File>): boolean {
    if (assigned.features.length > 0) this.addFeatureFiles(assigned.features)
    if (assigned.labels) this.setSideFile('labels', assigned.labels)
    if (assigned.metadata) this.setSideFile('metadata', assigned.metadata)
    return assigned.features.length > 0 || assigned.labels !== undefined || assigned.metadata !== undefined
  }

  /** Files dropped anywhere on the page. */
  takeFiles(files: File[]): void {
    if (!this.takeAssigned(assignDroppedFiles(files))) this.formError = `${files[0]!.name} is not a .npy, .csv, .tsv or .txt file.`
  }

  /** Files chosen in one slot: all of them to that slot when it is the features, else sorted by name. */
  choose(kind: 'features' | SideKind, files: File[]): void {
    if (files.length === 1) {
      if (kind === 'features') this.addFeatureFiles(files)
      else this.setSideFile(kind, files[0]!)
      return
    }
    if (!this.takeAssigned(assignDroppedFiles(files))) this.formError = `None of ${files.map((file) => file.name).join(', ')} is a .npy, .csv, .tsv or .txt file.`
  }

  /** The first thing stopping submission, with the control to focus; null when the form is ready. */
  firstProblem(): { message: string; focus: string } | null {
    if (this.featureSlots.length === 0) return { message: 'Choose a features file (.npy, .csv or .tsv) first.', focus: 'features-file' }
    for (const slot of this.featureSlots) {
      const problem = slot.summary?.problems[0]
      if (problem) return { message: `${slot.file.name}: ${problem}`, focus: 'features-file' }
    }
    const setProblem = this.totals.problems[0]
    if (setProblem) return { message: setProblem.message, focus: 'features-file' }
    for (const [kind, focus] of [['labels', 'labels-file'], ['metadata', 'metadata-file']] as const) {
      const slot = this.sideSlots[kind]
      const problem = slot?.summary?.problems[0]
      if (slot && problem) return { message: `${slot.file.name}: ${problem}`, focus }
    }
    if (this.labelCheck.error) return { message: this.labelCheck.error, focus: 'labels-file' }
    const subsampleFields = [
      ['method', 'subsample-none'],
      ['perLabel', 'subsample-per-label'],
      ['size', 'subsample-size'],
    ] as const
    for (const [name, focus] of subsampleFields) {
      const message = this.subsampleErrors[name]
      if (message) return { message, focus }
    }
    return firstParamProblem(this.clientParamErrors)
  }

  async #uploadSlot(slot: FileSlot, kind: UploadKind): Promise<string> {
    if (slot.uploadId) return slot.uploadId
    slot.uploadId = await uploadWithProgress(slot.file, kind, () => slot)
    return slot.uploadId
  }

  /** Shows a server error next to what it is about (a parameter, the metadata, the labels or the features). */
  #placeServerError(error: ConstellateError, message: string): void {
    const text = `${error.code} ${message}`
    const name = paramForApiError(error.code, message)
    if (name) this.serverParamError = { name, message, value: this.params[name] }
    else if (/metadata/i.test(text) && this.metadata) this.metadata.error = message
    else if (/label/i.test(text) && this.labels) this.labels.error = message
    else if (/feature|npy|csv|tsv|nan|inf|points?\b/i.test(text)) {
      // With several files, the one the message names first, in quotes ('"b.csv" has 12 columns but "a.csv" ...').
      const at = (slot: FileSlot) => message.indexOf(`"${slot.file.name}"`)
      const named = this.featureSlots.filter((slot) => at(slot) >= 0).sort((a, b) => at(a) - at(b))[0]
      const slot = named ?? (this.featureSlots.length === 1 ? this.featureSlots[0] : undefined)
      if (slot) slot.error = message
    }
  }

  /** Checks the form, uploads every file, starts the job and opens its page; problems go where they belong. */
  async submit(): Promise<void> {
    if (this.submitting) return
    this.formError = null
    this.serverParamError = null
    await Promise.all(this.#inspections.values())
    const problem = this.firstProblem()
    if (problem) {
      this.formError = problem.message
      document.getElementById(problem.focus)?.focus()
      return
    }
    this.phase = 'uploading'
    try {
      // One at a time: each file's bar fills in turn, and two cores are not split between uploads.
      const featureIds: string[] = []
      for (const slot of this.featureSlots) featureIds.push(await this.#uploadSlot(slot, 'features'))
      const labelsId = this.labels ? await this.#uploadSlot(this.labels, 'labels') : undefined
      const metadataId = this.metadata ? await this.#uploadSlot(this.metadata, 'metadata') : undefined
      this.phase = 'creating'
      const { job } = await client.createJob({
        features: featureIds.length === 1 ? featureIds[0]! : featureIds,
        labels: labelsId,
        metadata: metadataId,
        params: { ...this.params, subsample: subsampleRequest(this.subsample) },
      })
      navigate(jobPath(job.id))
    } catch (error) {
      const message = errorMessage(error)
      this.formError = message
      if (error instanceof ConstellateError) this.#placeServerError(error, message)
    } finally {
      this.phase = 'idle'
    }
  }
}
