/**
 * The SDK's four figures, each as a ratio against a baseline measured in the
 * same run: `npm run bench` (or `npx tsx bench/sdk.ts`).
 *
 * 1. Request overhead: `products.list` / `tasks.get` against a raw `fetch`
 *    of the same endpoint on the local server (requests per second).
 * 2. Polling: requests made and detection delay per completed task, the
 *    default schedule against fixed 5 s polling, over a simulated mix of task
 *    durations per model (each model's estimated range, ±25 %).
 * 3. Cold import of the built main entry against `node -e 0`.
 * 4. Bundle size of the main entry (minified + gzip) against the floor any
 *    client needs (ofetch + eventemitter3).
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { ImaClient, MODEL_CATALOG, planPollSchedule, type PollPhase } from '../src/index.js'
import { startImaServer } from '../src/testing/index.js'

const ROOT = resolve(import.meta.dirname, '..')
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number
const fixed = (value: number, digits = 2) => value.toFixed(digits)

async function requestOverhead(): Promise<void> {
  const server = await startImaServer({ progression: 'polls' })
  const ima = new ImaClient({ apiKey: server.apiKey, baseURL: server.url, productCacheTtlMs: 0 })
  const task = await ima.tasks.create({ model: 'MJ', prompt: 'bench [never]' })
  const headers = { authorization: `Bearer ${server.apiKey}`, 'x-app-source': 'ima_skills', 'content-type': 'application/json' }
  const listURL = `${server.url}/open/v1/product/list?app=ima&platform=web&category=text_to_image`
  const cases = {
    'products.list': {
      sdk: () => ima.products.list('text_to_image'),
      raw: async () => (await fetch(listURL, { headers })).json(),
    },
    'tasks.get': {
      sdk: () => ima.tasks.get(task.id),
      raw: async () => (await fetch(`${server.url}/open/v1/tasks/detail`, { method: 'POST', headers, body: JSON.stringify({ task_id: task.id }) })).json(),
    },
  }
  const ROUNDS = 7
  const PER_ROUND = 300
  const rate = async (call: () => Promise<unknown>) => {
    const started = performance.now()
    for (let i = 0; i < PER_ROUND; i += 1) await call()
    return PER_ROUND / ((performance.now() - started) / 1000)
  }
  console.log('1. Request overhead (local server, sequential requests, medians of interleaved rounds)')
  for (const [name, { sdk, raw }] of Object.entries(cases)) {
    for (let i = 0; i < 50; i += 1) await Promise.all([sdk(), raw()]) // warm-up
    const sdkRates: number[] = []
    const rawRates: number[] = []
    for (let round = 0; round < ROUNDS; round += 1) {
      rawRates.push(await rate(raw))
      sdkRates.push(await rate(sdk))
    }
    const ratio = median(sdkRates) / median(rawRates)
    console.log(`   ${name.padEnd(14)} SDK ${fixed(median(sdkRates), 0)} req/s, raw fetch ${fixed(median(rawRates), 0)} req/s → ${fixed(ratio)}× raw fetch`)
  }
  await server.close()
}

/** Polls made and detection delay for a task finishing at `doneMs`, on a schedule. */
function simulate(schedule: readonly PollPhase[], doneMs: number): { polls: number; delayMs: number } {
  let polls = 0
  for (const phase of schedule) {
    for (let at = phase.fromElapsedMs; at < phase.toElapsedMs; at += phase.intervalMs) {
      polls += 1
      if (at >= doneMs) return { polls, delayMs: at - doneMs }
    }
  }
  throw new Error('unreachable: the last phase is open-ended')
}

function pollingCost(): void {
  console.log('2. Polling per completed task (simulated durations: each model\u2019s range ±25 %, 200 tasks per model)')
  let totals = { adaptive: { polls: 0, delay: 0 }, fixed: { polls: 0, delay: 0 }, tasks: 0 }
  for (const model of MODEL_CATALOG) {
    const [fastest, slowest] = model.estimatedSeconds.map((s) => s * 1000) as [number, number]
    const adaptive = planPollSchedule({ estimatedSeconds: model.estimatedSeconds, modelIntervalMs: model.pollIntervalMs, startKnown: true })
    const everyFive = planPollSchedule({ estimatedSeconds: model.estimatedSeconds, modelIntervalMs: 5000, fixedIntervalMs: 5000, startKnown: true })
    let random = 2026
    const next = () => ((random = (random * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    const sums = { adaptive: { polls: 0, delay: 0 }, fixed: { polls: 0, delay: 0 } }
    for (let i = 0; i < 200; i += 1) {
      const done = fastest * 0.75 + next() * (slowest * 1.25 - fastest * 0.75)
      const a = simulate(adaptive, done)
      const f = simulate(everyFive, done)
      sums.adaptive.polls += a.polls
      sums.adaptive.delay += a.delayMs
      sums.fixed.polls += f.polls
      sums.fixed.delay += f.delayMs
    }
    totals = {
      adaptive: { polls: totals.adaptive.polls + sums.adaptive.polls, delay: totals.adaptive.delay + sums.adaptive.delay },
      fixed: { polls: totals.fixed.polls + sums.fixed.polls, delay: totals.fixed.delay + sums.fixed.delay },
      tasks: totals.tasks + 200,
    }
    console.log(
      `   ${model.name.padEnd(16)} default: ${fixed(sums.adaptive.polls / 200, 1)} requests, ${fixed(sums.adaptive.delay / 200 / 1000, 2)} s late · fixed 5 s: ${fixed(sums.fixed.polls / 200, 1)} requests, ${fixed(sums.fixed.delay / 200 / 1000, 2)} s late`,
    )
  }
  console.log(
    `   all models        requests ${fixed(totals.adaptive.polls / totals.fixed.polls)}× fixed 5 s, detection delay ${fixed(totals.adaptive.delay / totals.fixed.delay)}× fixed 5 s`,
  )
}

function coldImport(): void {
  const entry = resolve(ROOT, 'dist/index.js')
  if (!existsSync(entry)) throw new Error('Run `npm run build` first: the cold import is measured on dist/index.js')
  const env = { ...process.env }
  delete env.NODE_EXTRA_CA_CERTS // adds ~50 ms to every Node start here; not the SDK's cost
  delete env.NODE_OPTIONS
  const time = (args: string[]) => {
    const started = performance.now()
    const result = spawnSync(process.execPath, args, { env, stdio: 'ignore' })
    if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed`)
    return performance.now() - started
  }
  const bare: number[] = []
  const sdk: number[] = []
  for (let i = 0; i < 15; i += 1) {
    bare.push(time(['-e', '0']))
    sdk.push(time(['--input-type=module', '-e', `await import(${JSON.stringify(entry)})`]))
  }
  console.log(`3. Cold import: node -e 0 ${fixed(median(bare), 1)} ms, import('ima-open-sdk') ${fixed(median(sdk), 1)} ms → ${fixed(median(sdk) / median(bare))}× node -e 0`)
}

async function bundleSize(): Promise<void> {
  const gz = async (contents: string) => {
    const output = await build({ stdin: { contents, resolveDir: ROOT, loader: 'ts' }, bundle: true, minify: true, platform: 'neutral', mainFields: ['module', 'main'], format: 'esm', write: false, logLevel: 'silent' })
    return gzipSync(output.outputFiles[0]?.contents ?? new Uint8Array()).length
  }
  const sdk = await gz(`export * from './dist/index.js'`)
  const client = await gz(`export { ImaClient } from './dist/index.js'`)
  // The floor any client needs: an HTTP layer (ofetch) and the events (eventemitter3).
  const floor = await gz(`export { ofetch } from 'ofetch'; export { EventEmitter } from 'eventemitter3'`)
  console.log(`4. Bundle (minified + gzip): main entry ${fixed(sdk / 1024, 1)} kB, ImaClient alone ${fixed(client / 1024, 1)} kB; ofetch + eventemitter3 alone ${fixed(floor / 1024, 1)} kB → ${fixed(sdk / floor)}× that floor (budgets in package.json "size-limit")`)
}

await requestOverhead()
pollingCost()
coldImport()
await bundleSize()
