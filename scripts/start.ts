/**
 * @module `npm start`: the whole service locally, one URL. A worker that dies is restarted; Ctrl-C stops the
 * worker first (it hands its running job back), then the edge and storage.
 */
import { createServer } from 'node:net'
import { startStack, type Stack } from './local-stack.ts'

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
// One Ctrl-C can arrive more than once (the terminal signals npm and this process, and npm passes it on), so
// only the first starts the stop. The children lead their own process groups: none of them sees it. A Ctrl-C
// during start-up stops the stack once it is up, so that no child is left running. Closing the terminal (SIGHUP)
// stops it too; the terminal is gone then, so failed writes to it are ignored rather than ending the stop.
// `npm start` execs this file with `node --import tsx`: npm passes its SIGTERM to it (a shell in between would
// just die), and the tsx CLI's relay would SIGKILL it when it takes over 30 ms to acknowledge a signal. Either
// would leave the edge and the worker running.
let stack: Stack | null = null
let stopSignal: string | null = null
function onSignal(signal: string) {
  if (stopSignal) return
  stopSignal = signal
  if (stack) void shutdown(stack, signal)
  else console.log(`\n${signal}: stopping once the stack is up…`)
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal)
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {})

async function shutdown(running: Stack, signal: string) {
  console.log(`\n${signal}: stopping…`)
  try {
    await running.stop()
    console.log('Stopped.')
    process.exit(0)
  } catch (err) {
    console.error('Stopping failed:', err)
    process.exit(1)
  }
}

stack = await startStack({ port, s3Port, verbose: process.env.VERBOSE === '1', logDir: '.data/logs', report: (line) => console.log(line) })
if (stopSignal) await shutdown(stack, stopSignal)
console.log(`\nConstellate is running at ${stack.url}
(storage at ${stack.s3Url}; state in .data/, logs in .data/logs/; a worker that dies is restarted)
Ctrl-C stops it: the worker hands its running job back first, then the edge and storage stop.\n`)
