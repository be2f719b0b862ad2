/**
 * @module JobRoom: one Durable Object per job that fans frames and status out to live viewers over
 * hibernatable WebSockets and remembers the latest frame so a late viewer starts from it.
 */
import { DurableObject } from 'cloudflare:workers'
import type { Env } from '../env.ts'
import { Storage } from '../storage.ts'

export class JobRoom extends DurableObject<Env> {
  /** Latest frame bytes; lost on hibernation, then reloaded from storage by key. */
  private latestFrame: Uint8Array | null = null

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') return new Response('expected a WebSocket', { status: 426 })
    const { 0: client, 1: server } = new WebSocketPair()
    this.ctx.acceptWebSocket(server)
    const status = request.headers.get('x-job-status')
    if (status) server.send(JSON.stringify({ type: 'status', job: JSON.parse(status) }))
    const frame = await this.loadLatestFrame()
    if (frame) server.send(frame)
    return new Response(null, { status: 101, webSocket: client })
  }

  private async loadLatestFrame(): Promise<Uint8Array | null> {
    if (this.latestFrame) return this.latestFrame
    const key = await this.ctx.storage.get<string>('latestFrameKey')
    if (!key) return null
    const object = await new Storage(this.env).get(key)
    if (!object) return null
    this.latestFrame = new Uint8Array(await object.arrayBuffer())
    return this.latestFrame
  }

  /** Sends a status message (JSON text) to every viewer. */
  async publishStatus(message: string): Promise<void> {
    for (const socket of this.ctx.getWebSockets()) safeSend(socket, message)
  }

  /** Remembers and sends a frame (CSTF bytes) to every viewer. `key` is where it is persisted. */
  async publishFrame(frame: Uint8Array, key: string): Promise<number> {
    this.latestFrame = frame
    await this.ctx.storage.put('latestFrameKey', key)
    const sockets = this.ctx.getWebSockets()
    for (const socket of sockets) safeSend(socket, frame)
    return sockets.length
  }

  /** A new attempt starts from scratch: forget the previous attempt's frame. */
  async reset(): Promise<void> {
    this.latestFrame = null
    await this.ctx.storage.delete('latestFrameKey')
  }

  override async webSocketMessage(socket: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (message === 'ping') safeSend(socket, 'pong')
  }

  override async webSocketClose(socket: WebSocket, code: number): Promise<void> {
    try {
      socket.close(code === 1005 ? 1000 : code, 'closing')
    } catch {
      // already closed
    }
  }
}

function safeSend(socket: WebSocket, data: string | Uint8Array): void {
  try {
    socket.send(data)
  } catch {
    // A viewer that went away is dropped by the runtime; nothing to do.
  }
}
