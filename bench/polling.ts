/**
 * Polling per completed task: requests made and detection delay, the default
 * schedule against fixed 5 s polling, over a simulated mix of task durations
 * per model (each model's estimated range, ±25 %, 200 tasks per model).
 */
import { fileURLToPath } from 'node:url'
import type { PollPhase } from 'ima-open-sdk/protocol'
import { fixed, importDist, printTable, requireBuild } from './lib/stats.js'

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

const TASKS_PER_MODEL = 200

export async function pollingCost(): Promise<void> {
  requireBuild('dist/index.js')
  const { MODEL_CATALOG, planPollSchedule } = await importDist.protocol()
  console.log(`5. Polling per completed task (simulated durations: each model\u2019s range ±25 %, ${TASKS_PER_MODEL} tasks per model)`)
  const totals = { adaptive: { polls: 0, delay: 0 }, fixed: { polls: 0, delay: 0 } }
  const rows: string[][] = []
  for (const model of MODEL_CATALOG) {
    const [fastest, slowest] = model.estimatedSeconds.map((s) => s * 1000) as [number, number]
    const adaptive = planPollSchedule({ estimatedSeconds: model.estimatedSeconds, modelIntervalMs: model.pollIntervalMs, startKnown: true })
    const everyFive = planPollSchedule({ estimatedSeconds: model.estimatedSeconds, modelIntervalMs: 5000, fixedIntervalMs: 5000, startKnown: true })
    let random = 2026
    const next = () => (random = (random * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const sums = { adaptive: { polls: 0, delay: 0 }, fixed: { polls: 0, delay: 0 } }
    for (let i = 0; i < TASKS_PER_MODEL; i += 1) {
      const done = fastest * 0.75 + next() * (slowest * 1.25 - fastest * 0.75)
      for (const [kind, schedule] of [['adaptive', adaptive], ['fixed', everyFive]] as const) {
        const { polls, delayMs } = simulate(schedule, done)
        sums[kind].polls += polls
        sums[kind].delay += delayMs
        totals[kind].polls += polls
        totals[kind].delay += delayMs
      }
    }
    rows.push([
      model.name,
      fixed(sums.adaptive.polls / TASKS_PER_MODEL, 1),
      fixed(sums.adaptive.delay / TASKS_PER_MODEL / 1000),
      fixed(sums.fixed.polls / TASKS_PER_MODEL, 1),
      fixed(sums.fixed.delay / TASKS_PER_MODEL / 1000),
    ])
  }
  rows.push(['all models (ratio default / fixed 5 s)', `${fixed(totals.adaptive.polls / totals.fixed.polls)}×`, `${fixed(totals.adaptive.delay / totals.fixed.delay)}×`, '', ''])
  printTable(['model', 'default: requests', 'default: s late', 'fixed 5 s: requests', 'fixed 5 s: s late'], rows)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await pollingCost()
