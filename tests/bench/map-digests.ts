/**
 * @module `npm run digests`: SHA-256 of the maps the service computes for fixed inputs, through the whole
 * path (upload, edge, queue, worker, results): MNIST-10k in 2D and 3D at the defaults (the bench cases'
 * data and options), and a model job (a CNN over an image archive, two layers). A refactoring that claims
 * "no behaviour change" prints the same lines before and after; `--out FILE` writes them as JSON.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startStack } from '../../scripts/local-stack.ts'
import { TestClient } from '../src/api-client.ts'
import { npyFloat32, npyInt32 } from '../src/fixtures.ts'
import { buildStripeCnn } from '../src/onnx-builder.ts'
import { stripeImages, zipBytes } from '../src/onnx-images.ts'
import { loadMnist } from '../../gpu-worker/bench/datasets.ts'

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
const args = process.argv.slice(2)
const out = args.includes('--out') ? args[args.indexOf('--out') + 1] : undefined

const dataDir = mkdtempSync(join(tmpdir(), 'constellate-digests-'))
const stack = await startStack({ port: 0, s3Port: 0, dataDir, workers: 1, edgeVars: { RATE_LIMIT_PER_MINUTE: '100000' } })
const digests: Record<string, string> = {}
try {
  const client = new TestClient(stack.url)
  const finish = async (name: string, body: object) => {
    const created = await client.request('POST', '/api/v1/jobs', body)
    if (created.status !== 201) throw new Error(`${name}: ${created.status} ${JSON.stringify(created.body)}`)
    const job = await client.waitForJob(created.body.job.id, 600_000)
    if (job.status !== 'succeeded') throw new Error(`${name}: ${job.status} ${JSON.stringify(job.error)}`)
    const files = job.model ? ['embedding.npy', 'layers/1/embedding.npy'] : ['embedding.npy']
    for (const file of files) {
      const res = await client.request('GET', `/api/v1/jobs/${job.id}/${file}`)
      digests[`${name} ${file}`] = sha(res.body as Uint8Array)
      console.log(`${name} ${file} ${digests[`${name} ${file}`]}`)
    }
  }
  const mnist = loadMnist()
  const features = await client.uploadVerified('mnist-10k.npy', npyFloat32(mnist.points, [mnist.n, mnist.d]), 'features')
  const labels = await client.uploadVerified('labels.npy', npyInt32(mnist.labels), 'labels')
  await finish('mnist-10k-2d', { features, labels, params: { dims: 2 } })
  await finish('mnist-10k-3d', { features, labels, params: { dims: 3 } })
  const images = stripeImages(40, 16)
  const model = await client.uploadVerified('stripes.onnx', buildStripeCnn(16), 'model' as 'features')
  const inputs = await client.uploadVerified('stripes.zip', zipBytes(images.files), 'inputs' as 'features')
  await finish('model-job', { model: { upload: model, inputs, layers: ['features', 'logits'] }, params: { perplexity: 20, seed: 7 } })
} finally {
  await stack.stop()
  rmSync(dataDir, { recursive: true, force: true })
}
if (out) writeFileSync(out, JSON.stringify(digests, null, 2) + '\n')
