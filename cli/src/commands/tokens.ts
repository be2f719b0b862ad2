/** @module `constellate token create|list|revoke`: the workspace's API tokens (for other scripts and machines). */
import { InvalidArgumentError, type Command } from 'commander'
import type { ApiToken } from '@constellate/shared'
import { createContext, type GlobalFlags } from '../context.ts'
import { numberOption } from './upload.ts'

function tokenState(token: ApiToken): string {
  if (token.revokedAt) return 'revoked'
  if (token.expiresAt && Date.parse(token.expiresAt) <= Date.now()) return 'expired'
  return token.expiresAt ? `until ${token.expiresAt}` : 'active'
}

function scopesOption(value: string): ('read' | 'write')[] {
  const scopes = value.split(',').map((s) => s.trim())
  if (scopes.length === 0 || scopes.some((s) => s !== 'read' && s !== 'write')) throw new InvalidArgumentError(`--scopes must be read, write or read,write; got "${value}".`)
  return [...new Set(scopes)] as ('read' | 'write')[]
}

export function registerTokens(program: Command): void {
  const token = program.command('token').description('API tokens of this workspace: for scripts, CI and other machines')

  token
    .command('create <name>')
    .description('Create a token; prints its secret, shown this once (store it, e.g. as CONSTELLATE_TOKEN)')
    .option('--scopes <list>', 'read, write or read,write', scopesOption, ['read', 'write'] as ('read' | 'write')[])
    .option('--expires-in-days <days>', 'stop working after this many days', numberOption('expires-in-days'))
    .action(async (name: string, options: { scopes: ('read' | 'write')[]; expiresInDays?: number }, command: Command) => {
      const context = createContext(command.optsWithGlobals<GlobalFlags>())
      const created = await context.client.createToken({ name, scopes: options.scopes, expiresInDays: options.expiresInDays })
      context.out.info(`Token ${created.token.id} (${created.token.scopes.join(',')}); the secret below is not shown again. Revoke with: constellate token revoke ${created.token.id}`)
      context.out.result(created, () => created.secret)
    })

  token
    .command('list')
    .description("The workspace's tokens (never their secrets)")
    .action(async (_options: unknown, command: Command) => {
      const context = createContext(command.optsWithGlobals<GlobalFlags>())
      const tokens = await context.client.listTokens()
      context.out.result({ tokens }, () => tokens.map((t) => `${t.id}  ${t.prefix}…  ${t.scopes.join(',').padEnd(10)}  ${tokenState(t).padEnd(8)}  ${t.name}`))
    })

  token
    .command('revoke <token>')
    .description('Revoke a token (by its id); requests with it answer 401 from then on')
    .action(async (tokenId: string, _options: unknown, command: Command) => {
      const context = createContext(command.optsWithGlobals<GlobalFlags>())
      const revoked = await context.client.revokeToken(tokenId)
      context.out.result({ token: revoked }, () => `${revoked.id} revoked`)
    })
}
