import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { planPollSchedule, pollTask } from '../../src/resources/task-polling.js'
import type { TaskDetail } from '../../src/resources/task-types.js'

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
    return times
  }

  it('makes its polls at the scheduled times and stops at success', async () => {
    expect(await pollTimes([20, 40], 31_000)).toEqual([20_000, 22_500, 25_000, 27_500, 30_000, 32_500])
  })

  it('moves to the model interval a quarter past the estimate', async () => {
    // Tight until 37.5 s (30 s × 1.25), then every 5 s.
    expect(await pollTimes([20, 30], 50_000)).toEqual([20_000, 22_500, 25_000, 27_500, 30_000, 32_500, 35_000, 37_500, 42_500, 47_500, 52_500])
  })
})
