/**
 * The server side of `bench/throughput.ts`, run in a child process so the
 * servers' CPU never shares the measured client's event loop: the local IMA
 * server from the build (`dist/testing`) and a stub host answering what each
 * peer SDK's cheapest GET expects. Prints one JSON line `{ imaURL, apiKey,
 * stubURL }`, and exits when its stdin closes.
 *
 * `GET /__bench/requests` on the stub host answers how many requests the IMA
 * server saw since the last ask (and forgets them, so 100 000 recorded
 * requests do not pile up in memory): the bench checks that every SDK call
 * really made its own request.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { importDist } from './lib/stats.js'
import { answerPeer } from './peers/stubs.js'

const { startImaServer } = await importDist.testing()
const ima = await startImaServer({ progression: 'polls' })

const stub = createServer((req, res) => {
  if (answerPeer(req, res)) return
  if (req.url === '/__bench/requests') {
    const count = ima.requests.length
    ima.requests.length = 0
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ count }))
    return
  }
  res.writeHead(404).end()
})
// Many keep-alive sockets at c=64: no per-server cap, and sockets outlive a round's pause.
stub.keepAliveTimeout = 60_000
await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve))

console.log(JSON.stringify({ imaURL: ima.url, apiKey: ima.apiKey, stubURL: `http://127.0.0.1:${(stub.address() as AddressInfo).port}` }))
process.stdin.resume()
process.stdin.on('end', () => {
  stub.closeAllConnections()
  stub.close()
  void ima.close()
})
