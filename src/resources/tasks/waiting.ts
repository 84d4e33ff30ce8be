/**
 * Waiting for tasks, in one place: the poll loop, the waiters that share
 * it, and iteration over its events. When to poll is a protocol rule
 * (`protocol/poll-schedule.ts`); the waiters choose its inputs.
 *
 * Nothing here outlives a wait. Every subscription to a signal goes through
 * `whenAborted` (one listener per signal, however many waits share it) and
 * is removed when the wait ends; every timer is cleared; a loop's waiters
 * are dropped when it settles; and no `AbortSignal.any` composite is made,
 * since on Node 20 a long-lived source keeps those reachable.
 */
import pWaitFor from 'p-wait-for'
import { findModelCapabilities, UNKNOWN_MODEL_TIMING } from '../../catalog/models.js'
import { abortErrorFor, delay, linkSignals, throwIfAborted, whenAborted } from '../../internal/abort.js'
import type { ClientContext } from '../context.js'
import {
  attachTaskId,
  ConnectionError,
  ImaAbortError,
  ImaError,
  NotFoundError,
  RateLimitError,
  RequestTimeoutError,
  ResponseValidationError,
  ServerError,
  TaskFailedError,
  TaskTimeoutError,
  ValidationError,
} from '../../errors.js'
import type { RequestOptions } from '../../http/http-client.js'
import { nextPollAt, planPollSchedule, type PollPhase } from '../../protocol/poll-schedule.js'
import { progressPercent } from '../../protocol/task-status.js'
import { checkWaitOptions } from './create-params.js'
import type { TaskDetail, TaskEvent, TaskRef, TaskResult, WaitOptions } from './types.js'

// ---------------------------------------------------------------------------
// The poll loop

/**
 * Everything one poll loop needs.
 *
 * @example
 * ```ts
 * const plan: PollPlan = {
 *   taskId, fetchDetail: (signal) => ima.tasks.get(taskId, { signal }),
 *   schedule: [{ fromElapsedMs: 0, toElapsedMs: Number.POSITIVE_INFINITY, intervalMs: 1_000 }],
 *   estimatedMaxMs: 60_000, startedAt: Date.now(), signal: stop.signal,
 *   onEvent: () => {}, maxPollFailures: 3, onPollFailure: () => {},
 * }
 * ```
 */
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

/** The error of a failed or deleted task. Its reason was redacted where the detail was read (`tasks.get`). */
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
 * row, or the abort error of `plan.signal`). Deadlines belong to the
 * waiters, not to the loop.
 *
 * One p-wait-for call runs the whole loop: the condition sleeps until the
 * schedule's next poll, polls, and says whether the task is done. p-wait-for
 * is given neither a signal nor a timeout: its own sleep adds an abort
 * listener per interval that it never removes, and its timeout makes an
 * `AbortSignal.any` composite. So its interval is 0 and the condition
 * sleeps with `delay`, whose subscription ends with each sleep.
 *
 * @example
 * ```ts
 * const result = await pollTask({
 *   taskId, fetchDetail: (signal) => ima.tasks.get(taskId, { signal }),
 *   schedule: planPollSchedule({ estimatedSeconds: [20, 40], modelIntervalMs: 5_000, startKnown: false }),
 *   estimatedMaxMs: 40_000, startedAt: Date.now(), signal: stop.signal,
 *   onEvent: console.log, maxPollFailures: 3, onPollFailure: () => {},
 * })
 * ```
 */
export function pollTask(plan: PollPlan): Promise<TaskResult> {
  let failuresInARow = 0
  let lastAnswerMs: number | undefined
  const elapsed = () => Date.now() - plan.startedAt

  const pollOnce = async () => {
    const now = elapsed()
    const wait = nextPollAt(plan.schedule, now, lastAnswerMs) - now
    if (wait > 0) await delay(wait, plan.signal)
    else throwIfAborted(plan.signal)
    let detail: TaskDetail
    try {
      detail = await plan.fetchDetail(plan.signal)
      failuresInARow = 0
    } catch (error) {
      if (plan.signal.aborted) throw abortErrorFor(plan.signal)
      if (!isTransient(error)) throw error
      failuresInARow += 1
      if (failuresInARow > plan.maxPollFailures) throw error
      plan.onPollFailure(error, failuresInARow)
      return false
    } finally {
      lastAnswerMs = elapsed()
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

  return pWaitFor<TaskResult>(pollOnce, { interval: 0, before: true })
}

/**
 * Turns a push-style wait into an async iterator of its events. The wait
 * gets `signal` linked with a stop of its own: leaving the loop early
 * (break, return, throw) stops the polling, and the link to `signal` is
 * released when the iteration ends.
 *
 * @example
 * ```ts
 * for await (const event of iteratePoll(options.signal, (signal, onEvent) => waiter.wait(task, { signal }, onEvent))) {
 *   console.log(event.type)
 * }
 * ```
 */
export async function* iteratePoll(
  signal: AbortSignal | undefined,
  start: (signal: AbortSignal, onEvent: (event: TaskEvent) => void) => Promise<TaskResult>,
): AsyncGenerator<TaskEvent, void, undefined> {
  const queue: TaskEvent[] = []
  let wake: (() => void) | undefined
  let settled = false
  let failure: { error: unknown } | undefined
  const stop = new AbortController()
  const linked = linkSignals([signal, stop.signal])
  let running: Promise<void> | undefined
  try {
    running = start(linked.signal as AbortSignal, (event) => {
      queue.push(event)
      wake?.()
    })
      .then(
        () => {},
        (error: unknown) => {
          failure = { error }
        },
      )
      .finally(() => {
        settled = true
        wake?.()
      })
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
    linked.release()
  }
}

// ---------------------------------------------------------------------------
// The waiters

/** Default overall deadline of a wait, in ms (the `timeoutMs` default). */
export const DEFAULT_WAIT_TIMEOUT_MS = 600_000

/** Failed polls in a row waited through by default (the `maxPollFailures` default). */
export const DEFAULT_MAX_POLL_FAILURES = 3

/**
 * The id of a task reference, or a ValidationError.
 *
 * @example
 * ```ts
 * taskIdOf('task_1') // 'task_1'
 * taskIdOf(await ima.tasks.create({ prompt: 'a fox' })) // its id
 * ```
 */
export function taskIdOf(ref: TaskRef): string {
  const id = typeof ref === 'string' ? ref : ref?.id
  if (typeof id !== 'string' || id.trim() === '') {
    throw new ValidationError('Expected a task id or the task returned by tasks.create()', [{ path: 'task', message: 'is required' }])
  }
  return id
}

/**
 * The error that ends a wait, naming its task. One that came from reading
 * the task (an outage, a timeout, a bad answer) also says the task exists:
 * its own "try again" must not be read as "create again", which pays twice.
 */
function afterPollFailure(error: unknown, taskId: string): unknown {
  // A verdict on the task, an abort, or a task the service does not know (404) says what it says.
  const verdict = error instanceof TaskFailedError || error instanceof TaskTimeoutError || error instanceof ImaAbortError || error instanceof NotFoundError || error instanceof ValidationError
  const exists = ` — task ${taskId} exists and may be charged: wait for it again with tasks.wait('${taskId}') rather than creating another`
  // One error may end several waits of the task (they share its polls): said once.
  if (error instanceof ImaError && !verdict && !error.message.includes(exists)) error.message += exists
  return attachTaskId(error, taskId)
}

/** A wait's settings after defaults. */
interface WaitPlan {
  taskId: string
  /** The model id, when the task object was given (for log lines). */
  model: string | undefined
  schedule: PollPhase[]
  timeoutMs: number
  estimatedMaxMs: number
  /** When the task was created, if known: elapsed time counts from there. */
  createdAt: number | undefined
  maxPollFailures: number
  /** The per-request limits of each poll (`timeout`, `maxRetries`); the signal is the loop's own. */
  pollRequest: Omit<RequestOptions, 'signal'>
}

type WaitOutcome = { result: TaskResult } | { error: unknown }

/** Whether waits of one client may share a loop: everywhere but Cloudflare's workerd, whose I/O is per request. */
function sharesLoops(): boolean {
  return (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent !== 'Cloudflare-Workers'
}

interface Waiter {
  onEvent: (event: TaskEvent) => void
  /** Ends the wait: clears its timer, drops its signal subscription, settles its promise. */
  settle: (outcome: WaitOutcome) => void
  /** The task finished: its deadline no longer applies (the result is on its way). */
  finished: () => void
}

interface SharedLoop {
  waiters: Set<Waiter>
  stop: AbortController
}

/**
 * Waits for tasks. Waits on the same task share one poll loop (not in
 * workerd), so ten `waitFor` calls cost the requests of one: the first
 * wait's schedule and poll options serve it, each wait keeps its own
 * deadline and signal, and the loop stops when its last waiter leaves.
 *
 * @example
 * ```ts
 * const waiter = new TaskWaiter(context, (taskId, request) => tasks.get(taskId, request))
 * const result = await waiter.wait(task, { timeoutMs: 300_000 }, (event) => console.log(event.percent))
 * ```
 */
export class TaskWaiter {
  readonly #context: ClientContext
  readonly #fetchDetail: (taskId: string, request: RequestOptions) => Promise<TaskDetail>
  readonly #ownTask: (taskId: string) => { model: { id: string }; createdAt: string } | undefined
  readonly #loops = new Map<string, SharedLoop>()
  /** Waits that poll on a loop of their own (workerd). */
  #ownLoops = 0
  readonly #onVerdict: (taskId: string, outcome: { urls: string[] } | { error: unknown }) => Promise<void>

  /**
   * @param fetchDetail - reads the task's detail once, with the poll's signal and per-request limits.
   * @param onVerdict - told once per poll loop how the task ended (its images, or the error that ended polling), e.g. to journal it.
   */
  constructor(
    context: ClientContext,
    fetchDetail: (taskId: string, request: RequestOptions) => Promise<TaskDetail>,
    onVerdict: (taskId: string, outcome: { urls: string[] } | { error: unknown }) => Promise<void> = async () => {},
    ownTask: (taskId: string) => { model: { id: string }; createdAt: string } | undefined = () => undefined,
  ) {
    this.#context = context
    this.#fetchDetail = fetchDetail
    this.#ownTask = ownTask
    this.#onVerdict = onVerdict
  }

  /** How many poll loops are running (one per task). */
  get activeLoops(): number {
    return this.#loops.size
  }

  /** Waits for one task, passing each status event to `onEvent`. */
  wait(taskRef: TaskRef, options: WaitOptions, onEvent: (event: TaskEvent) => void = () => {}): Promise<TaskResult> {
    const plan = this.#plan(taskRef, options)
    const signal = options.signal
    // Every error of a wait names its task: it exists, and may be charged.
    if (signal?.aborted) return Promise.reject(attachTaskId(abortErrorFor(signal), plan.taskId))
    const waitStarted = Date.now()
    return new Promise<TaskResult>((resolve, reject) => {
      // One loop per task, whatever each wait asked for: the first wait's schedule and poll options serve all
      // (each keeps its own deadline and signal). Two loops would poll twice and announce the result twice.
      // Not in Cloudflare's workerd: a loop's fetches and timers belong to the request that started it, and
      // another request waiting on them would hang once that one ends.
      const key = sharesLoops() ? plan.taskId : `${plan.taskId}#${(this.#ownLoops += 1)}`
      const loop = this.#loops.get(key) ?? this.#start(key, plan)
      let timer: ReturnType<typeof setTimeout> | undefined
      let stopListening = () => {}
      const waiter: Waiter = {
        onEvent,
        settle: (outcome) => {
          clearTimeout(timer)
          stopListening()
          if ('result' in outcome) resolve(outcome.result)
          else reject(afterPollFailure(outcome.error, plan.taskId))
        },
        finished: () => clearTimeout(timer),
      }
      /** This waiter gives up alone: the loop goes on for the others, or stops when it was the last. */
      const leave = (error: unknown) => {
        loop.waiters.delete(waiter)
        if (loop.waiters.size === 0 && this.#loops.get(key) === loop) {
          this.#loops.delete(key)
          loop.stop.abort()
        }
        waiter.settle({ error })
      }
      loop.waiters.add(waiter)
      if (signal) stopListening = whenAborted(signal, () => leave(abortErrorFor(signal)))
      timer = setTimeout(() => {
        const error = new TaskTimeoutError(
          `Task ${plan.taskId} was not finished after ${Math.round(plan.timeoutMs / 1000)} s of waiting. It may still finish: resume with ima.tasks.wait('${plan.taskId}')`,
          { taskId: plan.taskId, elapsedMs: Date.now() - waitStarted },
        )
        this.#reportFailure(plan.taskId, error, plan.model)
        leave(error)
      }, plan.timeoutMs)
    })
  }

  #plan(taskRef: TaskRef, options: WaitOptions): WaitPlan {
    const taskId = taskIdOf(taskRef)
    // The caller's signal ends this wait alone (see `wait`); the polls run on the shared loop's signal.
    const { timeout, maxRetries } = checkWaitOptions(options)
    // A wait by id on this client's own task knows its model and start from the journal: the model's schedule, not a guess.
    const own = typeof taskRef === 'string' ? this.#ownTask(taskId) : undefined
    const modelId = typeof taskRef === 'string' ? own?.model.id : taskRef.model?.id
    const model = findModelCapabilities(modelId)
    const createdAt = typeof taskRef === 'string' ? (own ? Date.parse(own.createdAt) : undefined) : taskRef.createdAt
    const timing = model ?? UNKNOWN_MODEL_TIMING
    return {
      taskId,
      model: modelId,
      schedule: planPollSchedule({
        estimatedSeconds: timing.estimatedSeconds,
        modelIntervalMs: timing.pollIntervalMs,
        // The wait's own interval wins over the client's; with neither, the model's estimate decides.
        fixedIntervalMs: options.intervalMs ?? this.#context.config.pollIntervalMs,
        startKnown: createdAt !== undefined,
      }),
      timeoutMs: options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS,
      estimatedMaxMs: options.estimatedMaxMs ?? timing.estimatedSeconds[1] * 1000,
      createdAt,
      maxPollFailures: options.maxPollFailures ?? DEFAULT_MAX_POLL_FAILURES,
      pollRequest: { ...(timeout !== undefined ? { timeout } : {}), ...(maxRetries !== undefined ? { maxRetries } : {}) },
    }
  }

  #start(key: string, plan: WaitPlan): SharedLoop {
    const { emit, config } = this.#context
    const loop: SharedLoop = { waiters: new Set(), stop: new AbortController() }
    this.#loops.set(key, loop)
    let lastType: string | undefined
    const settleAll = (outcome: WaitOutcome) => {
      if (this.#loops.get(key) === loop) this.#loops.delete(key)
      const waiters = [...loop.waiters]
      loop.waiters.clear()
      for (const waiter of waiters) waiter.settle(outcome)
    }
    pollTask({
      taskId: plan.taskId,
      fetchDetail: (signal) => this.#fetchDetail(plan.taskId, { ...plan.pollRequest, signal }),
      schedule: plan.schedule,
      estimatedMaxMs: plan.estimatedMaxMs,
      startedAt: plan.createdAt ?? Date.now(),
      signal: loop.stop.signal,
      maxPollFailures: plan.maxPollFailures,
      onPollFailure: (error, consecutive) => {
        emit('task.poll_failed', { taskId: plan.taskId, error, consecutive })
        config.logger.warn('ima poll failed', { taskId: plan.taskId, model: plan.model, error: error.name, code: error.code, consecutive })
      },
      onEvent: (event) => {
        if (event.type !== lastType) config.logger.info('ima task status', { taskId: event.taskId, model: plan.model, status: event.type, elapsedMs: event.elapsedMs })
        lastType = event.type
        emit('task.status', event)
        for (const waiter of loop.waiters) waiter.onEvent(event)
      },
    }).then(
      async (result) => {
        // Done: a deadline that falls while the result is journaled must not turn it into a timeout.
        for (const waiter of loop.waiters) waiter.finished()
        emit('task.succeeded', result)
        // Journaled before the callers hear of it, so a process that exits right after still finds it done.
        await this.#onVerdict(plan.taskId, { urls: result.urls }).catch(() => {})
        settleAll({ result })
      },
      async (error: unknown) => {
        // A loop stopped because its last waiter left has no one to tell.
        if (loop.stop.signal.aborted) return
        for (const waiter of loop.waiters) waiter.finished()
        this.#reportFailure(plan.taskId, error, plan.model)
        await this.#onVerdict(plan.taskId, { error }).catch(() => {})
        settleAll({ error })
      },
    )
    return loop
  }

  #reportFailure(taskId: string, error: unknown, model?: string): void {
    if (!(error instanceof ImaError) || error.name === 'AbortError') return
    this.#context.emit('task.failed', { taskId, error })
    this.#context.config.logger.warn('ima task failed', { taskId, model, error: error.name, code: error.code })
  }
}
