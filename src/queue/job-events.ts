/**
 * What the web process (or the bot's front end) listens to once it has
 * enqueued a generation: the job's result, and its progress. Thin wrappers
 * over BullMQ's own `job.waitUntilFinished(queueEvents)` and QueueEvents'
 * per-job events, adding what a request handler needs: one error class
 * that says which job and why (failed, timed out, aborted, gone), and an
 * `AbortSignal` for the client that went away.
 *
 * BullMQ is an optional peer: only its types are imported here; the module
 * is loaded when `waitForJob` has to make its own QueueEvents.
 */
import type { ConnectionOptions, Queue, QueueEvents } from 'bullmq'
import { ImaError } from '../errors.js'
import type { GenerationJobData, GenerationJobResult, GenerationProgress, GenerationQueue } from './generation-queue.js'
import { loadBullmq } from './load-bullmq.js'

/** Why waiting for a job ended without its result. @example `if (error instanceof GenerationJobError && error.kind === 'timeout') reply('still drawing…')` @public */
export type GenerationJobErrorKind = 'failed' | 'timeout' | 'aborted' | 'missing' | 'closed'

/**
 * Waiting for a generation job ended without its result: the job failed
 * (`failedReason` is the worker's reason, e.g. a create whose outcome is
 * unknown, with its journal ref), the wait's `timeoutMs` passed or its
 * signal aborted (the job goes on either way), the job does not exist (never
 * added, or removed), or the queue closed.
 *
 * @example
 * ```ts
 * try {
 *   await waitForJob(events, generations, jobId, { timeoutMs: 120_000 })
 * } catch (error) {
 *   if (error instanceof GenerationJobError && error.kind === 'failed') console.warn(error.jobId, error.failedReason)
 * }
 * ```
 * @public
 */
export class GenerationJobError extends ImaError {
  /** Literal class name, for `error.name` checks. */
  override name = 'GenerationJobError' as const
  /** The job waited for. */
  readonly jobId: string
  /** Why the wait ended. */
  readonly kind: GenerationJobErrorKind
  /** BullMQ's failed reason, when the job failed. */
  readonly failedReason: string | undefined
  /** Attempts the job made, when it failed. */
  readonly attemptsMade: number | undefined

  constructor(message: string, options: { jobId: string; kind: GenerationJobErrorKind; failedReason?: string; attemptsMade?: number; cause?: unknown }) {
    super(message, { code: `job_${options.kind}`, ...(options.cause !== undefined ? { cause: options.cause } : {}) })
    this.jobId = options.jobId
    this.kind = options.kind
    this.failedReason = options.failedReason
    this.attemptsMade = options.attemptsMade
  }
}

/**
 * Options of {@link waitForJob}.
 * @example `const options: WaitForJobOptions = { timeoutMs: 300_000, signal: request.signal }`
 * @public
 */
export interface WaitForJobOptions {
  /** Give up waiting after this many ms (`GenerationJobError` of kind `timeout`); the job goes on. @defaultValue no limit */
  timeoutMs?: number | undefined
  /** Stop waiting (`GenerationJobError` of kind `aborted`); the job goes on. */
  signal?: AbortSignal | undefined
}

type GenerationBullQueue = Queue<GenerationJobData, GenerationJobResult>

/** The BullMQ queue of a {@link GenerationQueue} handle, or the queue itself. */
function bullQueueOf(queue: GenerationBullQueue | GenerationQueue): GenerationBullQueue {
  return typeof (queue as Partial<GenerationQueue>).enqueue === 'function' ? (queue as GenerationQueue).queue : (queue as GenerationBullQueue)
}

/** A QueueEvents, told from connection options or an ioredis instance (which have no `waitUntilReady` and `run`). */
function isQueueEvents(value: unknown): value is QueueEvents {
  const candidate = value as Partial<QueueEvents> | null
  return typeof candidate === 'object' && candidate !== null && typeof candidate.waitUntilReady === 'function' && typeof candidate.run === 'function' && typeof candidate.close === 'function'
}

function abortedError(jobId: string, signal: AbortSignal): GenerationJobError {
  return new GenerationJobError(`Stopped waiting for job ${jobId}: the signal aborted (the job goes on)`, { jobId, kind: 'aborted', cause: signal.reason })
}

/** Resolves or rejects as `promise`, or rejects with the job's abort error once `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, jobId: string, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortedError(jobId, signal))
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

/**
 * Waits for a generation job and resolves with its return value — the
 * task id, the image URLs, what it cost — or rejects with a
 * {@link GenerationJobError} carrying `jobId` (and, when the job failed,
 * BullMQ's `failedReason`). A job already finished resolves or rejects at
 * once. Give a QueueEvents of the queue to share one Redis reader among
 * many waits; with connection options instead, one is made (loading
 * bullmq) and closed for this wait.
 *
 * @example
 * ```ts
 * import { QueueEvents } from 'bullmq'
 * const events = new QueueEvents('ima-generations', { connection })
 * const jobId = await generations.enqueue({ prompt: 'a red fox' })
 * const { url, totalCredit } = await waitForJob(events, generations, jobId, { timeoutMs: 300_000, signal: request.signal })
 * ```
 * @throws GenerationJobError when the job failed or is gone, or the wait timed out, was aborted or its queue closed.
 * @public
 */
export async function waitForJob(
  events: QueueEvents | ConnectionOptions,
  queue: GenerationBullQueue | GenerationQueue,
  jobId: string,
  options: WaitForJobOptions = {},
): Promise<GenerationJobResult> {
  const { timeoutMs, signal } = options
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs > 0)) {
    throw new TypeError(`Expected timeoutMs to be a number of ms > 0, got ${String(timeoutMs)}`)
  }
  if (signal?.aborted) throw abortedError(jobId, signal)
  const target = bullQueueOf(queue)
  let owned: QueueEvents | undefined
  if (!isQueueEvents(events)) {
    const { QueueEvents } = await loadBullmq()
    owned = new QueueEvents(target.name, { connection: events, ...(target.opts.prefix !== undefined ? { prefix: target.opts.prefix } : {}) })
  }
  const queueEvents = owned ?? (events as QueueEvents)
  const started = Date.now()
  try {
    const job = await target.getJob(jobId)
    if (!job) throw new GenerationJobError(`There is no job ${jobId} in queue ${target.name} (never added, or removed after it finished)`, { jobId, kind: 'missing' })
    // Each wait adds a 'closing' listener to the queue until it ends: many concurrent waits are expected, not a leak.
    const limit = target.getMaxListeners()
    if (limit !== 0) target.setMaxListeners(limit + 1)
    // BullMQ listens first and then reads the job's state, so a job that finishes meanwhile is never missed.
    const finished = job.waitUntilFinished(queueEvents, timeoutMs)
    // An abort leaves BullMQ's wait running until its ttl or the job's end: its rejection then must not go unhandled.
    finished
      .catch(() => undefined)
      .finally(() => {
        const current = target.getMaxListeners()
        if (current > 1) target.setMaxListeners(current - 1)
      })
    try {
      return await untilAborted(finished, jobId, signal)
    } catch (error) {
      if (error instanceof GenerationJobError) throw error
      // BullMQ rejects with a bare Error for a failure, a ttl and a closing queue alike: the job's state says which.
      const latest = await target.getJob(jobId).catch(() => undefined)
      const state = latest ? await latest.getState().catch(() => 'unknown') : 'unknown'
      if (latest && state === 'completed') return latest.returnvalue
      if (latest && state === 'failed') {
        throw new GenerationJobError(`Job ${jobId} failed: ${latest.failedReason}`, { jobId, kind: 'failed', failedReason: latest.failedReason, attemptsMade: latest.attemptsMade, cause: error })
      }
      if (!latest) throw new GenerationJobError(`Job ${jobId} was removed from queue ${target.name} while it was waited for`, { jobId, kind: 'missing', cause: error })
      if (timeoutMs !== undefined && Date.now() - started >= timeoutMs) {
        throw new GenerationJobError(`Job ${jobId} did not finish within ${timeoutMs} ms (it is ${state}, and goes on)`, { jobId, kind: 'timeout', cause: error })
      }
      throw new GenerationJobError(`Stopped waiting for job ${jobId}: ${error instanceof Error ? error.message : String(error)}`, { jobId, kind: 'closed', cause: error })
    }
  } finally {
    await owned?.close()
  }
}

/** Whether a progress value is one a generation worker reports (a job added by other code may report anything). */
function isGenerationProgress(value: unknown): value is GenerationProgress {
  const progress = value as Partial<GenerationProgress> | null
  return typeof progress === 'object' && progress !== null && typeof progress.taskId === 'string' && typeof progress.percent === 'number' && typeof progress.state === 'string'
}

/**
 * Calls `listener` with each progress report of one generation job — one
 * per poll of its task: `{ percent, state, taskId }` — and returns the
 * function that stops it. Reports made before the call are not replayed.
 * A listener that throws is ignored (it must not stop the QueueEvents).
 *
 * @example
 * ```ts
 * const stop = onJobProgress(events, jobId, ({ percent, state }) => socket.send(JSON.stringify({ percent, state })))
 * try {
 *   socket.send(JSON.stringify(await waitForJob(events, generations, jobId)))
 * } finally {
 *   stop()
 * }
 * ```
 * @public
 */
export function onJobProgress(queueEvents: QueueEvents, jobId: string, listener: (progress: GenerationProgress) => void): () => void {
  // QueueEvents emits `progress:<jobId>` besides `progress`: one listener per job is told only of its job.
  const event = `progress:${jobId}`
  const handler = (args: { jobId: string; data: unknown }) => {
    if (!isGenerationProgress(args.data)) return
    try {
      listener(args.data)
    } catch {
      // A listener's bug must not break the QueueEvents' read loop (an EventEmitter would throw into it).
    }
  }
  // QueueEvents' typed `on` knows only its fixed event names; the per-job ones are plain emitter events.
  type ProgressHandler = (args: { jobId: string; data: unknown }) => void
  const emitter = queueEvents as unknown as { on(event: string, listener: ProgressHandler): unknown; off(event: string, listener: ProgressHandler): unknown }
  emitter.on(event, handler)
  return () => {
    emitter.off(event, handler)
  }
}
