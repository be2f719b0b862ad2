/** @module Publishing to a job's live viewers (JobRoom Durable Object). */
import type { Job } from '@constellate/shared'
import type { Env } from './env.ts'

export function roomFor(env: Env, jobId: string) {
  return env.JOB_ROOM.get(env.JOB_ROOM.idFromName(jobId))
}

export async function publishStatus(env: Env, job: Job): Promise<void> {
  try {
    await roomFor(env, job.id).publishStatus(JSON.stringify({ type: 'status', job }))
  } catch (err) {
    // Viewers also poll GET /jobs/:id, so a missed push only delays them.
    console.error('publishStatus failed', err)
  }
}
