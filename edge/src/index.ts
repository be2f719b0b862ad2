/** @module Worker entry: the Hono app plus the Durable Object classes wrangler binds. */
import { createApp } from './app.ts'

export { JobQueue } from './objects/job-queue.ts'
export { JobRoom } from './objects/job-room.ts'
export { RateLimiter } from './objects/rate-limiter.ts'

export default createApp()
