/**
 * @module Signalling the local stack's child processes. Each child is spawned `detached`, so it leads its own
 * process group: a Ctrl-C in the terminal reaches only `npm start` (the foreground group), which then stops the
 * children itself in the order it chooses, and a signal sent to the group also reaches the child's own children
 * (wrangler's workerd).
 */
import type { ChildProcess } from 'node:child_process'

/** Whether the process has exited (by code or by signal). */
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null
}

/** Sends `signal` to the child's process group (falling back to the child alone). */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (hasExited(child) || child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    child.kill(signal)
  }
}

/** Resolves once the child has exited; at once if it already has. */
export function exited(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return Promise.resolve()
  return new Promise((done) => child.once('exit', () => done()))
}

/**
 * SIGTERMs the child's group and waits up to `timeoutMs` for it to exit, then SIGKILLs the group.
 * Resolves `'exited'` or `'killed'` once the child is gone.
 */
export async function stopGroup(child: ChildProcess, timeoutMs: number): Promise<'exited' | 'killed'> {
  if (hasExited(child)) return 'exited'
  const gone = exited(child)
  signalGroup(child, 'SIGTERM')
  let timer: NodeJS.Timeout | undefined
  const outcome = await Promise.race([gone.then(() => 'exited' as const), new Promise<'timeout'>((done) => (timer = setTimeout(() => done('timeout'), timeoutMs)))])
  clearTimeout(timer)
  if (outcome === 'exited') return 'exited'
  signalGroup(child, 'SIGKILL')
  await gone
  return 'killed'
}

/** "code 1" or "signal SIGKILL", for messages about an exit. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `code ${code}`
}
