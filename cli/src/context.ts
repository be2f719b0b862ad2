/**
 * @module What every command gets: the resolved settings, a client, and output that respects `--json`
 * (one JSON document on stdout and nothing else there; messages go to stderr).
 */
import { ConstellateClient, type WebSocketLike } from '@constellate/client'
import WebSocket from 'ws'
import { resolveSettings, type Resolved } from './config.ts'
import { ConstellateError } from '@constellate/client'

export interface GlobalFlags {
  url?: string
  token?: string
  json?: boolean
  quiet?: boolean
}

export class Output {
  constructor(
    readonly json: boolean,
    readonly quiet = false,
  ) {}

  /** The command's result: `data` as JSON in --json mode, else the human lines on stdout. */
  result(data: unknown, human: () => string | string[]): void {
    if (this.json) {
      process.stdout.write(JSON.stringify(data, null, 2) + '\n')
      return
    }
    const text = human()
    const lines = Array.isArray(text) ? text : [text]
    if (lines.length) process.stdout.write(lines.join('\n') + '\n')
  }

  /** A message for people (stderr), never mixed into results. */
  info(message: string): void {
    if (!this.quiet) process.stderr.write(message + '\n')
  }

  /**
   * A progress line when there is no bar: on stderr, so `JOB=$(constellate submit --wait ...)` captures only
   * the id; on stdout only when the lines are the command's output (`watch` without --json).
   */
  progressLine(message: string, toStdout = false): void {
    if (this.quiet && !toStdout) return
    ;(toStdout && !this.json ? process.stdout : process.stderr).write(message + '\n')
  }

  /** Draw a live bar? Only for a person at a terminal (stdout and stderr both TTYs, not --json). */
  get interactive(): boolean {
    return !this.json && Boolean(process.stdout.isTTY) && Boolean(process.stderr.isTTY)
  }
}

export interface Context {
  settings: Resolved
  client: ConstellateClient
  out: Output
}

/** Builds the context from global flags; `requireToken` makes a missing token an auth error (exit 4). */
export function createContext(flags: GlobalFlags, options: { requireToken?: boolean } = {}): Context {
  const settings = resolveSettings(flags)
  const out = new Output(Boolean(flags.json), Boolean(flags.quiet))
  if (options.requireToken !== false && !settings.token) {
    throw new ConstellateError(
      401,
      'not_logged_in',
      `No API token. Run "constellate login" (stores it in ${settings.configPath}), or set CONSTELLATE_TOKEN, or pass --token.`,
    )
  }
  const client = new ConstellateClient({
    baseUrl: settings.url,
    token: settings.token,
    webSocket: (url, headers) => new WebSocket(url, { headers }) as unknown as WebSocketLike,
    onRetry: ({ attempt, delayMs, error }) => out.info(`${error.message} Retrying in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt + 1}).`),
  })
  return { settings, client, out }
}

/** The page where a job can be watched in a browser. */
export function jobPageUrl(context: Context, jobId: string): string {
  return `${context.settings.url}/jobs/${encodeURIComponent(jobId)}`
}
