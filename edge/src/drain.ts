/**
 * @module Reading what is left of a request body without keeping it, before an error answer: a client still
 * sending gets the answer instead of a reset connection, and a kept-alive connection stays usable. Cancelling
 * the stream instead made wrangler dev answer 503 or an empty 413 while the client was still writing.
 */

/**
 * Most bytes read and thrown away after an error; past this the stream is cancelled. Above Cloudflare's own
 * request size limit (100 MB on most plans), so in production every body that arrives is drained.
 */
const DRAIN_LIMIT_BYTES = 128 * 1024 ** 2

/** Reads `reader` to its end (at most DRAIN_LIMIT_BYTES more), discarding the bytes; never throws. */
export async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  let total = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      total += value.byteLength
      if (total > DRAIN_LIMIT_BYTES) {
        await reader.cancel()
        return
      }
    }
  } catch {
    // The client went away: nothing left to drain.
  }
}

/** Drains a request body nobody has read yet (an error found before the body was needed). */
export async function drainUnreadBody(request: Request): Promise<void> {
  if (!request.body || request.bodyUsed) return
  try {
    await discardRest(request.body.getReader())
  } catch {
    // Locked or already consumed elsewhere: nothing to drain.
  }
}
