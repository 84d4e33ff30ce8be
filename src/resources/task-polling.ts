import pWaitFor from 'p-wait-for'
import { abortErrorFor, allowManyAbortListeners, anySignal } from '../core/abort.js'
import {
  ConnectionError,
  ImaAbortError,
  RateLimitError,
  RequestTimeoutError,
  ResponseValidationError,
  ServerError,
  TaskFailedError,
  TaskTimeoutError,
  type ImaError,
} from '../core/errors.js'
import { progressPercent } from '../protocol/task-status.js'
import type { TaskDetail, TaskEvent, TaskResult } from './task-types.js'

/** Everything one wait needs; the resource fills the defaults. */
export interface PollPlan {
  taskId: string
  /** Fetches the task detail once. */
  fetchDetail: (signal: AbortSignal) => Promise<TaskDetail>
  intervalMs: number
  timeoutMs: number
  estimatedMaxMs: number
  /** When the task started, for elapsed time (ms since the epoch). */
  startedAt: number
  signal?: AbortSignal
  /** Called with every status event, in order, the last one included. */
  onEvent: (event: TaskEvent) => void
  /** Failed polls in a row that are waited through before the wait fails. */
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
      return { ...base, type: 'success', percent: 100, url: detail.medias.map((media) => media.url ?? media.watermarkUrl).find(Boolean) ?? '' }
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
  return new TaskFailedError(message, { taskId, ...(detail.reason ? { reason: detail.reason } : {}), deleted })
}

/**
 * Polls a task until it succeeds, fails or passes its deadline. p-wait-for
 * does the waiting (interval, abort); the deadline is a signal of our own so
 * a poll in flight is cut short too, and a time-out can be told from the
 * caller's abort.
 */
export async function pollTask(plan: PollPlan): Promise<TaskResult> {
  const deadline = AbortSignal.timeout(plan.timeoutMs)
  const signal = anySignal([plan.signal, deadline]) as AbortSignal
  allowManyAbortListeners(signal)
  let failuresInARow = 0
  try {
    return await pWaitFor<TaskResult>(
      async () => {
        let detail: TaskDetail
        try {
          detail = await plan.fetchDetail(signal)
          failuresInARow = 0
        } catch (error) {
          if (signal.aborted || !isTransient(error)) throw error
          failuresInARow += 1
          if (failuresInARow > plan.maxPollFailures) throw error
          plan.onPollFailure(error, failuresInARow)
          return false
        }
        const event = eventFor(detail, plan)
        plan.onEvent(event)
        if (detail.state === 'failed' || detail.state === 'deleted') throw failureOf(detail, plan.taskId)
        if (detail.state !== 'success') return false
        const urls = detail.medias.map((media) => media.url ?? media.watermarkUrl ?? '')
        return pWaitFor.resolveWith({
          taskId: plan.taskId,
          url: urls[0] ?? '',
          urls,
          coverUrl: detail.medias[0]?.coverUrl,
          medias: detail.medias,
          elapsedMs: event.elapsedMs,
        })
      },
      { interval: plan.intervalMs, before: true, signal },
    )
  } catch (error) {
    if (plan.signal?.aborted) throw abortErrorFor(plan.signal)
    if (deadline.aborted) {
      const elapsedMs = Date.now() - plan.startedAt
      throw new TaskTimeoutError(
        `Task ${plan.taskId} was not finished after ${Math.round(plan.timeoutMs / 1000)} s of waiting. It may still finish: resume with ima.tasks.wait('${plan.taskId}')`,
        { taskId: plan.taskId, elapsedMs },
      )
    }
    if (error instanceof ImaAbortError || error === signal.reason) throw abortErrorFor(signal)
    throw error
  }
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
