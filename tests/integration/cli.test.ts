import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { TestClient } from '../src/api-client.ts'
import { blobs, npyFloat32, npyInt32, parseNpyFloat32 } from '../src/fixtures.ts'
import { CLI_BIN, cliSandbox, runCli, runProcess } from '../src/cli-run.ts'

const PARAMS = ['--perplexity', '10', '--iterations', '300', '--seed', '3']

/** Does Debian's python3 with numpy exist here (apt-get install python3-numpy)? */
function pythonWithNumpy(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import numpy'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

describe('the constellate CLI against the local stack', () => {
  const stackUrl = inject('stackUrl')
  const sandbox = cliSandbox(stackUrl)
  const files = join(sandbox.home, 'run')
  let token = ''
  let jobId = ''
  let featuresId = ''

  beforeAll(async () => {
    // A token made the way a person makes one: a browser (cookie) session posts to /api/v1/tokens.
    const browser = new TestClient(stackUrl)
    const created = await browser.request('POST', '/api/v1/tokens', { name: 'cli test', scopes: ['read', 'write'] })
    expect(created.status).toBe(201)
    token = created.body.secret
    mkdirSync(files, { recursive: true })
    const { features, labels } = blobs(200, 10, 4, 11)
    writeFileSync(join(files, 'features.npy'), npyFloat32(features, [200, 10]))
    writeFileSync(join(files, 'labels.npy'), npyInt32(labels))
    const broken = features.slice()
    broken[17 * 10 + 4] = Number.NaN
    writeFileSync(join(files, 'nan.npy'), npyFloat32(broken, [200, 10]))
  })

  it('logs in from a token on stdin and stores it in a config file only its owner can read', async () => {
    const result = await runCli(['login', '--json'], { env: sandbox.env, input: `${token}\n` })
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ loggedIn: true, url: stackUrl, configPath: sandbox.configPath })
    expect(statSync(sandbox.configPath).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(sandbox.configPath, 'utf8'))).toEqual({ url: stackUrl, token })
  })

  it('submits files with --wait and prints the finished job as one JSON document', async () => {
    const args = ['submit', join(files, 'features.npy'), '--labels', join(files, 'labels.npy'), ...PARAMS, '--idempotency-key', 'cli-test-run-1', '--wait', '--json']
    const result = await runCli(args, { env: sandbox.env })
    expect(result.code, result.stderr).toBe(0)
    const body = JSON.parse(result.stdout)
    expect(body.created).toBe(true)
    expect(body.job).toMatchObject({ status: 'succeeded', n: 200, d: 10, params: { perplexity: 10, iterations: 300, seed: 3 } })
    jobId = body.job.id
    featuresId = body.uploads.features
    expect(featuresId).toMatch(/^upl_/)
  })

  it('returns the same job for the same idempotency key, without --json printing only its id', async () => {
    const result = await runCli(['submit', featuresId, ...PARAMS, '--idempotency-key', 'cli-test-run-1'], { env: sandbox.env })
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout.trim()).toBe(jobId)
    expect(result.stderr).toContain('Already submitted')
  })

  it('shows status, lists jobs by state and follows a finished job with plain lines', async () => {
    const status = await runCli(['status', jobId], { env: sandbox.env })
    expect(status.code).toBe(0)
    expect(status.stdout).toContain(`${jobId}  succeeded`)
    const listed = await runCli(['jobs', '--status', 'succeeded', '--json'], { env: sandbox.env })
    expect(JSON.parse(listed.stdout).jobs.map((job: { id: string }) => job.id)).toContain(jobId)
    const watched = await runCli(['watch', jobId], { env: sandbox.env })
    expect(watched.code, watched.stderr).toBe(0)
    expect(watched.stdout.trim().split('\n').at(-1)).toMatch(new RegExp(`^${jobId} succeeded done iteration 300/300 KL \\d`))
  })

  it('downloads the embedding (npy of shape [200, 2]), csv, metrics and manifest', async () => {
    const out = join(sandbox.home, 'results')
    const result = await runCli(['download', jobId, '--out', out, '--json'], { env: sandbox.env })
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout).files.map((file: { file: string }) => file.file).sort()).toEqual(['embedding.csv', 'embedding.npy', 'manifest.json', 'metrics.json'])
    const { shape, data } = parseNpyFloat32(new Uint8Array(readFileSync(join(out, 'embedding.npy'))))
    expect(shape).toEqual([200, 2])
    expect(data.every(Number.isFinite)).toBe(true)
    const csv = readFileSync(join(out, 'embedding.csv'), 'utf8').trim().split('\n')
    expect(csv[0]).toBe('x,y,label')
    expect(csv).toHaveLength(201)
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).params).toMatchObject({ perplexity: 10, seed: 3 })
  })

  it('joins two feature files with metadata, subsamples by label, and downloads the map data', async () => {
    const { features, labels } = blobs(240, 10, 4, 12)
    writeFileSync(join(files, 'half-a.npy'), npyFloat32(features.subarray(0, 120 * 10), [120, 10]))
    writeFileSync(join(files, 'half-b.npy'), npyFloat32(features.subarray(120 * 10), [120, 10]))
    writeFileSync(join(files, 'labels-240.npy'), npyInt32(labels))
    writeFileSync(join(files, 'meta.csv'), 'epoch\n' + Array.from({ length: 240 }, (_, i) => String(i % 7)).join('\n') + '\n')
    const args = ['submit', join(files, 'half-a.npy'), join(files, 'half-b.npy'), '--labels', join(files, 'labels-240.npy'), '--metadata', join(files, 'meta.csv')]
    const result = await runCli([...args, '--subsample', 'stratified:25', ...PARAMS, '--wait', '--json'], { env: sandbox.env })
    expect(result.code, result.stderr).toBe(0)
    const body = JSON.parse(result.stdout)
    expect(body.job).toMatchObject({ status: 'succeeded', n: 100 })
    expect(body.uploads.features).toHaveLength(2)
    const out = join(sandbox.home, 'map-data')
    const download = await runCli(['download', body.job.id, '--out', out, '--only', 'indices,neighbours,quality,metadata,manifest', '--json'], { env: sandbox.env })
    expect(download.code, download.stderr).toBe(0)
    const metadata = JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8'))
    expect(metadata.columns.map((c: { name: string }) => c.name)).toEqual(['source', 'epoch'])
    expect(metadata.columns[0].categories).toEqual(['half-a.npy', 'half-b.npy'])
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).subsample).toMatchObject({ method: 'stratified', perLabel: 25, nBefore: 240, nAfter: 100 })
    expect(statSync(join(out, 'quality-points.npy')).size).toBeGreaterThan(100 * 4)
    const bad = await runCli(['submit', join(files, 'half-a.npy'), '--subsample', 'random', '--json'], { env: sandbox.env })
    expect(bad.code).toBe(2)
    expect(JSON.parse(bad.stdout).error.message).toMatch(/--subsample/)
  })

  it('creates a read-only token for another machine, lists it without its secret, and revokes it', async () => {
    const created = await runCli(['token', 'create', 'ci reader', '--scopes', 'read', '--json'], { env: sandbox.env })
    expect(created.code, created.stderr).toBe(0)
    const { token: made, secret } = JSON.parse(created.stdout)
    expect(secret).toMatch(/^cst_/)
    expect(made.scopes).toEqual(['read'])
    const reader = { ...sandbox.env, CONSTELLATE_TOKEN: secret }
    expect((await runCli(['status', jobId], { env: reader })).code).toBe(0)
    const write = await runCli(['cancel', jobId, '--json'], { env: reader })
    expect(write.code).toBe(4)
    const listed = await runCli(['token', 'list'], { env: sandbox.env })
    expect(listed.stdout).toMatch(new RegExp(`${made.id}\\s+${made.prefix}…\\s+read\\s+active\\s+ci reader`))
    expect(listed.stdout).not.toContain(secret)
    expect((await runCli(['token', 'revoke', made.id], { env: sandbox.env })).code).toBe(0)
    const after = await runCli(['status', jobId, '--json'], { env: reader })
    expect(after.code).toBe(4)
    expect((await runCli(['token', 'create', 'x', '--scopes', 'admin'], { env: sandbox.env })).code).toBe(2)
  })

  it('creates a share link that opens the viewer, and revokes it so it answers 410', async () => {
    const created = await runCli(['link', 'create', jobId, '--json'], { env: sandbox.env })
    expect(created.code, created.stderr).toBe(0)
    const { link, url } = JSON.parse(created.stdout)
    expect(url).toBe(`${stackUrl}/v/${link.token}`)
    expect((await fetch(url)).status).toBe(200)

    const revoked = await runCli(['link', 'revoke', link.id], { env: sandbox.env })
    expect(revoked.code, revoked.stderr).toBe(0)
    expect((await fetch(url)).status).toBe(410)
    const listed = JSON.parse((await runCli(['link', 'list', jobId, '--json'], { env: sandbox.env })).stdout)
    expect(listed.links.find((item: { id: string }) => item.id === link.id).revokedAt).not.toBeNull()
  })

  it('exits 4 for a bad token, 5 for an unknown job, 2 for a usage error, each with a JSON error', async () => {
    const badToken = await runCli(['status', jobId, '--json'], { env: { ...sandbox.env, CONSTELLATE_TOKEN: 'cst_not-a-real-token' } })
    expect(badToken.code).toBe(4)
    expect(JSON.parse(badToken.stdout)).toMatchObject({ error: { status: 401, code: 'invalid_token' }, exitCode: 4 })

    const unknown = await runCli(['status', 'job_doesnotexist', '--json'], { env: sandbox.env })
    expect(unknown.code).toBe(5)
    expect(JSON.parse(unknown.stdout).error.code).toBe('job_not_found')

    const usage = await runCli(['submit', join(files, 'features.npy'), '--dims', '4', '--json'], { env: sandbox.env })
    expect(usage.code).toBe(2)
    expect(JSON.parse(usage.stdout).error.message).toMatch(/dims/)
    expect((await runCli(['frobnicate'], { env: sandbox.env })).code).toBe(2)

    const noTokenAnywhere = cliSandbox(stackUrl)
    const loginWithoutToken = await runCli(['login'], { env: noTokenAnywhere.env, input: '' })
    expect(loginWithoutToken.code).toBe(2)
    expect(loginWithoutToken.stderr).toMatch(/No token given/)
  })

  it('exits 3 when the job fails (features with a NaN), naming the row', async () => {
    const result = await runCli(['submit', join(files, 'nan.npy'), ...PARAMS, '--wait', '--json'], { env: sandbox.env })
    expect(result.code, result.stderr).toBe(3)
    const body = JSON.parse(result.stdout)
    expect(body.exitCode).toBe(3)
    expect(body.job).toMatchObject({ status: 'failed', error: { code: 'non_finite_features' } })
    expect(result.stderr).toContain('non_finite_features')
  })

  it('runs the shell example (examples/pipeline.sh): prints a share link that opens', async () => {
    const env = { ...sandbox.env, CONSTELLATE: `${process.execPath} ${CLI_BIN}`, PERPLEXITY: '10', ITERATIONS: '300' }
    const result = await runProcess('sh', [join(process.cwd(), 'examples/pipeline.sh'), join(files, 'features.npy'), join(files, 'labels.npy'), 'shell-run'], { env, cwd: files })
    expect(result.code, result.stderr).toBe(0)
    const url = result.stdout.trim().split('\n').at(-1)!
    expect(url).toMatch(new RegExp(`^${stackUrl}/v/[\\w-]+$`))
    expect((await fetch(url)).status).toBe(200)
    expect(statSync(join(files, 'results/shell-run/embedding.npy')).size).toBeGreaterThan(200 * 2 * 4)
  })

  it('runs the Python example (examples/pipeline.py, standard library + numpy): prints a share link that opens', async (context) => {
    if (!pythonWithNumpy()) {
      context.skip('SKIPPED: /usr/bin/python3 with numpy is not installed here (apt-get install python3-numpy; .ci/run installs it)')
      return
    }
    const env = { ...sandbox.env, CONSTELLATE_TOKEN: token }
    const args = [join(process.cwd(), 'examples/pipeline.py'), join(files, 'features.npy'), join(files, 'labels.npy'), '--perplexity', '10', '--iterations', '300', '--run-id', 'python-run']
    const result = await runProcess('/usr/bin/python3', args, { env, cwd: files })
    expect(result.code, result.stderr).toBe(0)
    const url = result.stdout.trim().split('\n').at(-1)!
    expect(url).toMatch(new RegExp(`^${stackUrl}/v/[\\w-]+$`))
    expect((await fetch(url)).status).toBe(200)
    // Run again with the same run id: the Idempotency-Key returns the same job (a new link to it).
    const again = await runProcess('/usr/bin/python3', args, { env, cwd: files })
    expect(again.code, again.stderr).toBe(0)
    const jobLine = (text: string) => /job (job_\w+)/.exec(text)?.[1]
    expect(jobLine(again.stderr)).toBe(jobLine(result.stderr))
  })
})
