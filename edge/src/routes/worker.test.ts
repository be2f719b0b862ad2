import { describe, expect, it } from 'vitest'
import { WORKER_ROUTES } from '@constellate/shared'
import { worker } from './worker.ts'

describe('the worker routes', () => {
  it('are exactly the routes of the shared worker API', () => {
    const served = worker.routes.filter((route) => route.method === 'POST').map((route) => route.path)
    const contract = Object.values(WORKER_ROUTES).map((route) => route.path.replace('{id}', ':id'))
    expect([...served].sort()).toEqual([...contract].sort())
  })
})
