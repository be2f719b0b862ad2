/** @module The Hono application: public API, worker API, share links, OpenAPI document, one error mapping. */
import { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from './env.ts'
import { describeReadRoutes } from './openapi-read-routes.ts'
import { ApiError, errorBody, handleError } from './errors.ts'
import { now } from './clock.ts'
import { metrics } from './metrics.ts'
import { apiDocsPage } from './docs-page.ts'
import { rateLimit } from './rate-limit.ts'
import { jobs } from './routes/jobs.ts'
import { links } from './routes/links.ts'
import { shared, viewerPage } from './routes/shared.ts'
import { testing } from './routes/testing.ts'
import { tokens } from './routes/tokens.ts'
import { uploads } from './routes/uploads.ts'
import { worker } from './routes/worker.ts'
import { validationHook } from './validation.ts'
import { identity, requireScope } from './workspace.ts'

export function createApp() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  app.onError(handleError)
  app.use('*', async (c, next) => {
    c.set('now', await now(c.env))
    await next()
  })

  app.get('/api/health', (c) => c.json({ ok: true }))
  app.get('/api/v1/metrics', metrics)
  app.route('/api/v1/worker', worker)
  app.use('/api/v1/_test/*', async (c, next) => {
    if (c.env.TEST_CLOCK !== '1') throw new ApiError(404, 'not_found', 'No such route.')
    await next()
  })
  app.route('/api/v1/_test', testing)

  // Public routes: rate limited. Share links need no identity; everything else is per workspace.
  app.use('/api/v1/*', async (c, next) => (c.req.path.startsWith('/api/v1/worker/') || c.req.path.startsWith('/api/v1/_test/') ? next() : rateLimit()(c, next)))
  app.use('/v/*', rateLimit())
  app.route('/api/v1/shared', shared)
  app.get('/v/:token', viewerPage)

  const api = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  api.use('*', identity(), requireScope())
  api.route('/', uploads)
  api.route('/', jobs)
  api.route('/', links)
  api.route('/', tokens)

  describeReadRoutes(app)
  app.doc31('/api/v1/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Constellate API', version: '1.0.0', description: 'Upload features, run PCA + t-SNE, watch and download the map.' },
  })
  app.get('/api/docs', (c) => c.html(apiDocsPage()))
  app.route('/api/v1', api)

  app.all('/api/*', (c) => c.json(errorBody('not_found', `No API route ${c.req.method} ${new URL(c.req.url).pathname}. See /api/v1/openapi.json.`), 404))
  app.notFound((c) => {
    if (c.env.ASSETS) return c.env.ASSETS.fetch(c.req.raw)
    return c.json(errorBody('not_found', 'Not found'), 404)
  })
  return app
}
