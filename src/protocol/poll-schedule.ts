/**
 * When to poll a task's detail: the schedule (a list of phases) and the due
 * time of the next poll. Pure functions: the wait loop in
 * `resources/tasks/waiting.ts` follows them, `npm run bench` simulates them.
 */

/**
 * One stretch of a poll schedule: between `fromElapsedMs` and `toElapsedMs`
 * after the task was created, poll every `intervalMs`.
 *
 * @example
 * ```ts
 * import type { PollPhase } from 'ima-open-sdk/protocol'
 * const everySecond: PollPhase = { fromElapsedMs: 0, toElapsedMs: Number.POSITIVE_INFINITY, intervalMs: 1_000 }
 * ```
 * @public
 */
export interface PollPhase {
  /** Where the stretch starts, in ms since the task was created. */
  fromElapsedMs: number
  /** Where it ends (exclusive), in ms since the task was created (`Infinity` for the last one). */
  toElapsedMs: number
  /** Time between polls within it, in ms. */
  intervalMs: number
}

/**
 * What {@link planPollSchedule} needs to know about a task.
 *
 * @example
 * ```ts
 * import type { PollScheduleInput } from 'ima-open-sdk/protocol'
 * const nanoBananaPro: PollScheduleInput = { estimatedSeconds: [60, 120], modelIntervalMs: 5_000, startKnown: true }
 * ```
 * @public
 */
export interface PollScheduleInput {
  /** The model's typical generation time, in seconds: `[fastest, slowest]`. */
  estimatedSeconds: readonly [number, number]
  /** The model's own poll interval (the catalog's `pollIntervalMs`: 5 s, Midjourney 8 s), in ms. */
  modelIntervalMs: number
  /** Poll at this fixed interval from the start instead (the caller's `intervalMs`, or the client's `pollIntervalMs`). */
  fixedIntervalMs?: number
  /** Whether the task's creation time is known; a task resumed by id has none to count from. */
  startKnown: boolean
}

/**
 * Shortest interval of the estimate-based schedule, in ms: it never polls a
 * task more than once a second, whatever the model's interval.
 *
 * @example
 * ```ts
 * planPollSchedule({ estimatedSeconds: [5, 10], modelIntervalMs: 200, startKnown: true }).every((phase) => phase.intervalMs >= MIN_POLL_INTERVAL_MS) // true
 * ```
 * @public
 */
export const MIN_POLL_INTERVAL_MS = 1_000

/**
 * Longest interval of the estimate-based schedule, in ms. A task that
 * finishes at a random moment is seen half an interval later on average:
 * 3.5 s at 7 s, 1.4× what fixed 5 s polling gives, the most any stretch of
 * task durations may lose against it.
 *
 * @example
 * ```ts
 * planPollSchedule({ estimatedSeconds: [40, 90], modelIntervalMs: 8_000, startKnown: true }).every((phase) => phase.intervalMs <= MAX_POLL_INTERVAL_MS) // true
 * ```
 * @public
 */
export const MAX_POLL_INTERVAL_MS = 7_000

/** The longest interval relative to the model's own, so a model polled faster than every 5 s keeps a proportionally tighter schedule. */
const MODEL_INTERVAL_CEILING_FACTOR = 1.4

/** The first poll comes at this share of the fastest estimate, and no later than {@link FIRST_POLL_LATEST_MS}. */
const FIRST_POLL_SHARE = 0.15
const FIRST_POLL_LATEST_MS = 4_000

/**
 * The estimate-based schedule's intervals, stretch by stretch, for a model
 * polled every 5 s or more. Why each: before the fastest estimate few tasks
 * finish, but the stretches there are short, so polls come a little more
 * often than the longest interval to stay within reach of fixed 5 s polling
 * (5.5 s, then 6.5 s). Inside the estimate window each poll of its first half
 * is paid for by most tasks, still running, so it polls at the longest
 * interval; in its second half few tasks remain to pay and many finish, so it
 * polls every 5 s. Past the slowest estimate, the longest interval again.
 */
const INTERVALS_MS = {
  toHalfFastest: 5_500,
  toFastest: 6_500,
  firstHalfOfWindow: 7_000,
  secondHalfOfWindow: 5_000,
  pastSlowest: 7_000,
} as const

/**
 * When to poll a task, as phases in time order. With a fixed interval (the
 * caller's `intervalMs` or the client's `pollIntervalMs`), poll from the start
 * at that interval; when the task's start is unknown (a task resumed by id),
 * poll from now on at the model's interval. Otherwise follow the model's
 * estimate `[fastest, slowest]`:
 *
 * | from | until | every |
 * | --- | --- | --- |
 * | 15 % of fastest (at most 4 s): the first poll | half of fastest | 5.5 s |
 * | half of fastest | fastest | 6.5 s |
 * | fastest | halfway to slowest | 7 s |
 * | halfway to slowest | slowest | 5 s |
 * | slowest | — | 7 s |
 *
 * No interval is shorter than {@link MIN_POLL_INTERVAL_MS} or longer than
 * {@link MAX_POLL_INTERVAL_MS}, nor longer than 1.4× the model's interval.
 * Over task durations from 0.05× the fastest to 3× the slowest estimate,
 * detection is within 1.5× of fixed 5 s polling in every stretch, for about
 * 0.78× its requests over a mix of mostly in-estimate tasks (`npm run bench`
 * prints both, per model and per stretch).
 *
 * @example
 * ```ts
 * import { planPollSchedule } from 'ima-open-sdk/protocol'
 * planPollSchedule({ estimatedSeconds: [60, 120], modelIntervalMs: 5_000, startKnown: true })
 * // [{ fromElapsedMs: 4000, toElapsedMs: 30000, intervalMs: 5500 },
 * //  { fromElapsedMs: 30000, toElapsedMs: 60000, intervalMs: 6500 },
 * //  { fromElapsedMs: 60000, toElapsedMs: 90000, intervalMs: 7000 },
 * //  { fromElapsedMs: 90000, toElapsedMs: 120000, intervalMs: 5000 },
 * //  { fromElapsedMs: 120000, toElapsedMs: Infinity, intervalMs: 7000 }]
 * ```
 * @public
 */
export function planPollSchedule(input: PollScheduleInput): PollPhase[] {
  if (input.fixedIntervalMs !== undefined) return [{ fromElapsedMs: 0, toElapsedMs: Number.POSITIVE_INFINITY, intervalMs: input.fixedIntervalMs }]
  if (!input.startKnown) return [{ fromElapsedMs: 0, toElapsedMs: Number.POSITIVE_INFINITY, intervalMs: input.modelIntervalMs }]
  // Estimates come from the catalog, but this is public: a reversed, negative or non-finite pair still gives a schedule.
  const [first, second] = input.estimatedSeconds.map((seconds) => (Number.isFinite(seconds) ? Math.max(0, seconds * 1000) : 0)) as [number, number]
  const fastest = Math.round(Math.min(first, second))
  const slowest = Math.round(Math.max(first, second))
  const longest = Math.max(
    MIN_POLL_INTERVAL_MS,
    Math.min(MAX_POLL_INTERVAL_MS, Number.isFinite(input.modelIntervalMs) ? input.modelIntervalMs * MODEL_INTERVAL_CEILING_FACTOR : MAX_POLL_INTERVAL_MS),
  )
  const every = (intervalMs: number) => Math.round(Math.min(longest, intervalMs))
  const firstPoll = Math.round(Math.min(fastest * FIRST_POLL_SHARE, FIRST_POLL_LATEST_MS))
  const halfFastest = Math.round(fastest / 2)
  const midWindow = Math.round((fastest + slowest) / 2)
  const phases: PollPhase[] = [
    { fromElapsedMs: firstPoll, toElapsedMs: halfFastest, intervalMs: every(INTERVALS_MS.toHalfFastest) },
    { fromElapsedMs: halfFastest, toElapsedMs: fastest, intervalMs: every(INTERVALS_MS.toFastest) },
    { fromElapsedMs: fastest, toElapsedMs: midWindow, intervalMs: every(INTERVALS_MS.firstHalfOfWindow) },
    { fromElapsedMs: midWindow, toElapsedMs: slowest, intervalMs: every(INTERVALS_MS.secondHalfOfWindow) },
    { fromElapsedMs: slowest, toElapsedMs: Number.POSITIVE_INFINITY, intervalMs: every(INTERVALS_MS.pastSlowest) },
  ]
  // A short or zero estimate leaves some stretches empty; the open-ended last one always remains.
  return phases.filter((phase) => phase.toElapsedMs > phase.fromElapsedMs)
}

/**
 * When the next poll is due, in ms since the task started: the first moment,
 * not before now, at which the time since the previous answer has reached the
 * interval of the phase in force then. So the first poll is at the first
 * phase's start (or now, when later); a phase with a shorter interval takes
 * over at its start without an extra poll, and one with a longer interval
 * counts its interval from the previous answer. A schedule that has ended
 * (no open-ended last phase) polls now rather than never.
 *
 * @param elapsedMs - now, in ms since the start.
 * @param lastAnswerMs - when the previous poll's answer (or failure) came, in ms since the start; `undefined` before the first poll.
 * @example
 * ```ts
 * import { nextPollAt, planPollSchedule } from 'ima-open-sdk/protocol'
 * const schedule = planPollSchedule({ estimatedSeconds: [20, 40], modelIntervalMs: 5_000, startKnown: true })
 * nextPollAt(schedule, 0, undefined) // 3000: the first poll, at 15 % of the fastest estimate
 * nextPollAt(schedule, 3_000, 3_000) // 8500: 5.5 s after the answer
 * ```
 * @public
 */
export function nextPollAt(schedule: readonly PollPhase[], elapsedMs: number, lastAnswerMs: number | undefined): number {
  let due = Number.POSITIVE_INFINITY
  for (const phase of schedule) {
    if (!(phase.toElapsedMs > phase.fromElapsedMs)) continue
    const earliest = lastAnswerMs === undefined ? phase.fromElapsedMs : Math.max(phase.fromElapsedMs, lastAnswerMs + phase.intervalMs)
    if (earliest < phase.toElapsedMs) due = Math.min(due, earliest)
  }
  // A due time already past is an overdue poll: now.
  return Number.isFinite(due) ? Math.max(elapsedMs, due) : elapsedMs
}
