import { getEventListeners } from 'node:events'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { MAX_POLL_INTERVAL_MS, MIN_POLL_INTERVAL_MS, nextPollAt, planPollSchedule, type PollPhase } from '../../src/protocol/poll-schedule.js'
import { MODEL_CATALOG, UNKNOWN_MODEL_TIMING } from '../../src/catalog/models.js'
import { pollTask } from '../../src/resources/tasks/waiting.js'
import type { TaskDetail } from '../../src/resources/tasks/types.js'
import { GOALS, overallRequestRatio, simulateModel, simulatePolls } from '../../bench/lib/poll-simulation.js'

const SEED = 20260514
const INFINITY = Number.POSITIVE_INFINITY

const media = (done: boolean) => ({
  resourceStatus: done ? (1 as const) : (0 as const), status: done ? 'success' : 'processing', url: done ? 'https://cdn.example/x.png' : undefined,
  watermarkUrl: undefined, coverUrl: undefined, previewUrl: undefined, format: undefined, width: undefined, height: undefined, errorMsg: undefined, remark: undefined,
})
const detail = (done: boolean): TaskDetail => ({ id: 't', state: done ? 'success' : 'processing', reason: undefined, failure: undefined, urls: done ? ['https://cdn.example/x.png'] : [], medias: [media(done)], raw: {} })

describe('planPollSchedule', () => {
  it('polls at a fixed interval when asked, or at the model interval when the start is unknown', () => {
    expect(planPollSchedule({ estimatedSeconds: [20, 40], modelIntervalMs: 5000, fixedIntervalMs: 250, startKnown: true })).toEqual([
      { fromElapsedMs: 0, toElapsedMs: INFINITY, intervalMs: 250 },
    ])
    expect(planPollSchedule({ estimatedSeconds: [20, 40], modelIntervalMs: 5000, startKnown: false })).toEqual([
      { fromElapsedMs: 0, toElapsedMs: INFINITY, intervalMs: 5000 },
    ])
    expect(planPollSchedule({ estimatedSeconds: [40, 90], modelIntervalMs: 8000, startKnown: false })[0]?.intervalMs).toBe(8000)
  })

  it('follows the estimate: an early first poll, sparse before and in the first half of the window, every 5 s in its second half', () => {
    expect(planPollSchedule({ estimatedSeconds: [60, 120], modelIntervalMs: 5000, startKnown: true })).toEqual([
      { fromElapsedMs: 4000, toElapsedMs: 30_000, intervalMs: 5500 },
      { fromElapsedMs: 30_000, toElapsedMs: 60_000, intervalMs: 6500 },
      { fromElapsedMs: 60_000, toElapsedMs: 90_000, intervalMs: 7000 },
      { fromElapsedMs: 90_000, toElapsedMs: 120_000, intervalMs: 5000 },
      { fromElapsedMs: 120_000, toElapsedMs: INFINITY, intervalMs: 7000 },
    ])
    // The first poll comes at 15 % of a short fastest estimate.
    expect(planPollSchedule({ estimatedSeconds: [20, 40], modelIntervalMs: 5000, startKnown: true })[0]?.fromElapsedMs).toBe(3000)
  })

  it('keeps every interval within 1 s and the smaller of 7 s and 1.4× the model interval', () => {
    const intervals = (modelIntervalMs: number) => planPollSchedule({ estimatedSeconds: [40, 90], modelIntervalMs, startKnown: true }).map((phase) => phase.intervalMs)
    // Midjourney's 8 s interval: the 7 s bound decides.
    expect(intervals(8000)).toEqual([5500, 6500, 7000, 5000, 7000])
    // A model polled every 2 s gets no interval above 2.8 s; one polled every 200 ms, none below 1 s.
    expect(intervals(2000)).toEqual([2800, 2800, 2800, 2800, 2800])
    expect(intervals(200)).toEqual([1000, 1000, 1000, 1000, 1000])
  })

  it('still gives an open-ended schedule for a zero, reversed or non-finite estimate', () => {
    expect(planPollSchedule({ estimatedSeconds: [0, 0], modelIntervalMs: 5000, startKnown: true })).toEqual([{ fromElapsedMs: 0, toElapsedMs: INFINITY, intervalMs: 7000 }])
    expect(planPollSchedule({ estimatedSeconds: [120, 60], modelIntervalMs: 5000, startKnown: true })).toEqual(
      planPollSchedule({ estimatedSeconds: [60, 120], modelIntervalMs: 5000, startKnown: true }),
    )
    expect(planPollSchedule({ estimatedSeconds: [Number.NaN, 30], modelIntervalMs: Number.NaN, startKnown: true }).at(-1)).toEqual({
      fromElapsedMs: 30_000, toElapsedMs: INFINITY, intervalMs: 7000,
    })
  })
})

describe('nextPollAt', () => {
  // [20, 40] s: first poll at 3 s; 5.5 s to 10 s; 6.5 s to 20 s; 7 s to 30 s; 5 s to 40 s; then 7 s.
  const schedule = planPollSchedule({ estimatedSeconds: [20, 40], modelIntervalMs: 5000, startKnown: true })

  it('opens with a poll at the first phase start, then polls an interval after each answer', () => {
    expect(nextPollAt(schedule, 0, undefined)).toBe(3000)
    expect(nextPollAt(schedule, 5000, undefined)).toBe(5000)
    expect(nextPollAt(schedule, 3300, 3300)).toBe(8800)
    // An answer that came late is not made up for: the next poll is still an interval after it, or now when overdue.
    expect(nextPollAt(schedule, 16_000, 9000)).toBe(16_000)
  })

  it('hands over between phases without an extra poll: the interval in force at the due time counts', () => {
    // 6.5 s after 15 s would be 21.5 s, but from 20 s the interval is 7 s: 22 s.
    expect(nextPollAt(schedule, 15_000, 15_000)).toBe(22_000)
    // 7 s after 27 s would be 34 s; from 30 s it is 5 s: 32 s, without a poll at 30 s.
    expect(nextPollAt(schedule, 27_000, 27_000)).toBe(32_000)
    expect(nextPollAt([{ fromElapsedMs: 0, toElapsedMs: INFINITY, intervalMs: 0 }], 5, 5)).toBe(5)
  })

  it('polls now rather than never once a schedule without an open end is over', () => {
    expect(nextPollAt([{ fromElapsedMs: 0, toElapsedMs: 1000, intervalMs: 500 }], 2000, 900)).toBe(2000)
    expect(nextPollAt([], 42, undefined)).toBe(42)
  })
})

describe('the schedule’s invariants (property tests)', () => {
  const estimate = fc.tuple(fc.double({ min: 0, max: 900, noNaN: true }), fc.double({ min: 0, max: 900, noNaN: true }))
  const modelInterval = fc.integer({ min: 1, max: 60_000 })
  // Answer times after each poll: instant, or up to a slow 20 s.
  const latencies = fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 200 })

  /** The polls of a wait whose answers take `latencies` in turn, until `untilMs`: when each was made and when its answer came. */
  function run(schedule: readonly PollPhase[], answerDelays: readonly number[], untilMs: number): { at: number; answered: number }[] {
    const polls: { at: number; answered: number }[] = []
    let answered: number | undefined
    let now = 0
    for (let index = 0; index < 5000; index += 1) {
      const at = nextPollAt(schedule, now, answered)
      answered = at + (answerDelays[index % answerDelays.length] ?? 0)
      polls.push({ at, answered })
      now = answered
      if (at > untilMs) break
    }
    return polls
  }

  it('is a list of positive, ordered phases ending open, with intervals within [MIN, MAX]', () => {
    fc.assert(
      fc.property(estimate, modelInterval, ([fastest, slowest], modelIntervalMs) => {
        const phases = planPollSchedule({ estimatedSeconds: [fastest, slowest], modelIntervalMs, startKnown: true })
        expect(phases.at(-1)?.toElapsedMs).toBe(INFINITY)
        for (const [index, phase] of phases.entries()) {
          expect(phase.toElapsedMs).toBeGreaterThan(phase.fromElapsedMs)
          expect(phase.intervalMs).toBeGreaterThanOrEqual(MIN_POLL_INTERVAL_MS)
          expect(phase.intervalMs).toBeLessThanOrEqual(MAX_POLL_INTERVAL_MS)
          if (index > 0) expect(phase.fromElapsedMs).toBe(phases[index - 1]!.toElapsedMs)
        }
      }),
      { seed: SEED, numRuns: 500 },
    )
  })

  it('never goes backwards, never polls twice within MIN of an answer, and always polls again within MAX', () => {
    fc.assert(
      fc.property(estimate, modelInterval, latencies, ([fastest, slowest], modelIntervalMs, answerDelays) => {
        const schedule = planPollSchedule({ estimatedSeconds: [fastest, slowest], modelIntervalMs, startKnown: true })
        const polls = run(schedule, answerDelays, 3 * Math.max(fastest, slowest) * 1000 + 10 * MAX_POLL_INTERVAL_MS)
        expect(polls[0]!.at).toBeLessThanOrEqual(4000)
        for (let index = 1; index < polls.length; index += 1) {
          const previous = polls[index - 1]!
          const gap = polls[index]!.at - previous.answered
          expect(polls[index]!.at).toBeGreaterThanOrEqual(previous.at)
          expect(gap).toBeGreaterThanOrEqual(MIN_POLL_INTERVAL_MS)
          expect(gap).toBeLessThanOrEqual(MAX_POLL_INTERVAL_MS)
        }
      }),
      { seed: SEED, numRuns: 300 },
    )
  })

  it('sees every task done within MAX of its finish (answers at once), for a known or a resumed start', () => {
    fc.assert(
      // Model intervals from 0.5 s, so a resumed wait of 3000 s stays a few thousand polls.
      fc.property(estimate, fc.integer({ min: 500, max: 60_000 }), fc.boolean(), fc.double({ min: 0, max: 3000, noNaN: true }), ([fastest, slowest], modelIntervalMs, startKnown, doneSeconds) => {
        const schedule = planPollSchedule({ estimatedSeconds: [fastest, slowest], modelIntervalMs, startKnown })
        const { delayMs } = simulatePolls(nextPollAt, schedule, doneSeconds * 1000)
        expect(delayMs).toBeGreaterThanOrEqual(0)
        expect(delayMs).toBeLessThanOrEqual(startKnown ? MAX_POLL_INTERVAL_MS : modelIntervalMs)
      }),
      { seed: SEED, numRuns: 300 },
    )
  })

  it('gives a due time never before now, and never earlier for a later now or (with an open end) a later answer, on any phase list', () => {
    const phase = fc
      .tuple(fc.integer({ min: 0, max: 100_000 }), fc.oneof(fc.integer({ min: 1, max: 100_000 }), fc.constant(INFINITY)), fc.integer({ min: 0, max: 10_000 }))
      .map(([from, length, intervalMs]): PollPhase => ({ fromElapsedMs: from, toElapsedMs: from + length, intervalMs }))
    const time = fc.integer({ min: 0, max: 300_000 })
    fc.assert(
      fc.property(fc.array(phase, { maxLength: 6 }), phase, time, time, fc.option(time, { nil: undefined }), fc.integer({ min: 0, max: 50_000 }), (phases, last, now, later, answered, step) => {
        const [early, late] = now <= later ? [now, later] : [later, now]
        const due = nextPollAt(phases, early, answered)
        expect(Number.isFinite(due)).toBe(true)
        expect(due).toBeGreaterThanOrEqual(early)
        expect(nextPollAt(phases, late, answered)).toBeGreaterThanOrEqual(due)
        // An ended schedule polls "now" instead of never, so only an open-ended one is monotonic in the answer time.
        const openEnded = [...phases, { ...last, toElapsedMs: INFINITY }]
        if (answered !== undefined && answered + step <= late) {
          expect(nextPollAt(openEnded, late, answered + step)).toBeGreaterThanOrEqual(nextPollAt(openEnded, late, answered))
        }
      }),
      { seed: SEED, numRuns: 1000 },
    )
  })
})

describe('the band goals (the simulation `npm run bench` prints)', () => {
  const models = [...MODEL_CATALOG, { name: 'a model the catalog does not know', ...UNKNOWN_MODEL_TIMING }]
  const reports = models.map((model) => simulateModel({ planPollSchedule, nextPollAt }, model))

  it.each(reports.map((report) => [report.model.name, report] as const))('%s: no band detects more than 1.5× later than fixed 5 s polling', (_, report) => {
    for (const { band, schedule, fixed } of report.bands) {
      expect(schedule.delayMs / fixed.delayMs, band.label).toBeLessThanOrEqual(GOALS.maxDelayRatio)
    }
  })

  it('costs at most 0.8× the requests of fixed 5 s polling over the realistic mix, in all and per model', () => {
    expect(overallRequestRatio(reports)).toBeLessThanOrEqual(GOALS.maxRequestRatio)
    for (const report of reports) expect(report.mix.schedule.requests / report.mix.fixed.requests, report.model.name).toBeLessThanOrEqual(GOALS.maxRequestRatio)
  })
})

describe('pollTask on a schedule (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  /** Runs pollTask on fake time for a task that finishes `doneAfterMs` after it started; returns when each poll happened. */
  async function pollTimes(estimatedSeconds: readonly [number, number], doneAfterMs: number): Promise<number[]> {
    const startedAt = Date.now()
    const times: number[] = []
    const result = pollTask({
      taskId: 't',
      fetchDetail: async () => {
        times.push(Date.now() - startedAt)
        return detail(Date.now() - startedAt >= doneAfterMs)
      },
      schedule: planPollSchedule({ estimatedSeconds, modelIntervalMs: 5000, startKnown: true }),
      estimatedMaxMs: estimatedSeconds[1] * 1000,
      startedAt,
      signal: new AbortController().signal,
      onEvent: () => {},
      maxPollFailures: 0,
      onPollFailure: () => {},
    })
    await vi.advanceTimersByTimeAsync(doneAfterMs + 30_000)
    await expect(result).resolves.toMatchObject({ taskId: 't', url: 'https://cdn.example/x.png' })
    // Nothing of the loop is left scheduled.
    expect(vi.getTimerCount()).toBe(0)
    return times
  }

  it('makes its polls at the scheduled times and stops at success', async () => {
    expect(await pollTimes([20, 40], 31_000)).toEqual([3000, 8500, 15_000, 22_000, 29_000, 34_000])
  })

  it('polls a task that finishes early soon after, not at the fastest estimate', async () => {
    expect(await pollTimes([60, 120], 5000)).toEqual([4000, 9500])
  })

  it('goes on every 7 s past the slowest estimate', async () => {
    expect(await pollTimes([20, 30], 50_000)).toEqual([3000, 8500, 15_000, 22_000, 27_000, 34_000, 41_000, 48_000, 55_000])
  })

  it('ends at once on an abort mid-sleep, leaving no timer and no listener', async () => {
    const controller = new AbortController()
    let polls = 0
    const result = pollTask({
      taskId: 't',
      fetchDetail: async () => {
        polls += 1
        return detail(false)
      },
      schedule: planPollSchedule({ estimatedSeconds: [20, 40], modelIntervalMs: 5000, startKnown: true }),
      estimatedMaxMs: 40_000,
      startedAt: Date.now(),
      signal: controller.signal,
      onEvent: () => {},
      maxPollFailures: 0,
      onPollFailure: () => {},
    })
    await vi.advanceTimersByTimeAsync(4000)
    expect(polls).toBe(1)
    controller.abort()
    await expect(result).rejects.toMatchObject({ name: 'AbortError' })
    expect(vi.getTimerCount()).toBe(0)
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
  })
})
