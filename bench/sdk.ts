/**
 * The figures of the "lean core" goal, each as a ratio against a baseline
 * measured in the same run, with the peer SDKs (openai, fal, replicate)
 * measured the same way: `npm run bench` (or, after `npm run build`,
 * `npx tsx bench/sdk.ts`). Each part also runs alone: `npx tsx bench/size.ts`,
 * `bench/cold-import.ts`, `bench/throughput.ts`, `bench/profile.ts`, `bench/polling.ts`, `bench/batch.ts`, `bench/queue.ts`.
 *
 * 1. Bundle size (min + brotli / gzip, esbuild neutral) of `ImaClient`, `import *` and each peer.
 * 2. Cold start of each entry and `ima --help` against `node -e 0`.
 * 3. Request throughput and client CPU per call against a raw `fetch` of the same URL, c=1 and c=64.
 * 4. CPU profiles of c=1 `tasks.get` and `products.list` against raw fetch: where the rest of the time goes.
 * 5. Polling per completed task: the default schedule against fixed 5 s polling.
 * 6. Batch throughput: `ima batch` at concurrency 1, 4, 16 beside `ima.generate()` at the same concurrency.
 * 7. The generation queue's overhead per job (BullMQ on a throw-away redis-server) against direct `generate()` calls.
 */
import { availableParallelism, cpus, loadavg } from 'node:os'
import { batchThroughput } from './batch.js'
import { coldImports } from './cold-import.js'
import { pollingCost } from './polling.js'
import { queueOverhead } from './queue.js'
import { printProfile, profileCall } from './profile.js'
import { bundleSizes } from './size.js'
import { requestThroughput, startServers } from './throughput.js'

const load = () => loadavg().map((value) => value.toFixed(1)).join(' ')
console.log(`Node ${process.version}, ${availableParallelism()} × ${cpus()[0]?.model.trim() ?? 'cpu'}; load average at start ${load()}\n`)
const started = performance.now()

await bundleSizes()
console.log('')
coldImports()
console.log('')
const servers = await startServers()
try {
  await requestThroughput(servers.hosts, servers.pid)
  console.log('')
  console.log("4. Where a call's CPU goes (the SDK against the raw fetch of the same URL)")
  printProfile(await profileCall(servers.hosts, 'tasks.get'))
  console.log('')
  printProfile(await profileCall(servers.hosts, 'products.list'))
} finally {
  await servers.stop()
}
console.log('')
await pollingCost()
console.log('')
await batchThroughput()
console.log('')
await queueOverhead()
console.log(`\nDone in ${((performance.now() - started) / 1000).toFixed(0)} s; load average at end ${load()}`)
