import { describe, expect, it } from 'vitest'
import {
  CompleteRequest,
  FailRequest,
  FrameAnswer,
  FramesQuery,
  HeartbeatAnswer,
  HeartbeatRequest,
  LeaseRequest,
  WORKER_ROUTES,
  WorkerAnswerError,
  framesQuery,
  parseFrameAnswer,
  parseHeartbeatAnswer,
  parseLease,
  parseWorkerJobAnswer,
  workerRoutePath,
} from './worker-api.ts'
import { labelsKey, metadataKey, resultsPrefix } from './storage-keys.ts'

// Lease answers exactly as the edge sent them (the 200 bodies' bytes), taken from a local stack: a map job with
// two feature files, labels, metadata and a stratified subsample; a model job on a zip of images.
const MAP_JOB_LEASE = '{"lease":{"leaseId":"lease_wowmfa1uubvc3vrm","fence":1,"expiresAt":1796410135437,"attempt":1},"job":{"id":"job_19ttbgtbavk5udw9","params":{"perplexity":"auto","dims":3,"iterations":750,"seed":42,"pcaDims":50,"subsample":{"method":"stratified","perLabel":15}},"attempt":1,"features":{"id":"upl_7y0u8hvy23n5dujr","key":"uploads/ws_jzdgjgsbwvosuswwi42m/upl_7y0u8hvy23n5dujr","filename":"a.npy","size":1088,"info":{"format":"npy","rows":60,"cols":4,"dtype":"float32","fortranOrder":false}},"labels":{"id":"upl_ah7yb03277gdhe5x","key":"uploads/ws_jzdgjgsbwvosuswwi42m/upl_ah7yb03277gdhe5x","filename":"labels.txt","size":130,"info":{"format":"txt","rows":65,"cols":null,"dtype":"int","hasHeader":false}},"resultsPrefix":"jobs/job_19ttbgtbavk5udw9/attempts/1","labelsKey":"jobs/job_19ttbgtbavk5udw9/labels.json","featureFiles":[{"id":"upl_7y0u8hvy23n5dujr","key":"uploads/ws_jzdgjgsbwvosuswwi42m/upl_7y0u8hvy23n5dujr","filename":"a.npy","size":1088,"info":{"format":"npy","rows":60,"cols":4,"dtype":"float32","fortranOrder":false}},{"id":"upl_0ppt54zosefn5bn2","key":"uploads/ws_jzdgjgsbwvosuswwi42m/upl_0ppt54zosefn5bn2","filename":"b.csv","size":51,"info":{"format":"csv","rows":5,"cols":4,"dtype":null,"hasHeader":false}}],"metadata":{"id":"upl_i7vmo5encxfx22ae","key":"uploads/ws_jzdgjgsbwvosuswwi42m/upl_i7vmo5encxfx22ae","filename":"meta.csv","size":500,"info":{"format":"csv","rows":65,"cols":2,"dtype":null,"hasHeader":true}},"metadataKey":"jobs/job_19ttbgtbavk5udw9/metadata.json","model":null}}'
const MODEL_JOB_LEASE = '{"lease":{"leaseId":"lease_ayydzfti55ztmu2i","fence":2,"expiresAt":1796410136496,"attempt":1},"job":{"id":"job_hc16wxl2i2dta2q8","params":{"perplexity":30,"dims":2,"iterations":750,"seed":3,"pcaDims":50},"attempt":1,"features":{"id":"upl_9qug5gwusoygjbn8","key":"uploads/ws_jzdgjgsbwvosuswwi42m/upl_9qug5gwusoygjbn8","filename":"stripes.zip","size":11434,"info":{"format":"zip","rows":null,"cols":null,"dtype":null}},"labels":null,"resultsPrefix":"jobs/job_hc16wxl2i2dta2q8/attempts/1","labelsKey":"jobs/job_hc16wxl2i2dta2q8/labels.json","featureFiles":[{"id":"upl_9qug5gwusoygjbn8","key":"uploads/ws_jzdgjgsbwvosuswwi42m/upl_9qug5gwusoygjbn8","filename":"stripes.zip","size":11434,"info":{"format":"zip","rows":null,"cols":null,"dtype":null}}],"metadata":null,"metadataKey":"jobs/job_hc16wxl2i2dta2q8/metadata.json","model":{"upload":{"id":"upl_sgztf40yjic6y2v1","key":"uploads/ws_jzdgjgsbwvosuswwi42m/upl_sgztf40yjic6y2v1","filename":"stripes.onnx","size":1140,"info":{"format":"onnx","rows":null,"cols":null,"dtype":null,"onnx":{"irVersion":8,"opsetVersion":13,"producer":"constellate-tests","inputs":[{"name":"image","elemType":"float32","shape":["N",3,16,16]}],"outputs":[{"name":"logits","elemType":"float32","shape":["N",3]}],"nodeCount":5,"defaultLayer":"features"}}},"layers":["features","pooled"],"preprocess":{"size":16,"channels":3,"scale":0.5},"batchSize":4}}}'

describe('the lease answer', () => {
  it('names every field the edge sends: parsing and writing it back gives the same bytes', () => {
    for (const text of [MAP_JOB_LEASE, MODEL_JOB_LEASE]) expect(JSON.stringify(parseLease(JSON.parse(text)))).toBe(text)
  })

  it('carries the storage keys the key builders make', () => {
    const { job } = parseLease(JSON.parse(MAP_JOB_LEASE))
    expect(job.resultsPrefix).toBe(resultsPrefix(job.id, job.attempt))
    expect(job.labelsKey).toBe(labelsKey(job.id))
    expect(job.metadataKey).toBe(metadataKey(job.id))
    expect(job.featureFiles[0]).toEqual(job.features)
    expect(job.model).toBeNull()
    const model = parseLease(JSON.parse(MODEL_JOB_LEASE)).job.model
    expect(model?.layers).toEqual(['features', 'pooled'])
    expect(model?.upload.info?.onnx?.defaultLayer).toBe('features')
  })

  it('refuses an answer the worker cannot use, naming the field and what to do', () => {
    const lease = JSON.parse(MAP_JOB_LEASE)
    delete lease.job.features.key
    lease.lease.fence = 'one'
    expect(() => parseLease(lease)).toThrow(WorkerAnswerError)
    expect(() => parseLease(lease)).toThrow(/\/lease .*lease\.fence: .*job\.features\.key: .*same version/)
    expect(() => parseLease(null)).toThrow(WorkerAnswerError)
  })
})

describe('worker request bodies', () => {
  const ref = { leaseId: 'lease_1', fence: 3 }

  it('stay lenient toward fields they do not name, dropping them', () => {
    expect(LeaseRequest.parse({ workerId: 'gpu-1', capabilities: ['cpu'] })).toEqual({ workerId: 'gpu-1', waitSeconds: 20 })
    expect(HeartbeatRequest.parse({ ...ref, progress: { stage: 'knn', gpu: 'a100' }, extra: 1 })).toEqual({ ...ref, progress: { stage: 'knn' } })
  })

  it('refuse wrong values with the path of the field', () => {
    const points = HeartbeatRequest.safeParse({ ...ref, progress: { points: 'many' } })
    expect(points.success).toBe(false)
    expect(points.error?.issues[0]?.path).toEqual(['progress', 'points'])
    expect(HeartbeatRequest.safeParse({ ...ref, progress: { frames: 3 } }).data?.progress).toEqual({})
    expect(LeaseRequest.safeParse({ workerId: 'w', waitSeconds: 31 }).success).toBe(false)
    expect(FailRequest.safeParse({ ...ref, error: { code: 'x', message: 'y'.repeat(4001) } }).success).toBe(false)
  })

  it('fill in what a worker may leave out', () => {
    expect(CompleteRequest.parse({ ...ref, kl: 1.5, iterations: 750 })).toEqual({ ...ref, kl: 1.5, iterations: 750, warnings: [] })
    expect(FailRequest.parse({ ...ref, error: { code: 'oom', message: 'out of memory' } }).retryable).toBe(false)
  })

  it('name the lease in a frame post\'s query, and a query that does not name one reads as a stale lease', () => {
    expect(FramesQuery.parse(Object.fromEntries(framesQuery(ref)))).toEqual(ref)
    expect(framesQuery(ref).toString()).toBe('leaseId=lease_1&fence=3')
    const missing = FramesQuery.parse({})
    expect(missing.leaseId).toBe('')
    expect(Number.isNaN(missing.fence)).toBe(true)
  })
})

describe('worker answers', () => {
  it('parse what the edge answers', () => {
    expect(parseHeartbeatAnswer({ cancel: false, status: 'running', leaseExpiresAt: 1700000000000 })).toEqual({ cancel: false, status: 'running', leaseExpiresAt: 1700000000000 })
    expect(parseHeartbeatAnswer({ cancel: true, status: 'cancelled' }).cancel).toBe(true)
    expect(parseFrameAnswer({ seq: 4, viewers: null, duplicate: true })).toEqual({ seq: 4, viewers: null, duplicate: true })
    expect(() => parseFrameAnswer({ seq: '4', viewers: 0 })).toThrow(/\/jobs\/\{id\}\/frames .*seq/)
    expect(() => parseWorkerJobAnswer('complete', { job: { id: 'job_1' } })).toThrow(WorkerAnswerError)
    expect(HeartbeatAnswer.safeParse({ cancel: false, status: 'sleeping' }).success).toBe(false)
    expect(FrameAnswer.parse({ seq: 0, viewers: 2 })).toEqual({ seq: 0, viewers: 2 })
  })
})

describe('worker routes', () => {
  it('are the six the edge serves, with the job id encoded into the path', () => {
    expect(Object.values(WORKER_ROUTES).map((route) => route.path)).toEqual(['/lease', '/jobs/{id}/heartbeat', '/jobs/{id}/frames', '/jobs/{id}/complete', '/jobs/{id}/fail', '/jobs/{id}/release'])
    expect(workerRoutePath('heartbeat', 'job_1')).toBe('/jobs/job_1/heartbeat')
    expect(workerRoutePath('fail', 'a/b')).toBe('/jobs/a%2Fb/fail')
    expect(workerRoutePath('lease')).toBe('/lease')
  })
})
