/**
 * A bare `node:http` server on 127.0.0.1, port 0, that records every request
 * it gets (method, path with query, headers, body) — for tests that need a
 * host to misbehave in one precise way, or to prove nothing reached it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface SeenRequest {
  method: string
  /** Path and query, as sent. */
  url: string
  headers: IncomingMessage['headers']
  body: string
}

export interface PlainServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly requests: SeenRequest[]
  close(): Promise<void>
}

/**
 * Starts a server that reads each request body whole, records it, then calls
 * `answer`. With `streaming`, `answer` gets the request before its body is
 * read (and the body is not recorded).
 */
export async function startPlainServer(
  answer: (request: IncomingMessage, response: ServerResponse, seen: SeenRequest) => void,
  options: { streaming?: boolean } = {},
): Promise<PlainServer> {
  const requests: SeenRequest[] = []
  const server = createServer((request, response) => {
    const seen: SeenRequest = { method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers, body: '' }
    requests.push(seen)
    if (options.streaming) return answer(request, response, seen)
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      seen.body = Buffer.concat(chunks).toString('utf8')
      answer(request, response, seen)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
