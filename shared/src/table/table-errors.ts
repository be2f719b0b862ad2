/**
 * @module What can be wrong with a table's layout or cells, and the API's words for it. The facts travel with
 * the error (TableFormatError.problem), so the web form can word a problem its own way while the edge and
 * the worker answer with the one message built here.
 */
import { LIMITS } from '../limits.ts'
import { UploadVerificationError } from '../upload/errors.ts'

/** A table problem as facts; lines and columns count from 1 (physical lines, as an editor shows them). */
export type TableProblem =
  | { code: 'text_not_numeric'; line: number; column: number; text: string }
  | { code: 'text_ragged_rows'; line: number; got: number; expected: number; afterHeader: boolean; labels: boolean }
  | { code: 'text_blank_line'; line: number }
  | { code: 'labels_missing_value'; line: number }

/** The API's message for a table problem: what is wrong, where, and how to fix it. */
export function tableProblemMessage(problem: TableProblem): string {
  switch (problem.code) {
    case 'text_not_numeric': {
      const { line, column, text } = problem
      const shown = text.length > 40 ? `${text.slice(0, 40)}...` : text
      return `Line ${line}, column ${column} (counting from 1) holds "${shown}", which is not a number. Features must be numeric; only the first line may be a header.`
    }
    case 'text_ragged_rows': {
      const { line, got, expected, afterHeader, labels } = problem
      const first = afterHeader ? 'the header line' : 'the first line'
      const hint = labels ? ' Quote labels that contain the delimiter, or use a .txt file with one label per line.' : ' Every row needs the same number of values.'
      return `Line ${line} has ${got} ${got === 1 ? 'column' : 'columns'} but ${first} has ${expected}.${hint}`
    }
    case 'text_blank_line':
      return `Line ${problem.line} is blank but more rows follow it. Remove blank lines between rows (one row per point).`
    case 'labels_missing_value':
      return `Line ${problem.line} has an empty label; every point needs one. Fill it in (e.g. "unknown").`
  }
}

/** A table whose layout or cells cannot be read; `problem` holds the facts behind the message. */
export class TableFormatError extends UploadVerificationError {
  override name = 'TableFormatError'
  constructor(readonly problem: TableProblem) {
    super(problem.code, tableProblemMessage(problem))
  }
}

export function notNumericError(line: number, column: number, text: string): TableFormatError {
  return new TableFormatError({ code: 'text_not_numeric', line, column, text })
}

export function raggedRowsError(line: number, got: number, expected: number, afterHeader: boolean, labels = false): TableFormatError {
  return new TableFormatError({ code: 'text_ragged_rows', line, got, expected, afterHeader, labels })
}

export function blankLineError(line: number): TableFormatError {
  return new TableFormatError({ code: 'text_blank_line', line })
}

export function missingLabelError(line: number): TableFormatError {
  return new TableFormatError({ code: 'labels_missing_value', line })
}

/** A feature table with more rows than LIMITS.maxPoints (raised as soon as the scan passes it). */
export function tooManyFeatureRowsError(): UploadVerificationError {
  return new UploadVerificationError('too_many_points', `The features hold more than ${LIMITS.maxPoints} rows; at most ${LIMITS.maxPoints} points are accepted. Subsample them first.`)
}

/** A feature table wider than LIMITS.maxDims. */
export function tooManyFeatureColumnsError(cols: number): UploadVerificationError {
  return new UploadVerificationError('too_many_dims', `The features have ${cols} columns; at most ${LIMITS.maxDims} are accepted. Reduce them first (e.g. PCA).`)
}
