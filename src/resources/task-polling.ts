import pWaitFor from 'p-wait-for'
import { abortErrorFor, allowManyAbortListeners, anySignal, delay } from '../core/abort.js'
import {
  ConnectionError,
  ImaAbortError,
  RateLimitError,
  RequestTimeoutError,
  ResponseValidationError,
  ServerError,
  TaskFailedError,
  type ImaError,
} from '../core/errors.js'
import { progressPercent } from '../protocol/task-status.js'
import type { TaskDetail, TaskEvent, TaskResult } from './task-types.js'

/**
 * One stretch of a poll schedule: between `fromElapsedMs` and `toElapsedMs`
 * after the task was created, poll every `intervalMs`.
 */
export interface PollPhase {
  /** Where the stretch starts, in ms since the task was created. */
  fromElapsedMs: number
  /** Where it ends, in ms since the task was created (`Infinity` for the last one). */
  toElapsedMs: number
  /** Time between polls within it, in ms. */
  intervalMs: number
}

/** Shortest interval the adaptive schedule tightens to, in ms. */
export const MIN_TIGHT_INTERVAL_MS = 1_000

/** How far past the slowest estimate the tight polling goes on (tasks often run a little over). */
export const OVERRUN_FACTOR = 1.25

/**
 * When to poll a task. With a fixed interval (the caller's `intervalMs`), or
 * when the task's start is unknown (a task resumed by id), poll from now on
 * at that interval. Otherwise follow the model's estimate: no poll before the
 * fastest plausible finish, then every half of the model's interval (at most
 * 2.5 s) until a quarter past the slowest estimate, then at the model's
 * interval. Over each model's range ±25 %, this makes 0.8–0.9× the requests
 * of fixed 5 s polling and detects the result earlier on average
 * (`npm run bench` prints both per model).
 */
export function planPollSchedule(input: {
  estimatedSeconds: readonly [number, number]
  modelIntervalMs: number
  fixedIntervalMs?: number
  startKnown: boolean
}): PollPhase[] {
  if (input.fixedIntervalMs !== undefined) return [{ fromElapsedMs: 0, toElapsedMs: Number.POSITIVE_INFINITY, intervalMs: input.fixedIntervalMs }]
  if (!input.startKnown) return [{ fromElapsedMs: 0, toElapsedMs: Number.POSITIVE_INFINITY, intervalMs: input.modelIntervalMs }]
  const [fastest, slowest] = input.estimatedSeconds.map((seconds) => seconds * 1000) as [number, number]
  const tight = Math.max(MIN_TIGHT_INTERVAL_MS, Math.round(Math.min(input.modelIntervalMs, MAX_TIGHT_BASE_MS) / 2))
  const overrun = Math.round(slowest * OVERRUN_FACTOR)
  return [
    { fromElapsedMs: fastest, toElapsedMs: overrun, intervalMs: tight },
    { fromElapsedMs: overrun, toElapsedMs: Number.POSITIVE_INFINITY, intervalMs: input.modelIntervalMs },
  ]
}

/** The tight interval is half of this at most, whatever the model's interval. */
const MAX_TIGHT_BASE_MS = 5_000

/** Everything one poll loop needs. */
export interface PollPlan {
  taskId: string
  /** Fetches the task detail once. */
  fetchDetail: (signal: AbortSignal) => Promise<TaskDetail>
  schedule: readonly PollPhase[]
  estimatedMaxMs: number
  /** When the task started, for elapsed time (ms since the epoch). */
  startedAt: number
  /** Stops the loop. */
  signal: AbortSignal
  /** Called with every status event, in order, the last one included. */
  onEvent: (event: TaskEvent) => void
  /** Failed polls in a row that are waited through before the loop fails. */
  maxPollFailures: number
  /** Called for each failed poll that is waited through. */
  onPollFailure: (error: ImaError, consecutive: number) => void
}

/** Poll failures worth waiting through: the service or the network may recover. */
function isTransient(error: unknown): error is ImaError {
  return (
    error instanceof ConnectionError ||
    error instanceof RequestTimeoutError ||
    error instanceof ResponseValidationError ||
    error instanceof RateLimitError ||
    error instanceof ServerError
  )
}

function eventFor(detail: TaskDetail, plan: PollPlan): TaskEvent {
  const elapsedMs = Math.max(0, Date.now() - plan.startedAt)
  const base = { taskId: plan.taskId, elapsedMs, medias: detail.medias }
  switch (detail.state) {
    case 'success':
      return { ...base, type: 'success', percent: 100, url: detail.urls[0] ?? '', urls: detail.urls }
    case 'failed':
    case 'deleted':
      return { ...base, type: 'failed', percent: progressPercent(elapsedMs, plan.estimatedMaxMs), ...(detail.reason ? { reason: detail.reason } : {}) }
    default:
      return { ...base, type: detail.state, percent: progressPercent(elapsedMs, plan.estimatedMaxMs) }
  }
}

function failureOf(detail: TaskDetail, taskId: string): TaskFailedError {
  const deleted = detail.state === 'deleted'
  const why = detail.reason ? `: ${detail.reason}` : ''
  const message = deleted
    ? `Task ${taskId} was deleted before its result could be read${why} — create it again`
    : `Task ${taskId} failed${why} — try again, or choose another model or size`
  return new TaskFailedError(message, {
    taskId,
    ...(detail.reason ? { reason: detail.reason } : {}),
    failure: deleted ? 'deleted' : (detail.failure ?? 'resource'),
  })
}

/**
 * Polls a task on its schedule until it succeeds (the result) or fails
 * (`TaskFailedError`, or the last error after too many failed polls in a
 * row). p-wait-for does the waiting of each phase (interval, abort); a phase
 * ends through a signal of our own, so the phases' listeners never pile up
 * on the caller's signal. Deadlines belong to the waiters, not to the loop.
 */
export async function pollTask(plan: PollPlan): Promise<TaskResult> {
  let failuresInARow = 0
  const condition = async () => {
    let detail: TaskDetail
    try {
      detail = await plan.fetchDetail(plan.signal)
      failuresInARow = 0
    } catch (error) {
      if (plan.signal.aborted || !isTransient(error)) throw error
      failuresInARow += 1
      if (failuresInARow > plan.maxPollFailures) throw error
      plan.onPollFailure(error, failuresInARow)
      return false
    }
    const event = eventFor(detail, plan)
    plan.onEvent(event)
    if (detail.state === 'failed' || detail.state === 'deleted') throw failureOf(detail, plan.taskId)
    if (detail.state !== 'success') return false
    return pWaitFor.resolveWith<TaskResult>({
      taskId: plan.taskId,
      url: detail.urls[0] ?? '',
      urls: detail.urls,
      coverUrl: detail.medias[0]?.coverUrl,
      medias: detail.medias,
      elapsedMs: event.elapsedMs,
    })
  }

  for (const phase of plan.schedule) {
    const elapsed = Date.now() - plan.startedAt
    if (elapsed >= phase.toElapsedMs) continue
    if (elapsed < phase.fromElapsedMs) await delay(phase.fromElapsedMs - elapsed, plan.signal)
    const remaining = phase.toElapsedMs - (Date.now() - plan.startedAt)
    const phaseEnd = new AbortController()
    const timer = Number.isFinite(remaining) ? setTimeout(() => phaseEnd.abort(), Math.max(0, remaining)) : undefined
    const signal = anySignal([plan.signal, phaseEnd.signal]) as AbortSignal
    allowManyAbortListeners(signal)
    try {
      return await pWaitFor<TaskResult>(condition, { interval: phase.intervalMs, before: true, signal })
    } catch (error) {
      if (plan.signal.aborted) throw abortErrorFor(plan.signal)
      if (phaseEnd.signal.aborted && error === signal.reason) continue
      throw error
    } finally {
      clearTimeout(timer)
    }
  }
  // Unreachable: the last phase is open-ended, so only a result, a failure or an abort leaves the loop.
  throw new Error('pollTask: the poll schedule ended without an open-ended phase')
}

/**
 * Turns a push-style wait into an async iterator of its events. Leaving the
 * loop early (break, return, throw) stops the polling.
 */
export async function* iteratePoll(
  start: (signal: AbortSignal, onEvent: (event: TaskEvent) => void) => Promise<TaskResult>,
): AsyncGenerator<TaskEvent, void, undefined> {
  const queue: TaskEvent[] = []
  let wake: (() => void) | undefined
  let settled = false
  let failure: { error: unknown } | undefined
  const stop = new AbortController()
  const running = start(stop.signal, (event) => {
    queue.push(event)
    wake?.()
  }).then(
    () => {},
    (error: unknown) => {
      failure = { error }
    },
  ).finally(() => {
    settled = true
    wake?.()
  })
  try {
    while (true) {
      const next = queue.shift()
      if (next) {
        yield next
        continue
      }
      if (settled) {
        if (failure) throw failure.error
        return
      }
      await new Promise<void>((resolve) => {
        wake = resolve
      })
      wake = undefined
    }
  } finally {
    stop.abort(new ImaAbortError('Stopped waiting: the iteration ended early'))
    await running
  }
}
