/**
 * Request throughput against a raw `fetch` of the same URL, at concurrency 1
 * and 64: `ima.tasks.get` (validated) and `ima.products.list` (cache off),
 * ofetch alone, and each peer SDK's cheapest GET against a stub. The servers
 * run in a child process (`bench/servers.ts`), so `process.cpuUsage()` here
 * is the client's CPU alone: CPU per call is the honest figure when the
 * server, not the client, limits the request rate.
 *
 * At concurrency 1 a group's cases take turns call by call (A B C, B C A, …):
 * on this shared machine the load drifts within seconds, and runs even a
 * second apart measured ratios 0.76–1.14 for the same client; call by call
 * every case meets the same load. The ratio is the raw fetch's mean time per
 * call over the case's (the ratio of req/s over the whole run), its spread
 * the interquartile range of that ratio over 20 blocks of the run. At
 * concurrency 64 every case runs once per round, a group's cases back to
 * back in an order that rotates each round, so one case's garbage lands on
 * each of the others' bills alike. No full collection is forced between runs: V8 sizes its young
 * generation and its pretenuring from what it has seen, a forced full
 * collection resets that, and the first few hundred calls after it then pay
 * for garbage collection as no steady server does — more, the more a client
 * allocates (measured: +360 µs a call for `products.list` after a forced
 * collection, +65 µs without). At concurrency 64 ratios are medians of
 * per-round ratios to the group's raw fetch in the same round.
 *
 * Two more baselines show where the rest goes: the raw fetch with a time
 * limit of its own (an AbortController and a timer per call, as every client
 * with a per-attempt timeout has), and ofetch used as the SDK's send path
 * uses it — a time limit per call, the answer as a stream read to text and
 * parsed — which is the floor of any client built on ofetch with a
 * per-attempt timeout. Below each table, the SDK against that floor: what
 * its own work (options, envelope, validation, redaction, retry loop) costs.
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

/** ofetch as the send path uses it: a time limit per call, no redirect followed, the answer read as text and parsed. */
async function ofetchAsSendPath(url: string, init: { method?: 'POST'; headers: Record<string, string>; body?: string }): Promise<unknown> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), 60_000)
  try {
    const response = await ofetch.raw(url, { ...init, signal: controller.signal, redirect: 'manual', responseType: 'stream', ignoreResponseError: true, retry: false })
    return JSON.parse(await response.text())
  } finally {
    clearTimeout(timer)
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
      rawWithTimeout: async () => {
        const controller = new AbortController()
        const timer = setTimeout(() => controller.abort(), 60_000)
        try {
          return await (await fetch(detailURL, { method: 'POST', headers: postHeaders, body: detailBody, signal: controller.signal })).json()
        } finally {
          clearTimeout(timer)
        }
      },
      ofetch: () => ofetch(detailURL, { method: 'POST', headers: postHeaders, body: { task_id: task.id } }),
      ofetchWithTimeout: () => ofetchAsSendPath(detailURL, { method: 'POST', headers: postHeaders, body: detailBody }),
    },
    productsList: {
      // `fresh`: concurrent callers would otherwise share one request, and c=64 would measure that, not the client.
      sdk: () => ima.products.list('text_to_image', { fresh: true }),
      raw: async () => (await fetch(listURL, { headers })).json(),
      ofetch: () => ofetch(listURL, { headers }),
      ofetchWithTimeout: () => ofetchAsSendPath(listURL, { headers }),
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

// Concurrency 64: many short runs rather than a few long ones, since on a shared machine the load drifts within seconds.
const ROUNDS_AT_64 = 11
const CALLS_AT_64 = 384
// Concurrency 1: turns per client (every case of a group once per turn), cut into blocks for the spread.
const TURNS_AT_1 = 4_000
const BLOCKS_AT_1 = 20

const RAW = 'raw fetch + res.json()'
const FLOOR = 'ofetch + a timeout, as the send path'

/** One case's figures against its group's raw fetch: the row printed. */
interface Measured {
  rate: number
  ratio: number | undefined
  spread: [number, number] | undefined
  cpuPerCallUs: number
  extraCpuUs: number | undefined
}

function row(c: Case, figures: Measured): string[] {
  const { ratio, spread, extraCpuUs } = figures
  return [
    c.group,
    c.name,
    fixed(figures.rate, 0),
    ratio === undefined ? '1.00 (base)' : `${fixed(ratio)}×`,
    spread ? `${fixed(spread[0])}–${fixed(spread[1])}` : '',
    fixed(figures.cpuPerCallUs, 0),
    extraCpuUs === undefined ? '' : `${extraCpuUs >= 0 ? '+' : ''}${fixed(extraCpuUs, 0)}`,
    c.target === undefined || ratio === undefined ? '' : `≥ ${fixed(c.target)}× ${verdict(ratio >= c.target)}`,
  ]
}

const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length

/**
 * Concurrency 1, call by call: each turn calls every case of the group once
 * (the order rotating each turn), timing each call's wall clock and this
 * process's CPU. A case's ratio is the raw fetch's mean time over its own.
 */
async function measureTurnByTurn(group: readonly Case[], turns: number): Promise<Map<Case, Measured>> {
  const wall = group.map((): number[] => [])
  const cpu = group.map((): number[] => [])
  for (let turn = 0; turn < turns; turn += 1) {
    for (let i = 0; i < group.length; i += 1) {
      const index = (i + turn) % group.length
      const started = performance.now()
      const usage = process.cpuUsage()
      await (group[index] as Case).call()
      const used = process.cpuUsage(usage)
      ;(wall[index] as number[]).push((performance.now() - started) * 1000)
      ;(cpu[index] as number[]).push(used.user + used.system)
    }
  }
  const baseIndex = group.findIndex((c) => c.name === RAW)
  const blockRatios = (index: number): number[] => {
    const size = Math.floor(turns / BLOCKS_AT_1)
    return Array.from({ length: BLOCKS_AT_1 }, (_, block) => {
      const slice = (values: readonly number[]) => values.slice(block * size, (block + 1) * size)
      return mean(slice(wall[baseIndex] as number[])) / mean(slice(wall[index] as number[]))
    })
  }
  return new Map(
    group.map((c, index) => {
      const isBase = index === baseIndex
      const blocks = isBase ? undefined : blockRatios(index)
      const cpuPerCallUs = mean(cpu[index] as number[])
      return [
        c,
        {
          rate: 1e6 / mean(wall[index] as number[]),
          ratio: isBase ? undefined : mean(wall[baseIndex] as number[]) / mean(wall[index] as number[]),
          spread: blocks ? [quantile(blocks, 0.25), quantile(blocks, 0.75)] : undefined,
          cpuPerCallUs,
          extraCpuUs: isBase ? undefined : cpuPerCallUs - mean(cpu[baseIndex] as number[]),
        },
      ]
    }),
  )
}

/** Concurrency 64: rounds in which every case of the group runs `calls` calls, back to back, the order rotating each round. */
async function measureInRounds(group: readonly Case[], afterRun: (c: Case, calls: number) => Promise<void>): Promise<Map<Case, Measured>> {
  const runs = group.map((): Run[] => [])
  for (let round = 0; round < ROUNDS_AT_64; round += 1) {
    for (let i = 0; i < group.length; i += 1) {
      const index = (i + round) % group.length
      const c = group[index] as Case
      ;(runs[index] as Run[]).push(await run(c.call, CALLS_AT_64, 64))
      await afterRun(c, CALLS_AT_64)
    }
  }
  const base = runs[group.findIndex((c) => c.name === RAW)] as Run[]
  return new Map(
    group.map((c, index) => {
      const mine = runs[index] as Run[]
      const ratios = c.name === RAW ? undefined : mine.map((r, i) => r.rate / (base[i] as Run).rate)
      return [
        c,
        {
          rate: median(mine.map((r) => r.rate)),
          ratio: ratios ? median(ratios) : undefined,
          spread: ratios ? [quantile(ratios, 0.25), quantile(ratios, 0.75)] : undefined,
          cpuPerCallUs: median(mine.map((r) => r.cpuPerCallUs)),
          extraCpuUs: ratios ? median(mine.map((r, i) => r.cpuPerCallUs - (base[i] as Run).cpuPerCallUs)) : undefined,
        },
      ]
    }),
  )
}

export async function requestThroughput(hosts: Hosts, serversPid?: number): Promise<void> {
  const { tasksGet, productsList } = await imaCases(hosts)
  // The raw fetch of each group is the baseline of the others in it; the IMA server counts requests.
  const ima = (group: string, name: string, call: () => Promise<unknown>, target?: number): Case => ({ group, name, call, target, countsRequests: true })
  const cases: Case[] = [
    ima('tasks.get', RAW, tasksGet.raw),
    ima('tasks.get', 'raw fetch + a timeout per call', tasksGet.rawWithTimeout),
    ima('tasks.get', 'ofetch alone', tasksGet.ofetch),
    ima('tasks.get', FLOOR, tasksGet.ofetchWithTimeout),
    ima('tasks.get', 'ima.tasks.get (validated)', tasksGet.sdk, 0.9),
    ima('products.list', RAW, productsList.raw),
    ima('products.list', 'ofetch alone', productsList.ofetch),
    ima('products.list', FLOOR, productsList.ofetchWithTimeout),
    ima('products.list', 'ima.products.list (no cache)', productsList.sdk, 0.8),
  ]
  for (const peer of peerCases(hosts.stubURL)) {
    cases.push({ group: peer.peer, name: RAW, call: peer.raw })
    cases.push({ group: peer.peer, name: `${peer.peer} ${peer.call}`, call: peer.sdk })
  }
  const requestsSeen = async () => ((await (await fetch(`${hosts.stubURL}/__bench/requests`)).json()) as { count: number }).count
  // Proves every call made exactly one request to the IMA server.
  const checkRequests = async (what: string, calls: number) => {
    const seen = await requestsSeen()
    if (seen !== calls) throw new Error(`${what} made ${seen} requests for ${calls} calls`)
  }
  const groups = [...new Set(cases.map((c) => c.group))].map((group) => cases.filter((c) => c.group === group))

  console.log(`3. Request throughput (servers in child process ${serversPid ?? '?'}; c=1 call by call, c=64 in interleaved rounds; the interquartile range of the ratio over blocks or rounds)`)
  console.log(`   IMA ${hosts.imaURL} (local server from dist/testing), peers' stub ${hosts.stubURL}; client CPU = process.cpuUsage() of this process`)
  for (const concurrency of [1, 64] as const) {
    // Warm-up: JIT, connection pools (one per origin, shared by every client here: they all use the global fetch).
    for (const c of cases) await run(c.call, 200, concurrency)
    await requestsSeen()
    const rows: string[][] = []
    const overFloor: string[] = []
    for (const group of groups) {
      const counted = group.every((c) => c.countsRequests)
      const figures =
        concurrency === 1
          ? await measureTurnByTurn(group, TURNS_AT_1)
          : await measureInRounds(group, async (c, calls) => (c.countsRequests ? checkRequests(`${c.group}/${c.name}`, calls) : undefined))
      if (concurrency === 1 && counted) await checkRequests(`the ${group[0]?.group} group`, TURNS_AT_1 * group.length)
      for (const c of group) rows.push(row(c, figures.get(c) as Measured))
      const floor = group.find((c) => c.name === FLOOR)
      const sdk = group.find((c) => c.target !== undefined)
      const [floorRatio, sdkRatio] = [floor, sdk].map((c) => (c ? figures.get(c)?.ratio : undefined))
      if (sdk && floorRatio && sdkRatio) overFloor.push(`${sdk.name} ÷ ${FLOOR}: ${fixed(sdkRatio / floorRatio)}×`)
    }
    const how = concurrency === 1 ? `${TURNS_AT_1} turns, each calling every client of a group once; IQR over ${BLOCKS_AT_1} blocks` : `${ROUNDS_AT_64} rounds of ${CALLS_AT_64} calls per client`
    console.log(`\n   concurrency ${concurrency} (${how})`)
    printTable(['endpoint', 'client', 'req/s', '× raw fetch', 'IQR of ×', 'CPU µs/call', 'CPU − raw µs', 'target'], rows)
    console.log(`   the SDK's own work: ${overFloor.join('; ')}`)
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
