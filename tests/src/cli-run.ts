/** @module Runs the `constellate` CLI as a script would: a child process with its own config file and HOME. */
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { ROOT } from '../../scripts/local-stack.ts'

export const CLI_BIN = resolve(ROOT, 'cli/bin/constellate.js')

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** A sandbox: a temporary HOME and config path, and the stack's URL, with no token from the caller's env. */
export function cliSandbox(stackUrl: string) {
  const home = mkdtempSync(join(tmpdir(), 'constellate-cli-'))
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), CONSTELLATE_URL: stackUrl }
  delete env.CONSTELLATE_TOKEN
  delete env.CONSTELLATE_CONFIG
  return { home, env, configPath: join(home, '.config', 'constellate', 'config.json') }
}

/** Runs the CLI; `input` is written to its stdin (a pipe, so it is not a TTY), then stdin is closed. */
export function runCli(args: string[], options: { env: NodeJS.ProcessEnv; input?: string; cwd?: string; timeoutMs?: number }): Promise<CliResult> {
  return runProcess(process.execPath, [CLI_BIN, ...args], options)
}

export function runProcess(command: string, args: string[], options: { env: NodeJS.ProcessEnv; input?: string; cwd?: string; timeoutMs?: number }): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd ?? ROOT, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolvePromise({ code, stdout, stderr })
    })
    child.stdin.end(options.input ?? '')
  })
}
