/**
 * 5. Polling: the default schedule against fixed 5 s polling, and waits
 * against the local server.
 *
 * a. Simulated (bench/lib/poll-simulation.ts, the same simulation the unit
 *    test checks): per model and per band of task durations, from 0.05× the
 *    fastest estimate to 3× the slowest, the mean detection delay and the
 *    requests of the default schedule beside fixed 5 s polling; then the
 *    requests over a realistic mix (10 % early, 80 % inside the estimate,
 *    10 % late). Goals: no band above 1.5× the delay; the mix at most 0.8×
 *    the requests.
 * b. Measured: one real wait per model against `startImaServer()` with
 *    `new ImaClient(server.clientOptions)`: time from create to result over
 *    the server's task duration (goal ≤ 2×), and the events seen.
 *
 * Runs alone after a build: `npx tsx bench/polling.ts`.
 */
import { fileURLToPath } from 'node:url'
import type { TaskEvent } from 'ima-open-sdk'
import { GOALS, overallRequestRatio, REALISTIC_MIX, simulateModel } from './lib/poll-simulation.js'
import { fixed, importDist, printTable, requireBuild, verdict } from './lib/stats.js'

/** A wait against the local server may last at most this many task durations. */
const LOCAL_WAIT_GOAL = 2

const seconds = (ms: number, digits = 1) => fixed(ms / 1000, digits)
const ratio = (value: number) => `${fixed(value)}×`

/** "pending 0 → processing 2 ×7 → success 100": each run of one event type once, with its first percentage and its count. */
function describeEvents(events: readonly TaskEvent[]): string {
  const runs: { type: string; percent: number; count: number }[] = []
  for (const event of events) {
    const last = runs.at(-1)
    if (last?.type === event.type) last.count += 1
    else runs.push({ type: event.type, percent: event.percent, count: 1 })
  }
  return runs.map((run) => `${run.type} ${run.percent}${run.count > 1 ? ` ×${run.count}` : ''}`).join(' → ')
}

async function simulatedSchedule(): Promise<boolean> {
  const { MODEL_CATALOG, planPollSchedule, nextPollAt } = await importDist.protocol()
  const reports = MODEL_CATALOG.map((model) => simulateModel({ planPollSchedule, nextPollAt }, model))
  let allMet = true
  console.log('5a. Simulated detection delay and requests per task, per band of durations (default schedule vs fixed 5 s polling)')
  const rows: string[][] = []
  for (const report of reports) {
    for (const { band, rangeMs, schedule, fixed: everyFive } of report.bands) {
      const delayRatio = schedule.delayMs / everyFive.delayMs
      allMet &&= delayRatio <= GOALS.maxDelayRatio
      rows.push([
        report.model.name,
        band.label,
        `${seconds(rangeMs[0])}–${seconds(rangeMs[1])} s`,
        seconds(schedule.delayMs, 2),
        seconds(everyFive.delayMs, 2),
        ratio(delayRatio),
        verdict(delayRatio <= GOALS.maxDelayRatio),
        fixed(schedule.requests, 1),
        fixed(everyFive.requests, 1),
        ratio(schedule.requests / everyFive.requests),
      ])
    }
  }
  printTable(['model', 'band', 'durations', 'default: s late', 'fixed 5 s: s late', 'delay ratio', `≤ ${GOALS.maxDelayRatio}×`, 'default: requests', 'fixed 5 s: requests', 'requests ratio'], rows)
  console.log('')
  const mix = `${REALISTIC_MIX.early * 100} % from 0.05× to 1× fastest, ${REALISTIC_MIX.inside * 100} % inside the estimate, ${REALISTIC_MIX.late * 100} % from 1× to 3× slowest`
  console.log(`    Realistic mix (${mix}), per task:`)
  const mixRows = reports.map((report) => {
    const requestRatio = report.mix.schedule.requests / report.mix.fixed.requests
    return [
      report.model.name,
      fixed(report.mix.schedule.requests, 1),
      fixed(report.mix.fixed.requests, 1),
      ratio(requestRatio),
      verdict(requestRatio <= GOALS.maxRequestRatio),
      seconds(report.mix.schedule.delayMs, 2),
      seconds(report.mix.fixed.delayMs, 2),
    ]
  })
  const overall = overallRequestRatio(reports)
  allMet &&= overall <= GOALS.maxRequestRatio
  mixRows.push(['all models', '', '', ratio(overall), verdict(overall <= GOALS.maxRequestRatio), '', ''])
  printTable(['model', 'default: requests', 'fixed 5 s: requests', 'ratio', `≤ ${GOALS.maxRequestRatio}×`, 'default: s late', 'fixed 5 s: s late'], mixRows)
  return allMet
}

async function measuredLocalWaits(): Promise<boolean> {
  const [{ ImaClient }, { startImaServer }, { MODEL_CATALOG }] = await Promise.all([importDist.main(), importDist.testing(), importDist.protocol()])
  const server = await startImaServer()
  // The default task duration: what `ima serve` and a plain startImaServer() use.
  const taskDurationMs = 3000
  let allMet = true
  const rows: string[][] = []
  try {
    const ima = new ImaClient(server.clientOptions)
    console.log(`5b. Waits against startImaServer() (task duration ${seconds(taskDurationMs)} s) with new ImaClient(server.clientOptions): poll every ${server.clientOptions.pollIntervalMs} ms`)
    // Product lists are read once per category: read before timing, so each row times one create and its wait.
    await ima.products.list('text_to_image')
    for (const model of MODEL_CATALOG) {
      const started = performance.now()
      const task = await ima.tasks.create({ model: model.modelId, prompt: 'a lighthouse at dusk' })
      const events: TaskEvent[] = []
      for await (const event of ima.tasks.waitFor(task)) events.push(event)
      const waitedMs = performance.now() - started
      const overDuration = waitedMs / taskDurationMs
      allMet &&= overDuration <= LOCAL_WAIT_GOAL
      rows.push([model.name, seconds(waitedMs, 2), ratio(overDuration), verdict(overDuration <= LOCAL_WAIT_GOAL), String(events.length), describeEvents(events)])
    }
  } finally {
    await server.close()
  }
  printTable(['model', 'create to result, s', '÷ task duration', `≤ ${LOCAL_WAIT_GOAL}×`, 'events', 'events seen (type, first %, count)'], rows)
  return allMet
}

export async function pollingCost(): Promise<void> {
  requireBuild('dist/index.js', 'dist/protocol/index.js', 'dist/testing/index.js')
  console.log('5. Polling')
  const simulated = await simulatedSchedule()
  console.log('')
  const measured = await measuredLocalWaits()
  if (!simulated || !measured) console.log('\n   ✗ A polling goal is missed: see the rows marked above.')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await pollingCost()
