/** @module Turning zod validation failures into 400s that say which field is wrong. */
import type { Hook } from '@hono/zod-openapi'
import type { AppEnv } from './env.ts'
import { ApiError } from './errors.ts'

interface Issue { path: PropertyKey[]; message: string }

export function describeIssues(issues: Issue[]): string {
  return issues.map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message)).join('; ')
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const validationHook: Hook<any, AppEnv, any, any> = (result) => {
  if (!result.success) {
    const issues = result.error.issues as Issue[]
    throw new ApiError(400, 'invalid_request', `The request is not valid: ${describeIssues(issues)}.`, { issues })
  }
}
