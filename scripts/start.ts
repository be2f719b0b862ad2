/** @module `npm start`: the whole service locally, one URL, Ctrl-C stops everything. */
import { startStack } from './local-stack.ts'

const port = Number(process.env.PORT ?? 8787)
const s3Port = Number(process.env.S3_PORT ?? 9000)
console.log('Starting Constellate (local S3, edge in wrangler dev, one CPU worker)…')
const stack = await startStack({ port, s3Port, verbose: process.env.VERBOSE === '1' })
console.log(`\nConstellate is running at ${stack.url}\n(storage at ${stack.s3Url}; state in .data/; Ctrl-C to stop)\n`)

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
