/** @module `npm start`: the whole service locally, one URL, Ctrl-C stops everything. */
import { createServer } from 'node:net'
import { startStack } from './local-stack.ts'

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

const port = Number(process.env.PORT ?? 8787)
const s3Port = Number(process.env.S3_PORT ?? 9000)
console.log('Starting Constellate (local S3, edge in wrangler dev, one CPU worker)…')
for (const [name, value] of [['PORT', port], ['S3_PORT', s3Port]] as const) {
  if (!(await portIsFree(value))) {
    console.error(`Port ${value} is already in use. Stop whatever uses it, or pick another with ${name}=<port> npm start.`)
    process.exit(1)
  }
}
const stack = await startStack({ port, s3Port, verbose: process.env.VERBOSE === '1', logDir: '.data/logs' })
console.log(`\nConstellate is running at ${stack.url}\n(storage at ${stack.s3Url}; state in .data/, logs in .data/logs/; Ctrl-C to stop)\n`)

let stopping = false
async function shutdown(signal: string) {
  if (stopping) return
  stopping = true
  console.log(`\n${signal}: stopping…`)
  await stack.stop()
  console.log('Stopped.')
  process.exit(0)
}
process.on('SIGINT', () => void shutdown('SIGINT'))
process.on('SIGTERM', () => void shutdown('SIGTERM'))
