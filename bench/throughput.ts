/**
 * Request throughput against a raw `fetch` of the same URL, at concurrency 1
 * and 64: `ima.tasks.get` (validated) and `ima.products.list` (cache off),
 * ofetch alone, and each peer SDK's cheapest GET against a stub. The servers
 * run in a child process (`bench/servers.ts`), so `process.cpuUsage()` here
 * is the client's CPU alone: CPU per call is the honest figure when the
 * server, not the client, limits the request rate.
 *
 * Every case runs once per round, a group's cases back to back in an order
 * that rotates each round, so one case's garbage lands on each of the others'
 * bills alike. No full collection is forced between runs: V8 sizes its young
 * generation and its pretenuring from what it has seen, a forced full
 * collection resets that, and the first few hundred calls after it then pay
 * for garbage collection as no steady server does — more, the more a client
 * allocates (measured: +360 µs a call for `products.list` after a forced
 * collection, +65 µs without). Ratios are medians of
 * per-round ratios to the group's raw fetch in the same round.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { ofetch } from 'ofetch'
import { cleanChildEnv, fixed, importDist, median, printTable, quantile, requireBuild, verdict } from './lib/stats.js'
import { peerCases } from './peers/clients.js'


export interface Hosts {
  imaURL: string
  apiKey: string
  stubURL: string
}

/** Starts `bench/servers.ts` in a child; `stop()` closes its stdin, which ends it. */
export async function startServers(): Promise<{ hosts: Hosts; pid: number | undefined; stop: () => Promise<void> }> {
  requireBuild('dist/index.js', 'dist/testing/index.js')
  const script = fileURLToPath(new URL('./servers.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['pipe', 'pipe', 'inherit'], env: cleanChildEnv() })
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string]
  return {
    hosts: JSON.parse(line) as Hosts,
    pid: child.pid,
    stop: async () => {
      child.stdin!.end()
      if (child.exitCode === null) await once(child, 'exit')
    },
  }
}

/** The IMA calls and their baselines, with the SDK's own headers so the server does the same work for each. */
export async function imaCases(hosts: Hosts) {
  const { ImaClient } = await importDist.main()
  const ima = new ImaClient({ apiKey: hosts.apiKey, baseURL: hosts.imaURL, productCacheTtlMs: 0 })
  const task = await ima.tasks.create({ model: 'MJ', prompt: 'bench [never]' })
  const headers = {
    accept: 'application/json',
    'x-app-source': 'ima_skills',
    x_app_language: 'en',
    'user-agent': 'ima-open-sdk/bench',
    authorization: `Bearer ${hosts.apiKey}`,
  }
  const postHeaders = { ...headers, 'content-type': 'application/json' }
  const detailURL = `${hosts.imaURL}/open/v1/tasks/detail`
  const detailBody = JSON.stringify({ task_id: task.id })
  const listURL = `${hosts.imaURL}/open/v1/product/list?app=ima&platform=web&category=text_to_image`
  return {
    ima,
    taskId: task.id,
    tasksGet: {
      sdk: () => ima.tasks.get(task.id),
      raw: async () => (await fetch(detailURL, { method: 'POST', headers: postHeaders, body: detailBody })).json(),
      ofetch: () => ofetch(detailURL, { method: 'POST', headers: postHeaders, body: { task_id: task.id } }),
    },
    productsList: {
      // `fresh`: concurrent callers would otherwise share one request, and c=64 would measure that, not the client.
      sdk: () => ima.products.list('text_to_image', { fresh: true }),
      raw: async () => (await fetch(listURL, { headers })).json(),
      ofetch: () => ofetch(listURL, { headers }),
    },
  }
}

interface Run {
  rate: number
  cpuPerCallUs: number
}

async function run(call: () => Promise<unknown>, calls: number, concurrency: number): Promise<Run> {
  let issued = 0
  const worker = async () => {
    while (issued < calls) {
      issued += 1
      await call()
    }
  }
  const cpu = process.cpuUsage()
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, worker))
  const seconds = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  return { rate: calls / seconds, cpuPerCallUs: (used.user + used.system) / calls }
}

interface Case {
  group: string
  name: string
  /** Least ratio to the group's raw fetch this case must reach. */
  target?: number
  /** Counts the IMA server's requests after each run, to prove every call made one. */
  countsRequests?: boolean
  call: () => Promise<unknown>
}

const CONCURRENCIES = [1, 64] as const
// Many short runs rather than a few long ones: on a shared machine the load drifts within seconds.
const ROUNDS: Record<number, number> = { 1: 15, 64: 11 }
const CALLS: Record<number, number> = { 1: 60, 64: 384 }

const RAW = 'raw fetch + res.json()'

export async function requestThroughput(hosts: Hosts, serversPid?: number): Promise<void> {
  const { tasksGet, productsList } = await imaCases(hosts)
  // The raw fetch of each group is the baseline of the others in it; the IMA server counts requests.
  const ima = (group: string, name: string, call: () => Promise<unknown>, target?: number): Case => ({ group, name, call, target, countsRequests: true })
  const cases: Case[] = [
    ima('tasks.get', RAW, tasksGet.raw),
    ima('tasks.get', 'ofetch alone', tasksGet.ofetch),
    ima('tasks.get', 'ima.tasks.get (validated)', tasksGet.sdk, 0.9),
    ima('products.list', RAW, productsList.raw),
    ima('products.list', 'ofetch alone', productsList.ofetch),
    ima('products.list', 'ima.products.list (no cache)', productsList.sdk, 0.8),
  ]
  for (const peer of peerCases(hosts.stubURL)) {
    cases.push({ group: peer.peer, name: RAW, call: peer.raw })
    cases.push({ group: peer.peer, name: `${peer.peer} ${peer.call}`, call: peer.sdk })
  }
  const key = (c: Case) => `${c.group}/${c.name}`
  const requestsSeen = async () => ((await (await fetch(`${hosts.stubURL}/__bench/requests`)).json()) as { count: number }).count

  console.log(`3. Request throughput (servers in child process ${serversPid ?? '?'}; interleaved rounds, rotating order; medians, and the interquartile range of the per-round ratio)`)
  console.log(`   IMA ${hosts.imaURL} (local server from dist/testing), peers' stub ${hosts.stubURL}; client CPU = process.cpuUsage() of this process`)
  for (const concurrency of CONCURRENCIES) {
    const calls = CALLS[concurrency] as number
    // Warm-up: JIT, connection pools (one per origin, shared by every client here: they all use the global fetch).
    for (const c of cases) await run(c.call, 200, concurrency)
    await requestsSeen()
    const runs = new Map<string, Run[]>(cases.map((c) => [key(c), []]))
    // A group's cases run back to back (in an order that rotates each round), so a ratio compares
    // runs seconds apart, not minutes: on a shared machine the load drifts in between.
    const groups = [...new Set(cases.map((c) => c.group))].map((group) => cases.filter((c) => c.group === group))
    for (let round = 0; round < (ROUNDS[concurrency] as number); round += 1) {
      for (const group of groups) {
        for (let i = 0; i < group.length; i += 1) {
          const c = group[(i + round) % group.length] as Case
          const result = await run(c.call, calls, concurrency)
          if (c.countsRequests) {
            const seen = await requestsSeen()
            if (seen !== calls) throw new Error(`${key(c)} made ${seen} requests for ${calls} calls`)
          }
          runs.get(key(c))!.push(result)
        }
      }
    }
    const rows = cases.map((c) => {
      const mine = runs.get(key(c))!
      const base = c.name === RAW ? undefined : runs.get(`${c.group}/${RAW}`)!
      const ratios = base ? mine.map((r, i) => r.rate / (base[i] as Run).rate) : undefined
      const ratio = ratios ? median(ratios) : undefined
      const cpu = median(mine.map((r) => r.cpuPerCallUs))
      const extraCpu = base ? median(mine.map((r, i) => r.cpuPerCallUs - (base[i] as Run).cpuPerCallUs)) : undefined
      return [
        c.group,
        c.name,
        fixed(median(mine.map((r) => r.rate)), 0),
        ratio === undefined ? '1.00 (base)' : `${fixed(ratio)}×`,
        ratios ? `${fixed(quantile(ratios, 0.25))}–${fixed(quantile(ratios, 0.75))}` : '',
        fixed(cpu, 0),
        extraCpu === undefined ? '' : `${extraCpu >= 0 ? '+' : ''}${fixed(extraCpu, 0)}`,
        c.target === undefined || ratio === undefined ? '' : `≥ ${fixed(c.target)}× ${verdict(ratio >= c.target)}`,
      ]
    })
    console.log(`\n   concurrency ${concurrency} (${ROUNDS[concurrency]} rounds of ${calls} calls per client)`)
    printTable(['endpoint', 'client', 'req/s', '× raw fetch', 'IQR of ×', 'CPU µs/call', 'CPU − raw µs', 'target'], rows)
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const servers = await startServers()
  try {
    await requestThroughput(servers.hosts, servers.pid)
  } finally {
    await servers.stop()
  }
}
