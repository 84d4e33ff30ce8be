/**
 * The polling simulation shared by `bench/polling.ts` and
 * `test/unit/poll-schedule.test.ts`: requests made and detection delay of a
 * schedule for tasks of known durations, per band of durations, against
 * fixed 5 s polling. Pure and deterministic: durations are evenly spaced in
 * each band, answers come at once, and the schedule functions are passed in
 * (the bench gives the built ones, the test the sources).
 */
import type { nextPollAt as NextPollAt, planPollSchedule as PlanPollSchedule, PollPhase } from 'ima-open-sdk/protocol'

/** The two schedule functions the simulation runs. */
export interface ScheduleFunctions {
  planPollSchedule: typeof PlanPollSchedule
  nextPollAt: typeof NextPollAt
}

/** What the simulation needs of a model: its estimate and its interval. */
export interface ModelTiming {
  name: string
  estimatedSeconds: readonly [number, number]
  pollIntervalMs: number
}

/** A band of task durations, in multiples of the fastest (`fastest`) or the slowest (`slowest`) estimate. */
export interface DurationBand {
  label: string
  of: 'fastest' | 'slowest'
  from: number
  to: number
}

/** From 0.05× the fastest estimate to 3× the slowest: before, inside and past the estimate window. */
export const DURATION_BANDS: readonly DurationBand[] = [
  { label: '0.05–0.25× fastest', of: 'fastest', from: 0.05, to: 0.25 },
  { label: '0.25–0.5× fastest', of: 'fastest', from: 0.25, to: 0.5 },
  { label: '0.5–1× fastest', of: 'fastest', from: 0.5, to: 1 },
  { label: 'fastest–slowest', of: 'fastest', from: 1, to: 1 },
  { label: '1–1.5× slowest', of: 'slowest', from: 1, to: 1.5 },
  { label: '1.5–3× slowest', of: 'slowest', from: 1.5, to: 3 },
]

/**
 * The realistic mix: most tasks finish inside the estimate, some earlier
 * (down to 0.05× the fastest), some later (up to 3× the slowest), each part
 * uniform over its range.
 */
export const REALISTIC_MIX = { early: 0.1, inside: 0.8, late: 0.1 } as const

/** The goals: no band detects more than 1.5× later than fixed 5 s polling; the mix costs at most 0.8× its requests. */
export const GOALS = { maxDelayRatio: 1.5, maxRequestRatio: 0.8 } as const

/** The baseline: poll every 5 s from the start. */
export const FIXED_INTERVAL_MS = 5_000

/** Durations simulated per band (or per part of the mix). */
const SAMPLES = 400

/**
 * Polls made and detection delay for a task finishing `doneMs` after it started.
 *
 * @example
 * ```ts
 * simulatePolls(nextPollAt, [{ fromElapsedMs: 0, toElapsedMs: Infinity, intervalMs: 5000 }], 7000) // { polls: 3, delayMs: 3000 }
 * ```
 */
export function simulatePolls(next: typeof NextPollAt, schedule: readonly PollPhase[], doneMs: number): { polls: number; delayMs: number } {
  let at = next(schedule, 0, undefined)
  for (let polls = 1; polls < 1_000_000; polls += 1) {
    if (at >= doneMs) return { polls, delayMs: at - doneMs }
    const following = next(schedule, at, at)
    // A schedule that stops advancing would never see the task done.
    if (!(following > at)) throw new Error(`The schedule does not advance past ${at} ms`)
    at = following
  }
  throw new Error('The schedule polled a million times without reaching the task')
}

/** Evenly spaced durations across `[fromMs, toMs]` (bin midpoints). */
export function durationsIn(fromMs: number, toMs: number, count = SAMPLES): number[] {
  return Array.from({ length: count }, (_, index) => fromMs + ((index + 0.5) / count) * (toMs - fromMs))
}

/** A band's range in ms for a model. */
export function bandRangeMs(band: DurationBand, model: ModelTiming): [number, number] {
  const [fastest, slowest] = model.estimatedSeconds.map((seconds) => seconds * 1000) as [number, number]
  if (band.of === 'fastest' && band.from === 1 && band.to === 1) return [fastest, slowest]
  const base = band.of === 'fastest' ? fastest : slowest
  return [base * band.from, base * band.to]
}

/** Mean polls and mean detection delay (ms) over some durations. */
export interface PollCost {
  requests: number
  delayMs: number
}

function meanCost(functions: ScheduleFunctions, schedule: readonly PollPhase[], durations: readonly number[]): PollCost {
  let requests = 0
  let delayMs = 0
  for (const done of durations) {
    const outcome = simulatePolls(functions.nextPollAt, schedule, done)
    requests += outcome.polls
    delayMs += outcome.delayMs
  }
  return { requests: requests / durations.length, delayMs: delayMs / durations.length }
}

/** One model's figures: per band, and over the realistic mix, for the default schedule and fixed 5 s polling. */
export interface ModelPollingReport {
  model: ModelTiming
  bands: { band: DurationBand; rangeMs: [number, number]; schedule: PollCost; fixed: PollCost }[]
  mix: { schedule: PollCost; fixed: PollCost }
}

/**
 * Simulates one model's default schedule (start known) against fixed 5 s polling.
 *
 * @example
 * ```ts
 * const report = simulateModel({ planPollSchedule, nextPollAt }, MODEL_CATALOG[0])
 * report.mix.schedule.requests / report.mix.fixed.requests // ≤ 0.8
 * ```
 */
export function simulateModel(functions: ScheduleFunctions, model: ModelTiming): ModelPollingReport {
  const schedule = functions.planPollSchedule({ estimatedSeconds: model.estimatedSeconds, modelIntervalMs: model.pollIntervalMs, startKnown: true })
  const fixed = functions.planPollSchedule({ estimatedSeconds: model.estimatedSeconds, modelIntervalMs: model.pollIntervalMs, fixedIntervalMs: FIXED_INTERVAL_MS, startKnown: true })
  const bands = DURATION_BANDS.map((band) => {
    const rangeMs = bandRangeMs(band, model)
    const durations = durationsIn(...rangeMs)
    return { band, rangeMs, schedule: meanCost(functions, schedule, durations), fixed: meanCost(functions, fixed, durations) }
  })
  const [fastest, slowest] = model.estimatedSeconds.map((seconds) => seconds * 1000) as [number, number]
  const parts = [
    [REALISTIC_MIX.early, durationsIn(0.05 * fastest, fastest)],
    [REALISTIC_MIX.inside, durationsIn(fastest, slowest)],
    [REALISTIC_MIX.late, durationsIn(slowest, 3 * slowest)],
  ] as const
  const mixOf = (phases: readonly PollPhase[]): PollCost =>
    parts.reduce(
      (sum, [weight, durations]) => {
        const cost = meanCost(functions, phases, durations)
        return { requests: sum.requests + weight * cost.requests, delayMs: sum.delayMs + weight * cost.delayMs }
      },
      { requests: 0, delayMs: 0 },
    )
  return { model, bands, mix: { schedule: mixOf(schedule), fixed: mixOf(fixed) } }
}

/**
 * Requests of the default schedule over fixed 5 s polling, summed over every model's mix.
 *
 * @example
 * ```ts
 * overallRequestRatio(MODEL_CATALOG.map((model) => simulateModel({ planPollSchedule, nextPollAt }, model))) // ≈ 0.78
 * ```
 */
export function overallRequestRatio(reports: readonly ModelPollingReport[]): number {
  const schedule = reports.reduce((sum, report) => sum + report.mix.schedule.requests, 0)
  const fixed = reports.reduce((sum, report) => sum + report.mix.fixed.requests, 0)
  return schedule / fixed
}
