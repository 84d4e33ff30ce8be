import { getEventListeners } from 'node:events'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextPollAt, planPollSchedule, pollTask } from '../../src/resources/tasks/waiting.js'
import type { TaskDetail } from '../../src/resources/tasks/types.js'

const media = (done: boolean) => ({
  resourceStatus: done ? (1 as const) : (0 as const), status: done ? 'success' : 'processing', url: done ? 'https://cdn.example/x.png' : undefined,
  watermarkUrl: undefined, coverUrl: undefined, previewUrl: undefined, format: undefined, width: undefined, height: undefined, errorMsg: undefined, remark: undefined,
})
const detail = (done: boolean): TaskDetail => ({ id: 't', state: done ? 'success' : 'processing', reason: undefined, failure: undefined, urls: done ? ['https://cdn.example/x.png'] : [], medias: [media(done)], raw: {} })

describe('planPollSchedule', () => {
  it('polls at a fixed interval when asked, or when the start is unknown', () => {
    expect(planPollSchedule({ estimatedSeconds: [20, 40], modelIntervalMs: 5000, fixedIntervalMs: 250, startKnown: true })).toEqual([
      { fromElapsedMs: 0, toElapsedMs: Number.POSITIVE_INFINITY, intervalMs: 250 },
    ])
    expect(planPollSchedule({ estimatedSeconds: [20, 40], modelIntervalMs: 5000, startKnown: false })).toEqual([
      { fromElapsedMs: 0, toElapsedMs: Number.POSITIVE_INFINITY, intervalMs: 5000 },
    ])
  })

  it('waits for the fastest finish, polls twice as often until a quarter past the estimate, then at the model interval', () => {
    expect(planPollSchedule({ estimatedSeconds: [60, 120], modelIntervalMs: 5000, startKnown: true })).toEqual([
      { fromElapsedMs: 60_000, toElapsedMs: 150_000, intervalMs: 2500 },
      { fromElapsedMs: 150_000, toElapsedMs: Number.POSITIVE_INFINITY, intervalMs: 5000 },
    ])
    // Midjourney's 8 s interval still tightens to 2.5 s.
    expect(planPollSchedule({ estimatedSeconds: [40, 90], modelIntervalMs: 8000, startKnown: true })[0]?.intervalMs).toBe(2500)
  })
})

describe('nextPollAt', () => {
  const schedule = planPollSchedule({ estimatedSeconds: [20, 30], modelIntervalMs: 5000, startKnown: true })

  it('waits for a phase to open, then polls an interval after the last answer', () => {
    expect(nextPollAt(schedule, 0, undefined)).toBe(20_000)
    expect(nextPollAt(schedule, 21_000, undefined)).toBe(21_000)
    expect(nextPollAt(schedule, 20_300, 20_300)).toBe(22_800)
    // An answer that came late is not made up for: the next poll is still an interval after it.
    expect(nextPollAt(schedule, 26_000, 22_800)).toBe(26_000)
  })

  it('lets a phase that ends first hand over to the next, which opens with a poll', () => {
    expect(nextPollAt(schedule, 36_000, 36_000)).toBe(37_500)
    expect(nextPollAt(schedule, 37_500, 37_500)).toBe(42_500)
    expect(nextPollAt([{ fromElapsedMs: 0, toElapsedMs: Number.POSITIVE_INFINITY, intervalMs: 0 }], 5, 5)).toBe(5)
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
    expect(await pollTimes([20, 40], 31_000)).toEqual([20_000, 22_500, 25_000, 27_500, 30_000, 32_500])
  })

  it('moves to the model interval a quarter past the estimate', async () => {
    // Tight until 37.5 s (30 s × 1.25), then every 5 s.
    expect(await pollTimes([20, 30], 50_000)).toEqual([20_000, 22_500, 25_000, 27_500, 30_000, 32_500, 35_000, 37_500, 42_500, 47_500, 52_500])
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
    await vi.advanceTimersByTimeAsync(21_000)
    expect(polls).toBe(1)
    controller.abort()
    await expect(result).rejects.toMatchObject({ name: 'AbortError' })
    expect(vi.getTimerCount()).toBe(0)
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
  })
})
