/** @module vitest globalSetup: one real stack (s3rver, wrangler dev, a CPU worker) for all integration tests. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { startStack, type Stack } from '../../scripts/local-stack.ts'

let stack: Stack | undefined
let dataDir: string | undefined

export async function setup(project: TestProject) {
  dataDir = mkdtempSync(join(tmpdir(), 'constellate-it-'))
  stack = await startStack({ port: 0, s3Port: 0, dataDir, workers: 1, verbose: process.env.VERBOSE === '1' })
  project.provide('stackUrl', stack.url)
  project.provide('s3Url', stack.s3Url)
}

export async function teardown() {
  await stack?.stop()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
}

declare module 'vitest' {
  export interface ProvidedContext {
    stackUrl: string
    s3Url: string
  }
}
