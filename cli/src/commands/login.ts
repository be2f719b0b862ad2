/** @module `constellate login` / `logout`: store or forget the API token (config file, 0600). */
import { createInterface } from 'node:readline'
import { Writable } from 'node:stream'
import type { Command } from 'commander'
import { readConfig, resolveSettings, writeConfig } from '../config.ts'
import { createContext, type GlobalFlags } from '../context.ts'
import { UsageError } from '../exit-codes.ts'

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8').trim()
}

/** Asks for the token at a terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() })
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true })
  process.stderr.write(question)
  return new Promise((resolve) => {
    rl.question('', (answer) => {
      rl.close()
      process.stderr.write('\n')
      resolve(answer.trim())
    })
  })
}

export function registerLogin(program: Command): void {
  program
    .command('login')
    .description('Check an API token and store it (with --url) in the config file, readable only by you')
    .option('--token <token>', 'the API token (cst_...); "-" reads it from stdin')
    .addHelpText(
      'after',
      '\nWithout --token: reads the token from stdin when it is not a terminal, else asks for it.\n' +
        'Create a token in the web app (Tokens page) or with POST /api/v1/tokens. CONSTELLATE_TOKEN works without login.',
    )
    .action(async (options: { token?: string }, command: Command) => {
      const flags = command.optsWithGlobals<GlobalFlags & { token?: string }>()
      let token = options.token
      if (token === '-' || (token === undefined && !process.stdin.isTTY)) token = await readStdin()
      else if (token === undefined) token = await promptHidden('API token (cst_...): ')
      if (!token) throw new UsageError('No token given. Pass --token cst_..., or pipe it on stdin: echo "$TOKEN" | constellate login')
      if (!token.startsWith('cst_')) throw new UsageError('API tokens start with "cst_". Copy the whole secret shown when the token was created.')
      const context = createContext({ ...flags, token })
      // Any read proves the token works (and that the URL is a Constellate server).
      await context.client.listJobs({ limit: 1 })
      const path = context.settings.configPath
      writeConfig(path, { ...readConfig(path), url: context.settings.url, token })
      context.out.result({ loggedIn: true, url: context.settings.url, configPath: path, tokenPrefix: token.slice(0, 12) }, () => `Logged in to ${context.settings.url}; token saved in ${path}.`)
    })

  program
    .command('logout')
    .description('Forget the stored token')
    .action((_options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<GlobalFlags>()
      const { configPath } = resolveSettings(flags)
      const stored = readConfig(configPath)
      const hadToken = Boolean(stored.token)
      if (hadToken) {
        delete stored.token
        writeConfig(configPath, stored)
      }
      const json = Boolean(flags.json)
      if (json) process.stdout.write(JSON.stringify({ loggedOut: true, hadToken, configPath }) + '\n')
      else process.stdout.write(hadToken ? `Token removed from ${configPath}.\n` : `No token stored in ${configPath}.\n`)
    })
}
