/** @module `constellate link create|list|revoke`: read-only share links (capability URLs). */
import type { Command } from 'commander'
import type { ShareLink } from '@constellate/shared'
import { createContext, type Context, type GlobalFlags } from '../context.ts'
import { numberOption } from './upload.ts'

function withUrl(context: Context, link: ShareLink) {
  return { ...link, absoluteUrl: context.client.absoluteUrl(link.url) }
}

function linkState(link: ShareLink): string {
  if (link.revokedAt) return 'revoked'
  if (link.expiresAt && Date.parse(link.expiresAt) <= Date.now()) return 'expired'
  return link.expiresAt ? `until ${link.expiresAt}` : 'active'
}

export function registerLinks(program: Command): void {
  const link = program.command('link').description('Share links: read-only URLs to one job')

  link
    .command('create <job>')
    .description('Create a share link; prints its URL')
    .option('--expires-in-days <days>', 'stop working after this many days', numberOption('expires-in-days'))
    .action(async (jobId: string, options: { expiresInDays?: number }, command: Command) => {
      const context = createContext(command.optsWithGlobals<GlobalFlags>())
      const created = withUrl(context, await context.client.createLink(jobId, { expiresInDays: options.expiresInDays }))
      context.out.info(`Link ${created.id} (revoke with: constellate link revoke ${created.id})`)
      context.out.result({ link: created, url: created.absoluteUrl }, () => created.absoluteUrl)
    })

  link
    .command('list <job>')
    .description("A job's share links")
    .action(async (jobId: string, _options: unknown, command: Command) => {
      const context = createContext(command.optsWithGlobals<GlobalFlags>())
      const links = (await context.client.listLinks(jobId)).map((item) => withUrl(context, item))
      context.out.result({ links }, () => links.map((item) => `${item.id}  ${linkState(item).padEnd(8)}  ${item.absoluteUrl}`))
    })

  link
    .command('revoke <link>')
    .description('Revoke a share link (by its lnk_... id); it answers 410 from then on')
    .action(async (linkId: string, _options: unknown, command: Command) => {
      const context = createContext(command.optsWithGlobals<GlobalFlags>())
      const revoked = withUrl(context, await context.client.revokeLink(linkId))
      context.out.result({ link: revoked }, () => `${revoked.id} revoked`)
    })
}
