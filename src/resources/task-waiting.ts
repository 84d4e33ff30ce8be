import * as z from 'zod/mini'
import { findModelCapabilities, UNKNOWN_MODEL_TIMING } from '../catalog/models.js'
import { abortErrorFor } from '../core/abort.js'
import type { ClientContext } from '../core/context.js'
import { attachTaskId, ImaError, TaskTimeoutError, ValidationError } from '../core/errors.js'
import { validateInput } from '../core/validate.js'
import { planPollSchedule, pollTask, type PollPhase } from './task-polling.js'
import type { TaskDetail, TaskEvent, TaskRef, TaskResult, WaitOptions } from './task-types.js'

/** Default overall deadline of a wait, in ms. */
export const DEFAULT_WAIT_TIMEOUT_MS = 600_000
/** Failed polls in a row waited through by default. */
export const DEFAULT_MAX_POLL_FAILURES = 3

const waitOptionsSchema = z.object({
  signal: z.optional(z.custom<AbortSignal>((value) => value instanceof AbortSignal, 'must be an AbortSignal')),
  intervalMs: z.optional(z.number().check(z.gte(0))),
  timeoutMs: z.optional(z.number().check(z.positive())),
  estimatedMaxMs: z.optional(z.number().check(z.positive())),
  maxPollFailures: z.optional(z.int().check(z.gte(0))),
})

/** The id of a task reference, or a ValidationError. */
export function taskIdOf(ref: TaskRef): string {
  const id = typeof ref === 'string' ? ref : ref?.id
  if (typeof id !== 'string' || id.trim() === '') {
    throw new ValidationError('Expected a task id or the task returned by tasks.create()', [{ path: 'task', message: 'is required' }])
  }
  return id
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
}

interface Waiter {
  onEvent: (event: TaskEvent) => void
  settle: (outcome: { result: TaskResult } | { error: unknown }) => void
}

interface SharedLoop {
  waiters: Set<Waiter>
  stop: AbortController
}

/**
 * Waits for tasks. Waits on the same task with the same schedule share one
 * poll loop, so ten `waitFor` calls cost the requests of one; each wait
 * keeps its own deadline and signal, and the loop stops when its last waiter
 * leaves.
 */
export class TaskWaiter {
  readonly #context: ClientContext
  readonly #fetchDetail: (taskId: string, signal: AbortSignal) => Promise<TaskDetail>
  readonly #loops = new Map<string, SharedLoop>()
  readonly #onVerdict: (taskId: string, outcome: { urls: string[] } | { error: unknown }) => Promise<void>

  /**
   * @param onVerdict - told once per poll loop how the task ended (its images, or the error that ended polling), e.g. to journal it.
   */
  constructor(
    context: ClientContext,
    fetchDetail: (taskId: string, signal: AbortSignal) => Promise<TaskDetail>,
    onVerdict: (taskId: string, outcome: { urls: string[] } | { error: unknown }) => Promise<void> = async () => {},
  ) {
    this.#context = context
    this.#fetchDetail = fetchDetail
    this.#onVerdict = onVerdict
  }

  /** How many poll loops are running (one per task and schedule). */
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
      const key = JSON.stringify([plan.taskId, plan.schedule, plan.estimatedMaxMs, plan.maxPollFailures])
      const loop = this.#loops.get(key) ?? this.#start(key, plan)
      let timer: ReturnType<typeof setTimeout> | undefined
      const onAbort = () => leave({ error: abortErrorFor(signal as AbortSignal) })
      const waiter: Waiter = {
        onEvent,
        settle: (outcome) => {
          if (timer !== undefined) clearTimeout(timer)
          signal?.removeEventListener('abort', onAbort)
          if ('result' in outcome) resolve(outcome.result)
          else reject(attachTaskId(outcome.error, plan.taskId))
        },
      }
      const leave = (outcome: { error: unknown }) => {
        loop.waiters.delete(waiter)
        if (loop.waiters.size === 0) {
          this.#loops.delete(key)
          loop.stop.abort()
        }
        waiter.settle(outcome)
      }
      loop.waiters.add(waiter)
      signal?.addEventListener('abort', onAbort, { once: true })
      timer = setTimeout(() => {
        const error = new TaskTimeoutError(
          `Task ${plan.taskId} was not finished after ${Math.round(plan.timeoutMs / 1000)} s of waiting. It may still finish: resume with ima.tasks.wait('${plan.taskId}')`,
          { taskId: plan.taskId, elapsedMs: Date.now() - waitStarted },
        )
        this.#reportFailure(plan.taskId, error, plan.model)
        leave({ error })
      }, plan.timeoutMs)
    })
  }

  #plan(taskRef: TaskRef, options: WaitOptions): WaitPlan {
    const taskId = taskIdOf(taskRef)
    validateInput(waitOptionsSchema, options, 'wait options')
    const model = typeof taskRef === 'string' ? undefined : findModelCapabilities(taskRef.model?.id)
    const createdAt = typeof taskRef === 'string' ? undefined : taskRef.createdAt
    const timing = model ?? UNKNOWN_MODEL_TIMING
    return {
      taskId,
      model: typeof taskRef === 'string' ? undefined : taskRef.model?.id,
      schedule: planPollSchedule({
        estimatedSeconds: timing.estimatedSeconds,
        modelIntervalMs: timing.pollIntervalMs,
        fixedIntervalMs: options.intervalMs,
        startKnown: createdAt !== undefined,
      }),
      timeoutMs: options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS,
      estimatedMaxMs: options.estimatedMaxMs ?? timing.estimatedSeconds[1] * 1000,
      createdAt,
      maxPollFailures: options.maxPollFailures ?? DEFAULT_MAX_POLL_FAILURES,
    }
  }

  #start(key: string, plan: WaitPlan): SharedLoop {
    const { emit, config } = this.#context
    const loop: SharedLoop = { waiters: new Set(), stop: new AbortController() }
    this.#loops.set(key, loop)
    let lastType: string | undefined
    const settleAll = (outcome: { result: TaskResult } | { error: unknown }) => {
      if (this.#loops.get(key) === loop) this.#loops.delete(key)
      for (const waiter of loop.waiters) waiter.settle(outcome)
      loop.waiters.clear()
    }
    pollTask({
      taskId: plan.taskId,
      fetchDetail: (signal) => this.#fetchDetail(plan.taskId, signal),
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
        emit('task.succeeded', result)
        // Journaled before the callers hear of it, so a process that exits right after still finds it done.
        await this.#onVerdict(plan.taskId, { urls: result.urls }).catch(() => {})
        settleAll({ result })
      },
      async (error: unknown) => {
        // A loop stopped because its last waiter left has no one to tell.
        if (loop.stop.signal.aborted) return
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
