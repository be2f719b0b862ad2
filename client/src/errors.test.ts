import { describe, expect, it } from 'vitest'
import { errorFromResponse } from './errors.ts'

describe('errors from API answers', () => {
  it('uses the API error body message', async () => {
    const response = new Response(JSON.stringify({ error: { code: 'job_not_found', message: 'No job with id x.' } }), { status: 404 })
    const error = await errorFromResponse(response)
    expect([error.status, error.code, error.message]).toEqual([404, 'job_not_found', 'No job with id x.'])
  })

  it('explains a failure without a JSON body in plain words', async () => {
    const error = await errorFromResponse(new Response('<html>Bad gateway</html>', { status: 502 }))
    expect(error.message).toBe('The server ran into a problem (HTTP 502). Try again in a moment.')
  })
})
