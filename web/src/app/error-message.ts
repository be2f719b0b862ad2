/** @module The words shown for anything thrown: the client's errors already say what went wrong and what to do. */

/** The user-facing message of any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}
