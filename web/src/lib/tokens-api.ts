/** @module API tokens for scripts, through @constellate/client: list, create (the secret is shown once), revoke. */
import type { ApiToken } from '@constellate/shared'
import { client, viaClient } from './client.ts'

export function listTokens(): Promise<ApiToken[]> {
  return viaClient(() => client.listTokens())
}

export function createToken(request: { name: string; scopes: ('read' | 'write')[]; expiresInDays?: number }): Promise<{ token: ApiToken; secret: string }> {
  return viaClient(() => client.createToken(request))
}

export function revokeToken(id: string): Promise<ApiToken> {
  return viaClient(() => client.revokeToken(id))
}
