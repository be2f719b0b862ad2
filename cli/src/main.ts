/**
 * @module The `constellate` command line: parses arguments (commander), runs one command, and turns every
 * outcome into an exit code a script can branch on (exit-codes.ts). With --json, stdout carries exactly one
 * JSON document: the result, or `{"error": {...}, "exitCode": n}`.
 */
import { Command, CommanderError } from 'commander'
import { ConstellateError } from '@constellate/client'
import { registerDownload } from './commands/download.ts'
import { registerJobs } from './commands/jobs.ts'
import { registerLinks } from './commands/links.ts'
import { registerTokens } from './commands/tokens.ts'
import { registerLogin } from './commands/login.ts'
import { registerUpload } from './commands/upload.ts'
import { EXIT, JobEndedError, UsageError, exitCodeFor } from './exit-codes.ts'

const EXIT_HELP = `
Exit codes:
  0  done (with --wait / watch: the job succeeded)
  1  unexpected error (or an answer this client cannot read)
  2  usage: bad arguments or options, unreadable file, login without a token
  3  the job failed or was cancelled
  4  authentication: no token, or the server refused it
  5  not found: no such job, upload or link (or a revoked/expired link)
  6  unavailable: rate limited, server error or unreachable, after retries
  7  rejected: the server refused the input (e.g. perplexity too large, results not ready)
  8  timed out (--timeout)
  130 interrupted

Settings: --url / CONSTELLATE_URL (default http://127.0.0.1:8787), --token / CONSTELLATE_TOKEN, else the file
written by "constellate login": $CONSTELLATE_CONFIG, $XDG_CONFIG_HOME/constellate/config.json or ~/.config/constellate/config.json.`

export function buildProgram(): Command {
  const program = new Command('constellate')
    .description('Upload features, run PCA + t-SNE on Constellate, follow jobs, download maps and share them')
    .version('0.1.0')
    .option('--url <url>', 'server URL (env CONSTELLATE_URL)')
    .option('--token <token>', 'API token (env CONSTELLATE_TOKEN)')
    .option('--json', 'print one JSON document on stdout (messages go to stderr)')
    .option('-q, --quiet', 'no messages on stderr')
    .addHelpText('after', EXIT_HELP)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
  registerLogin(program)
  registerUpload(program)
  registerJobs(program)
  registerDownload(program)
  registerLinks(program)
  registerTokens(program)
  for (const command of program.commands) {
    command.exitOverride()
    for (const sub of command.commands) sub.exitOverride()
  }
  return program
}

function errorJson(error: unknown, exitCode: number): Record<string, unknown> {
  if (error instanceof JobEndedError) return { error: { code: `job_${error.job.status}`, message: error.message, status: null }, job: error.job, exitCode }
  if (error instanceof ConstellateError) return { error: error.toJSON(), exitCode }
  if (error instanceof UsageError) return { error: { code: 'usage', message: error.message, status: null }, exitCode }
  if (error instanceof CommanderError) return { error: { code: 'usage', message: error.message.replace(/^error: /, ''), status: null }, exitCode }
  return { error: { code: 'unexpected', message: (error as Error)?.message ?? String(error), status: null }, exitCode }
}

/** Runs the CLI with `argv` (without node and script) and exits the process with the outcome's code. */
export async function main(argv: string[]): Promise<never> {
  const json = argv.includes('--json')
  let code: number = EXIT.ok
  try {
    await buildProgram().parseAsync(argv, { from: 'user' })
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version print and exit 0; everything else commander rejects is a usage error (it printed why).
      code = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT.ok : EXIT.usage
      if (code !== EXIT.ok && json) process.stdout.write(JSON.stringify(errorJson(error, code)) + '\n')
    } else {
      code = exitCodeFor(error)
      const message = error instanceof Error ? error.message : String(error)
      if (code === EXIT.unexpected && !(error instanceof ConstellateError)) process.stderr.write(`constellate: ${(error as Error)?.stack ?? message}\n`)
      else process.stderr.write(`constellate: ${message}\n`)
      if (json) process.stdout.write(JSON.stringify(errorJson(error, code), null, 2) + '\n')
    }
  }
  process.exit(code)
}
