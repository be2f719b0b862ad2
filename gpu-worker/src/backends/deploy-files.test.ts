/**
 * No Docker engine or cluster on the build machines: these tests check what can be checked of infra/
 * (the files parse, and the lines that make the image and manifests work are there).
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parse, parseAllDocuments } from 'yaml'

const infra = (path: string) => readFileSync(fileURLToPath(new URL(`../../../infra/${path}`, import.meta.url)), 'utf8')

describe('infra/gpu-worker.Dockerfile', () => {
  const dockerfile = infra('gpu-worker.Dockerfile')
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() && !line.trim().startsWith('#'))

  it('builds on a CUDA runtime image with Node 20 and runs as a non-root user', () => {
    expect(dockerfile).toMatch(/^ARG CUDA_IMAGE=nvidia\/cuda:12\.[0-9.]+-cudnn-runtime-ubuntu22\.04$/m)
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-/m)
    expect(instructions.filter((line) => line.startsWith('FROM ${CUDA_IMAGE}'))).toHaveLength(2)
    expect(instructions).toContain('USER 10001:10001')
    expect(instructions.at(-1)).toBe('ENTRYPOINT ["node", "--import", "tsx", "gpu-worker/src/main.ts"]')
  })

  it('installs onnxruntime-node with its CUDA 12 provider and tfjs-node-gpu at build time', () => {
    expect(dockerfile).toMatch(/^ENV ONNXRUNTIME_NODE_INSTALL=cuda12$/m)
    expect(dockerfile).toMatch(/npm ci --omit=dev .*-w gpu-worker/)
    expect(dockerfile).toContain('libonnxruntime_providers_cuda.so')
    expect(dockerfile).toMatch(/npm install --prefix \/opt\/tfjs .*@tensorflow\/tfjs-node-gpu@\$\{TFJS_NODE_GPU_VERSION\}/)
    expect(dockerfile).toContain('ln -s /opt/tfjs/node_modules/@tensorflow/tfjs-node-gpu node_modules/@tensorflow/tfjs-node-gpu')
    // libtensorflow 2.9 needs the CUDA 11 / cuDNN 8 runtime next to onnxruntime's CUDA 12
    expect(dockerfile).toMatch(/cuda-cudart-11-8 .*libcudnn8/)
  })

  it('writes only to /tmp and checks GET /healthz on WORKER_HEALTH_PORT', () => {
    expect(dockerfile).toMatch(/HOME=\/tmp/)
    expect(dockerfile).toMatch(/TMPDIR=\/tmp/)
    expect(dockerfile).toMatch(/WORKER_HEALTH_PORT=8080/)
    const healthcheck = instructions.find((line) => line.startsWith('HEALTHCHECK'))
    expect(healthcheck).toMatch(/\/healthz/)
    expect(healthcheck).toMatch(/process\.env\.WORKER_HEALTH_PORT/)
  })
})

describe('infra/compose.yaml', () => {
  const compose = parse(infra('compose.yaml'), { merge: true }) as { services: Record<string, Record<string, unknown>> }

  it('runs MinIO, the edge in wrangler dev and GPU workers', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['minio', 'edge', 'worker']))
    expect(JSON.stringify(compose.services.edge!.command)).toContain('wrangler dev')
    const worker = compose.services.worker as { build: { dockerfile: string }; environment: Record<string, string>; read_only: boolean; tmpfs: string[]; deploy: { resources: { reservations: { devices: Array<{ capabilities: string[] }> } } } }
    expect(worker.build.dockerfile).toBe('infra/gpu-worker.Dockerfile')
    expect(worker.deploy.resources.reservations.devices[0]!.capabilities).toEqual(['gpu'])
    expect(worker.read_only).toBe(true)
    expect(worker.tmpfs[0]).toMatch(/^\/tmp/)
  })

  it('gives workers every variable config.ts requires, with the same secret as the edge', () => {
    const env = (compose.services.worker as { environment: Record<string, string> }).environment
    for (const name of ['EDGE_URL', 'WORKER_SECRET', 'S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_BUCKET', 'WORKER_HEALTH_PORT', 'BACKEND']) expect(env).toHaveProperty(name)
    expect(env.EDGE_URL).toBe('http://edge:8787')
    const edgeEnv = compose.services.edge!.environment as Record<string, string>
    expect(edgeEnv.WORKER_SECRET).toBe(env.WORKER_SECRET)
  })
})

describe('infra/k8s', () => {
  const manifests = ['secret.yaml', 'worker-deployment.yaml', 'keda-scaledobject.yaml'].flatMap((file) =>
    parseAllDocuments(infra(`k8s/${file}`)).map((doc) => {
      expect(doc.errors).toEqual([])
      return doc.toJS() as { kind: string; metadata: { name: string }; spec: Record<string, any> }
    }),
  )
  const byKind = (kind: string) => manifests.find((m) => m.kind === kind)!

  it('requests a GPU per worker pod, runs it non-root on a read-only root filesystem with /tmp writable', () => {
    const pod = byKind('Deployment').spec.template.spec
    const container = pod.containers[0]
    expect(container.resources.limits['nvidia.com/gpu']).toBe(1)
    expect(pod.securityContext.runAsNonRoot).toBe(true)
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true)
    expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' })
    expect(container.livenessProbe.httpGet.path).toBe('/healthz')
    expect(container.envFrom[0].secretRef.name).toBe(byKind('Secret').metadata.name)
    expect(Object.keys((byKind('Secret') as any).stringData)).toEqual(['WORKER_SECRET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'])
  })

  it('scales the Deployment on queued jobs plus active leases read from the edge metrics endpoint', () => {
    const scaled = byKind('ScaledObject')
    expect(scaled.spec.scaleTargetRef.name).toBe(byKind('Deployment').metadata.name)
    expect(scaled.spec.advanced.scalingModifiers.formula).toBe('queued + leased')
    const triggers = scaled.spec.triggers as Array<{ type: string; name: string; metadata: Record<string, string> }>
    expect(triggers.map((t) => [t.name, t.metadata.valueLocation])).toEqual([
      ['queued', 'constellate_jobs{status="queued"}'],
      ['leased', 'constellate_leases_active'],
    ])
    for (const trigger of triggers) {
      expect(trigger.type).toBe('metrics-api')
      expect(trigger.metadata.url).toMatch(/\/api\/v1\/metrics$/)
      expect(trigger.metadata.format).toBe('prometheus')
    }
  })
})
