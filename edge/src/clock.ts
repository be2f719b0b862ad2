/**
 * @module The edge's clock. Production reads Date.now(); with TEST_CLOCK=1 (tests only) a stored offset is
 * added, so tests can move time forward past lease, token, link and presign expiry without waiting.
 */
import type { Env } from './env.ts'

export async function now(env: Env): Promise<number> {
  if (env.TEST_CLOCK !== '1') return Date.now()
  const row = await env.DB.prepare("SELECT value FROM counters WHERE name = 'clock_offset_ms'").first<{ value: number }>()
  return Date.now() + (row?.value ?? 0)
}

export async function advanceClock(env: Env, byMs: number): Promise<number> {
  await env.DB.prepare("UPDATE counters SET value = value + ? WHERE name = 'clock_offset_ms'").bind(Math.round(byMs)).run()
  return now(env)
}
