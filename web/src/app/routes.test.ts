import { describe, expect, it } from 'vitest'
import { isAppPath, jobPath, matchRoute } from './routes.ts'

describe('routes', () => {
  it('maps paths to pages', () => {
    expect(matchRoute('/')).toEqual({ page: 'upload' })
    expect(matchRoute('/jobs/job_123/')).toEqual({ page: 'job', jobId: 'job_123' })
    expect(matchRoute('/jobs/a/b').page).toBe('not-found')
    expect(matchRoute(jobPath('a b'))).toEqual({ page: 'job', jobId: 'a b' })
  })

  it('leaves API links and downloads to the browser', () => {
    expect(isAppPath('/api/v1/jobs/x/embedding.npy')).toBe(false)
    expect(isAppPath('/jobs/x')).toBe(true)
  })
})
