/** @module API tokens for scripts: list, create (the secret is shown once), revoke. */
import type { ApiToken } from '@constellate/shared'
import { ApiError, errorFromResponse } from './api.ts'

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch {
    throw new ApiError(0, 'network', 'Could not reach the Constellate server. Check that it is running and try again.')
  }
  if (!response.ok) throw await errorFromResponse(response)
  return (await response.json()) as T
}

export async function listTokens(): Promise<ApiToken[]> {
  return (await call<{ tokens: ApiToken[] }>('GET', '/tokens')).tokens
}

export function createToken(request: { name: string; scopes: ('read' | 'write')[]; expiresInDays?: number }): Promise<{ token: ApiToken; secret: string }> {
  return call('POST', '/tokens', request)
}

export async function revokeToken(id: string): Promise<ApiToken> {
  return (await call<{ token: ApiToken }>('DELETE', `/tokens/${encodeURIComponent(id)}`)).token
}
