import { describe, expect, it } from 'vitest'
import { configFromEnv } from './config.ts'

const env = { EDGE_URL: 'http://edge/', WORKER_SECRET: 's', S3_ENDPOINT: 'http://s3', S3_ACCESS_KEY_ID: 'a', S3_SECRET_ACCESS_KEY: 'b' }

describe('worker configuration', () => {
  it('takes the backend from --backend over BACKEND, defaulting to cpu', () => {
    expect(configFromEnv(env, []).backend).toBe('cpu')
    expect(configFromEnv({ ...env, BACKEND: 'auto' }, []).backend).toBe('auto')
    expect(configFromEnv({ ...env, BACKEND: 'auto' }, ['--backend', 'tfjs']).backend).toBe('tfjs')
    expect(configFromEnv(env, ['--backend=auto']).backend).toBe('auto')
  })

  it('refuses an unknown backend and a missing variable, saying which', () => {
    expect(() => configFromEnv(env, ['--backend', 'quantum'])).toThrow(/--backend/)
    expect(() => configFromEnv({ ...env, EDGE_URL: '' }, [])).toThrow(/EDGE_URL/)
  })
})
