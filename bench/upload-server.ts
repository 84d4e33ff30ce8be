/**
 * The server side of `bench/upload-memory.ts`, run in a child process so the
 * bytes it receives never count towards the client's memory.
 *
 * It starts the local IMA server (which hands out and verifies the signed
 * upload tokens) and a front host for uploads: token requests are passed to
 * the local server unchanged, and the `ful` it answers is pointed at a sink
 * here that counts the PUT bytes and drops them. The sink is needed because
 * the local server keeps every upload in memory and caps a PUT at 64 MiB, and
 * the benchmark sends 100 MiB. Prints one JSON line `{ baseURL, uploadURL,
 * apiKey }`, and exits when its stdin closes.
 */
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startImaServer } from '../src/testing/index.js'

const ima = await startImaServer()
let lastPutBytes = 0
let sinkIds = 0

async function readAll(req: IncomingMessage): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return new Uint8Array(Buffer.concat(chunks))
}

const front = createServer((req, res) => {
  void (async () => {
    const url = req.url ?? '/'
    if (req.method === 'PUT' && url.startsWith('/sink/')) {
      let bytes = 0
      for await (const chunk of req) bytes += (chunk as Buffer).length
      lastPutBytes = bytes
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 0, message: 'success', data: null }))
      return
    }
    if (url === '/stats') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ lastPutBytes }))
      return
    }
    // The token request: verified by the local server, answered with ful pointed at the sink.
    const body = req.method === 'POST' ? await readAll(req) : undefined
    const upstream = await fetch(`${ima.uploadURL}${url}`, {
      method: req.method,
      headers: { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' },
      body,
    })
    const envelope = (await upstream.json()) as { data?: { ful?: string } | null }
    if (envelope.data?.ful) envelope.data.ful = `${frontURL}/sink/${(sinkIds += 1)}`
    res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(JSON.stringify(envelope))
  })().catch((error: unknown) => {
    res.writeHead(500).end(String(error))
  })
})
await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve))
const frontURL = `http://127.0.0.1:${(front.address() as AddressInfo).port}`

console.log(JSON.stringify({ baseURL: ima.url, uploadURL: frontURL, apiKey: ima.apiKey }))
process.stdin.resume()
process.stdin.on('end', () => {
  front.closeAllConnections()
  front.close()
  void ima.close()
})
