/** @module The Hono application: public API, worker API, OpenAPI document, one error mapping. */
import { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from './env.ts'
import { ApiError, errorBody, handleError } from './errors.ts'
import { jobs } from './routes/jobs.ts'
import { uploads } from './routes/uploads.ts'
import { worker } from './routes/worker.ts'
import { validationHook } from './validation.ts'
import { workspace } from './workspace.ts'

export function createApp() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  app.onError(handleError)

  app.route('/api/v1/worker', worker)

  const api = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  api.use('*', workspace())
  api.route('/', uploads)
  api.route('/', jobs)
  app.route('/api/v1', api)

  app.doc31('/api/v1/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Constellate API', version: '1.0.0', description: 'Upload features, run PCA + t-SNE, watch and download the map.' },
  })
  app.get('/api/health', (c) => c.json({ ok: true }))

  app.all('/api/*', (c) => c.json(errorBody('not_found', `No API route ${c.req.method} ${new URL(c.req.url).pathname}. See /api/v1/openapi.json.`), 404))
  app.notFound((c) => {
    if (c.env.ASSETS) return c.env.ASSETS.fetch(c.req.raw)
    return c.json(errorBody('not_found', 'Not found'), 404)
  })
  return app
}

export { ApiError }
