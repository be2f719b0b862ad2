// @module compute/kernel-worker-bootstrap — loads the TypeScript worker through tsx, because a
// worker thread cannot import a .ts file on Node 20 by itself (under vitest or tsx alike).
import { register } from 'tsx/esm/api'

register()
await import('./kernel-worker.ts')
