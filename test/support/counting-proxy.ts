/**
 * A proxy in front of a local IMA server that counts the creates in flight
 * (from the request's arrival to the end of its answer): the server's view of
 * a limit on concurrent creates, whichever processes send them.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

const CREATE_PATH = '/open/v1/tasks/create'

/** A proxy in front of the server that counts creates in flight (request arrived → response finished) and keeps the most seen. */
export async function startCountingProxy(target: string): Promise<{ url: string; maxInFlight(): number; creates(): number; close(): Promise<void> }> {
  const upstream = new URL(target)
  let inFlight = 0
  let max = 0
  let creates = 0
  const server: Server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const isCreate = incoming.method === 'POST' && (incoming.url ?? '').split('?')[0] === CREATE_PATH
    let counted = isCreate
    if (isCreate) {
      creates += 1
      inFlight += 1
      max = Math.max(max, inFlight)
    }
    const done = () => {
      if (counted) inFlight -= 1
      counted = false
    }
    // 'close' follows 'finish', and also comes alone when the connection drops: counted down exactly once.
    outgoing.once('close', done)
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(outgoing)
      },
    )
    forward.once('error', (error) => outgoing.destroy(error))
    incoming.pipe(forward)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    maxInFlight: () => max,
    creates: () => creates,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
