/**
 * Where a call's CPU goes: the V8 sampling profiler (through `node:inspector`,
 * around the calls only) on `ima.tasks.get` / `ima.products.list` and on the raw
 * `fetch` of the same URL, in alternating blocks against the servers' child
 * process. Self time is grouped by where the code comes from — our `src/`
 * folders and zod (bundled into `dist`, found through dist's source maps),
 * ofetch and its helpers, Node's fetch (undici), other Node internals, V8
 * builtins, GC — and the two are subtracted: what the SDK adds, including
 * the Node work its calls cause.
 */
import { readFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { SourceMap, type SourceMapping } from 'node:module'
import { fileURLToPath } from 'node:url'
import { fixed, printTable } from './lib/stats.js'
import { imaCases, startServers, type Hosts } from './throughput.js'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
  hitCount?: number
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

const sourceMaps = new Map<string, SourceMap | undefined>()
function sourceMapOf(url: string): SourceMap | undefined {
  if (!sourceMaps.has(url)) {
    try {
      sourceMaps.set(url, new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(url)}.map`, 'utf8'))))
    } catch {
      sourceMaps.set(url, undefined)
    }
  }
  return sourceMaps.get(url)
}

/** Where a frame's code comes from, and a short `file:line` for it (through dist's source map). */
function locate(frame: ProfileNode['callFrame']): { origin: string; where: string } {
  const { url, functionName, lineNumber, columnNumber } = frame
  if (url === '') return { origin: /^\((garbage collector|program|idle|root)\)$/.test(functionName) ? functionName : 'native (bindings, V8 builtins)', where: '' }
  if (url.startsWith('node:internal/deps/undici')) return { origin: 'undici (Node fetch)', where: `${url.replace('node:internal/deps/', '')}:${lineNumber + 1}` }
  if (url.startsWith('node:')) return { origin: 'Node internals', where: `${url.replace('node:internal/', '')}:${lineNumber + 1}` }
  if (url.startsWith('wasm:')) return { origin: 'undici (Node fetch)', where: 'llhttp (wasm)' }
  let path = url.startsWith('file:') ? fileURLToPath(url) : url
  let line = lineNumber + 1
  // An empty object when the position has no mapping.
  const entry = (url.includes('/dist/') ? sourceMapOf(url)?.findEntry(lineNumber, columnNumber) : undefined) as Partial<SourceMapping> | undefined
  if (entry?.originalSource !== undefined && entry.originalLine !== undefined) {
    path = entry.originalSource
    line = entry.originalLine + 1
  }
  const short = path.replace(/^.*?node_modules\//, '').replace(/^.*?\/?(src\/)/, '$1')
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1]
  const folder = /(?:^|\/)src\/([^/]+)\//.exec(path)?.[1]
  const origin = pkg ?? (folder ? `src/${folder}` : /(?:^|\/)src\//.test(path) ? 'src (top level)' : /\/bench\//.test(path) ? 'bench loop' : `other (${path})`)
  return { origin, where: `${short}:${line}` }
}

interface FunctionTally {
  name: string
  origin: string
  where: string
  samples: number
}

/** Busy samples of one client, from the profiles of its blocks of calls. */
class Tally {
  calls = 0
  cpuUs = 0
  busySamples = 0
  readonly functions = new Map<string, FunctionTally>()

  add(profile: Profile): void {
    const byId = new Map(profile.nodes.map((node) => [node.id, node]))
    // Sample counts, not time deltas: on a loaded machine a delta also holds the time this
    // process waited for a core. The counts are scaled to measured CPU time afterwards.
    for (const id of profile.samples) {
      const frame = byId.get(id)!.callFrame
      const { origin, where } = locate(frame)
      if (origin === '(idle)') continue
      const name = frame.functionName || '(anonymous)'
      const key = `${name}@${where}`
      const fn = this.functions.get(key) ?? { name, origin, where, samples: 0 }
      fn.samples += 1
      this.functions.set(key, fn)
      this.busySamples += 1
    }
  }

  /** µs per call of a number of samples, given the CPU per call they add up to. */
  usPerCall(samples: number, cpuPerCallUs: number): number {
    return (samples / this.busySamples) * cpuPerCallUs
  }
}

export interface ProfileRow {
  name: string
  origin: string
  where: string
  sdkUs: number
  rawUs: number
}

export type ProfiledEndpoint = 'tasks.get' | 'products.list'

export interface ProfileSummary {
  endpoint: ProfiledEndpoint
  /** Calls in flight at once during the profiled blocks. */
  concurrency: number
  calls: number
  /** CPU per call measured around the profiled blocks, which the sample shares are scaled to. */
  sdkCpuPerCallUs: number
  rawCpuPerCallUs: number
  origins: { origin: string; sdkUs: number; rawUs: number }[]
  functions: ProfileRow[]
}

/**
 * Profiles `ima.tasks.get` and the raw fetch of the same URL in alternating blocks (so load on
 * the machine hits both alike), one profile per block, and compares them: what the SDK adds
 * over the raw request, function by function — including the Node and undici work it causes.
 * Each client's sample shares are scaled to the CPU it used in its own blocks (the profiler's
 * sampling included, alike for both), so the two columns come from the same minutes.
 */
export async function profileCall(
  hosts: Hosts,
  endpoint: ProfiledEndpoint,
  rounds = 8,
  callsPerBlock = 100,
  concurrency = 1,
): Promise<ProfileSummary> {
  const cases = await imaCases(hosts)
  const calls = endpoint === 'tasks.get' ? cases.tasksGet : cases.productsList
  for (let i = 0; i < 300; i += 1) await Promise.all([calls.sdk(), calls.raw()]) // profile the steady state, not the JIT
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 100 })
  const tallies = { sdk: new Tally(), raw: new Tally() }
  for (let round = 0; round < rounds; round += 1) {
    for (const which of round % 2 === 0 ? (['sdk', 'raw'] as const) : (['raw', 'sdk'] as const)) {
      const tally = tallies[which]
      await session.post('Profiler.start')
      const cpu = process.cpuUsage()
      let issued = 0
      const worker = async () => {
        while (issued < callsPerBlock) {
          issued += 1
          await calls[which]()
        }
      }
      await Promise.all(Array.from({ length: concurrency }, worker))
      const used = process.cpuUsage(cpu)
      const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile }
      tally.calls += callsPerBlock
      tally.cpuUs += used.user + used.system
      tally.add(profile)
    }
  }
  session.disconnect()

  const sdkCpu = tallies.sdk.cpuUs / tallies.sdk.calls
  const rawCpu = tallies.raw.cpuUs / tallies.raw.calls
  const rows = new Map<string, ProfileRow>()
  for (const [which, tally, cpu] of [['sdk', tallies.sdk, sdkCpu], ['raw', tallies.raw, rawCpu]] as const) {
    for (const [key, fn] of tally.functions) {
      const row = rows.get(key) ?? { name: fn.name, origin: fn.origin, where: fn.where, sdkUs: 0, rawUs: 0 }
      row[which === 'sdk' ? 'sdkUs' : 'rawUs'] += tally.usPerCall(fn.samples, cpu)
      rows.set(key, row)
    }
  }
  const origins = new Map<string, { origin: string; sdkUs: number; rawUs: number }>()
  for (const row of rows.values()) {
    const origin = origins.get(row.origin) ?? { origin: row.origin, sdkUs: 0, rawUs: 0 }
    origin.sdkUs += row.sdkUs
    origin.rawUs += row.rawUs
    origins.set(row.origin, origin)
  }
  return {
    endpoint,
    concurrency,
    calls: tallies.sdk.calls + tallies.raw.calls,
    sdkCpuPerCallUs: sdkCpu,
    rawCpuPerCallUs: rawCpu,
    origins: [...origins.values()].sort((a, b) => b.sdkUs - b.rawUs - (a.sdkUs - a.rawUs)),
    functions: [...rows.values()],
  }
}

const OURS = (origin: string) => origin.startsWith('src') || ['zod', 'ofetch', 'ufo', 'destr'].includes(origin)
const signed = (us: number) => `${us >= 0 ? '+' : ''}${fixed(us, 1)}`

export function printProfile(summary: ProfileSummary): void {
  console.log(
    `   ${summary.endpoint}, c=${summary.concurrency}: ima ${fixed(summary.sdkCpuPerCallUs, 0)} µs/call, raw fetch ${fixed(summary.rawCpuPerCallUs, 0)} µs/call while profiled (${summary.calls} calls in alternating blocks, V8 sampler every 100 µs; self time = share of busy samples × that CPU)`,
  )
  printTable(
    ['origin', 'ima µs/call', 'raw µs/call', 'ima − raw'],
    summary.origins.slice(0, 10).map((o) => [o.origin, fixed(o.sdkUs, 1), fixed(o.rawUs, 1), signed(o.sdkUs - o.rawUs)]),
  )
  const fnRows = (list: readonly ProfileRow[]) => list.map((fn) => [fn.name, fn.origin, fn.where, fixed(fn.sdkUs, 1), fixed(fn.rawUs, 1), signed(fn.sdkUs - fn.rawUs)])
  const header = ['function', 'origin', 'where', 'ima µs', 'raw µs', 'ima − raw']
  console.log(`\n   top 8 functions by what ima.${summary.endpoint} adds over the raw fetch (self time per call, anywhere)`)
  printTable(header, fnRows([...summary.functions].sort((a, b) => b.sdkUs - b.rawUs - (a.sdkUs - a.rawUs)).slice(0, 8)))
  console.log('\n   top 5 functions in our code, zod (bundled into dist) and ofetch/ufo/destr')
  printTable(header, fnRows(summary.functions.filter((fn) => OURS(fn.origin)).sort((a, b) => b.sdkUs - a.sdkUs).slice(0, 5)))
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const servers = await startServers()
  try {
    console.log("4. Where a call's CPU goes (the SDK against the raw fetch of the same URL)")
    printProfile(await profileCall(servers.hosts, 'tasks.get'))
    console.log('')
    printProfile(await profileCall(servers.hosts, 'products.list'))
  } finally {
    await servers.stop()
  }
}
