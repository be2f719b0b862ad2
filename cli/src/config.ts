/**
 * @module Where the CLI keeps its settings: `$CONSTELLATE_CONFIG`, else `$XDG_CONFIG_HOME/constellate/config.json`,
 * else `~/.config/constellate/config.json`; written with 0600 permissions (the token is a secret). Flags win
 * over environment variables (`CONSTELLATE_URL`, `CONSTELLATE_TOKEN`), which win over the file.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { UsageError } from './exit-codes.ts'

export const DEFAULT_URL = 'http://127.0.0.1:8787'

export interface StoredConfig {
  url?: string
  token?: string
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CONSTELLATE_CONFIG) return env.CONSTELLATE_CONFIG
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config')
  return join(base, 'constellate', 'config.json')
}

export function readConfig(path: string): StoredConfig {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new UsageError(`Cannot read the config file ${path}: ${(error as Error).message}`)
  }
  try {
    const parsed = JSON.parse(text) as unknown
    return typeof parsed === 'object' && parsed !== null ? (parsed as StoredConfig) : {}
  } catch {
    throw new UsageError(`The config file ${path} is not valid JSON. Fix it or delete it and run constellate login again.`)
  }
}

/** Writes the config atomically with mode 0600 (directory 0700). */
export function writeConfig(path: string, config: StoredConfig): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 })
  chmodSync(temporary, 0o600)
  renameSync(temporary, path)
}

export interface Resolved {
  url: string
  token: string | null
  /** Where the token came from, for messages. */
  tokenSource: 'flag' | 'env' | 'config' | null
  configPath: string
}

export function resolveSettings(flags: { url?: string; token?: string }, env: NodeJS.ProcessEnv = process.env): Resolved {
  const path = configPath(env)
  const stored = readConfig(path)
  const token = flags.token ?? env.CONSTELLATE_TOKEN ?? stored.token ?? null
  const tokenSource = flags.token ? 'flag' : env.CONSTELLATE_TOKEN ? 'env' : stored.token ? 'config' : null
  const url = (flags.url ?? env.CONSTELLATE_URL ?? stored.url ?? DEFAULT_URL).replace(/\/+$/, '')
  if (!/^https?:\/\/[^/]/.test(url)) throw new UsageError(`The server URL "${url}" must start with http:// or https://.`)
  return { url, token: token || null, tokenSource, configPath: path }
}
