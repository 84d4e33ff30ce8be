/**
 * The producer side of the generation queue: what a web process or a bot's
 * front end calls to ask for a picture, and the job's contract with the
 * workers (what `job.data`, the progress and the return value hold).
 *
 * A job's data is stored in Redis as JSON and read back by another process,
 * so the parameters are checked at `enqueue` to be plain JSON — no signal,
 * no `onCreated`, no Blob — and to be valid task parameters: a request that
 * can never succeed is refused to the web process at once, instead of
 * becoming a failed job a minute later.
 *
 * BullMQ is an optional peer: only its types are imported here, and the
 * module itself is loaded when a queue is made (see `load-bullmq.ts`).
 */
import type { BackoffOptions, ConnectionOptions, JobsOptions, KeepJobs, Queue } from 'bullmq'
import type { GenerateParams } from '../client.js'
import { ImaConfigError, ValidationError, type FieldIssue } from '../errors.js'
import { unknownNamesSentence } from '../internal/did-you-mean.js'
import { checkCreateParams, checkWaitOptions, WAIT_PARAMETER_KEYS } from '../resources/tasks/create-params.js'
import type { TaskEvent, TaskModel } from '../resources/tasks/types.js'
import { loadBullmq } from './load-bullmq.js'

/** The queue's name when none is given. @example `createGenerationQueue({ connection, name: DEFAULT_GENERATION_QUEUE_NAME })` @public */
export const DEFAULT_GENERATION_QUEUE_NAME = 'ima-generations'

/** The BullMQ job name of every generation job. @example `queue.getJobs(['failed']).then((jobs) => jobs.filter((job) => job.name === GENERATION_JOB_NAME))` @public */
export const GENERATION_JOB_NAME = 'generate'

/**
 * What a generation job asks for: the parameters of `ima.generate()` that
 * JSON can carry. Left out: `onCreated` (a function; the worker sets its
 * own), `ref` (the worker derives it from the job id, which is what makes a
 * retried job find its create again), and `inputImages` other than URL
 * strings (bytes, Blobs and streams cannot be stored in Redis; a local path
 * would be read on whichever machine runs the worker).
 *
 * @example
 * ```ts
 * const params: GenerationJobParams = { model: 'NB Pro', prompt: 'a red fox', size: '2K', timeoutMs: 300_000 }
 * ```
 * @public
 */
export type GenerationJobParams = Omit<GenerateParams, 'onCreated' | 'ref' | 'inputImages'> & {
  /** https URLs of the input images for image_to_image. */
  inputImages?: string[] | undefined
}

/**
 * The job is about to send its create (written before it is sent). A job
 * found in this phase after a crash or a stall may or may not have sent it:
 * the worker asks the task journal under `ref`.
 * @example `if (job.data.ima?.phase === 'creating') console.log('create maybe sent as', job.data.ima.ref)`
 * @public
 */
export interface GenerationCreating {
  phase: 'creating'
  /** The create's journal reference: `bullmq:<queue name>:<job id>`. */
  ref: string
  /** The worker that is sending it (`GenerationWorkerOptions.workerName`). */
  worker: string
}

/**
 * The service accepted the create: the task exists and is paid for. A job
 * found in this phase only waits for `taskId` again; it never creates.
 * @example `if (job.data.ima?.phase === 'created') await ima.tasks.wait(job.data.ima.taskId)`
 * @public
 */
export interface GenerationCreated {
  phase: 'created'
  /** The create's journal reference: `bullmq:<queue name>:<job id>`. */
  ref: string
  /** The task's id. */
  taskId: string
  /** Points per image. */
  credit: number
  /** Points the task costs (credit × n). */
  totalCredit: number
  /** The model and version the task runs on. */
  model: TaskModel
  /** When the create was accepted (ms since the epoch): a resumed wait's percentages count from it. */
  createdAt: number
  /** The worker whose create made the task. */
  worker: string
}

/** Where a job's create stands, in `job.data.ima`. @example `const phase = job.data.ima?.phase ?? 'queued'` @public */
export type GenerationJobState = GenerationCreating | GenerationCreated

/**
 * `job.data` of a generation job: the parameters, and — written by the
 * worker — where its create stands.
 * @example `const job = await generations.queue.getJob(id); console.log(job?.data.params.prompt, job?.data.ima?.phase)`
 * @public
 */
export interface GenerationJobData {
  /** What to make. */
  params: GenerationJobParams
  /** Written by the worker: absent until the job first reaches a worker. */
  ima?: GenerationJobState | undefined
}

/**
 * A generation job's return value (JSON, as BullMQ stores it).
 * @example `const { url, taskId, totalCredit } = await waitForJob(events, generations, id)`
 * @public
 */
export interface GenerationJobResult {
  /** The finished task's id. */
  taskId: string
  /** The first image's URL. */
  url: string
  /** Every image's URL, in order. */
  urls: string[]
  /** Points per image. */
  credit: number
  /** Points the task cost (credit × n). */
  totalCredit: number
  /** The model and version the task ran on. */
  model: TaskModel
  /** Time from the create to the result (from the start of the wait when the create's time is unknown). */
  elapsedMs: number
  /** The create's journal reference: `bullmq:<queue name>:<job id>`. */
  ref: string
  /** The worker whose create made the task, when known. */
  createdBy: string | undefined
  /** The worker that saw the task finish. */
  finishedBy: string
  /** True when this worker did not create the task but resumed the wait for it (a retried or stalled job, or a job id enqueued again). */
  resumed: boolean
}

/**
 * A generation job's progress (`job.updateProgress`), one per poll of its
 * task: what `onJobProgress` hands the web process.
 * @example `onJobProgress(events, id, ({ percent, state }) => bar.update(percent, { state }))`
 * @public
 */
export interface GenerationProgress {
  /** `min(95, elapsed / estimated)` while running, 100 on success. */
  percent: number
  /** The task's state at this poll. */
  state: TaskEvent['type']
  /** The task being waited for. */
  taskId: string
}


/**
 * Retry and retention options of the jobs a {@link GenerationQueue} adds.
 * @example `const jobOptions: GenerationJobOptions = { attempts: 5, removeOnComplete: { age: 3_600 } }`
 * @public
 */
export interface GenerationJobOptions {
  /**
   * Attempts in all. A retry never pays twice — it resumes the task the
   * first attempt created — so retries are for what can pass: a wait cut by
   * a network error or a timeout, a create the service refused for now
   * (429, a product list that moved). Creates whose outcome is unknown,
   * budgets, validation and failed tasks are never retried.
   * @defaultValue 3
   */
  attempts?: number | undefined
  /** Delay between attempts. @defaultValue `{ type: 'exponential', delay: 5_000 }` */
  backoff?: number | BackoffOptions | undefined
  /**
   * How long a completed job (and its return value) is kept. Its id
   * de-duplicates `enqueue` only while it is kept.
   * @defaultValue `{ age: 86_400 }` (a day)
   */
  removeOnComplete?: boolean | number | KeepJobs | undefined
  /** How long a failed job is kept (with its reason, to reconcile). @defaultValue `{ age: 604_800 }` (a week) */
  removeOnFail?: boolean | number | KeepJobs | undefined
}

/**
 * Options of {@link createGenerationQueue}.
 *
 * @example
 * ```ts
 * const options: GenerationQueueOptions = { connection: { host: 'localhost', port: 6379 }, name: 'pictures' }
 * ```
 * @public
 */
export interface GenerationQueueOptions {
  /** BullMQ's connection: ioredis options, or an ioredis instance (shared, never closed by the queue). */
  connection: ConnectionOptions
  /** The queue's name; workers must use the same. No `:`. @defaultValue `'ima-generations'` */
  name?: string | undefined
  /** BullMQ's key prefix; workers must use the same. @defaultValue BullMQ's `'bull'` */
  prefix?: string | undefined
  /** Retry and retention of the jobs added. */
  jobOptions?: GenerationJobOptions | undefined
}

/**
 * Options of one `enqueue`.
 *
 * @example
 * ```ts
 * const options: EnqueueOptions = { jobId: `tg-${update.update_id}`, userId: String(from.id), chatId: String(chat.id) }
 * ```
 * @public
 */
export interface EnqueueOptions {
  /**
   * The job's id, to de-duplicate: the same logical request (a chat
   * message's id, an HTTP request's idempotency key) enqueued twice is ONE
   * job and ONE charge — BullMQ ignores an add whose id it holds, and the
   * first add's parameters win. BullMQ keeps the id until the job is
   * removed (`removeOnComplete`, `removeOnFail`, `queue.clean`); after that
   * the same id makes a new job, whose worker finds the earlier create in
   * the task journal (ref `bullmq:<queue>:<id>`) and resumes that task
   * instead of paying again. Not an integer, no `:` (BullMQ's rules).
   * @defaultValue a random UUID: ids never repeat, even after the queue is emptied, so a new job never meets an old job's journal entry
   */
  jobId?: string | undefined
  /** Whose saved model to use when `model` is left out (sets `params.userId`). */
  userId?: string | undefined
  /** The chat the create counts against for `budgets` with `per: 'chat'` (sets `params.chatId`). */
  chatId?: string | undefined
  /** BullMQ priority: 1 is the highest; jobs without one go first. Whole number up to 2 097 151. */
  priority?: number | undefined
}

/**
 * The producer handle of a generation queue.
 *
 * @example
 * ```ts
 * const generations = await createGenerationQueue({ connection })
 * const id = await generations.enqueue({ prompt: 'a red fox' }, { jobId: requestId })
 * ```
 * @public
 */
export interface GenerationQueue {
  /** The BullMQ queue, for what this handle does not wrap (counts, `getJob`, `setGlobalConcurrency`…). */
  readonly queue: Queue<GenerationJobData, GenerationJobResult>
  /** The queue's name. */
  readonly name: string
  /**
   * Adds a generation job and resolves with its id (the existing job's id
   * when `jobId` is already held). Nothing is created or paid for here.
   * @throws ValidationError for parameters that are not JSON or not valid task parameters, and for a bad `jobId` or `priority`.
   */
  enqueue(params: GenerationJobParams, options?: EnqueueOptions): Promise<string>
  /** Closes the queue (its connection too, unless it was an instance you passed). */
  close(): Promise<void>
}

/** BullMQ's highest priority value. */
const PRIORITY_LIMIT = 2 ** 21 - 1

/** Keys of `GenerateParams` that cannot ride in a job, and why. */
const NOT_IN_A_JOB: Record<string, string> = {
  onCreated: 'is a function, which a job cannot carry: the worker records the task in job.data.ima',
  signal: 'cannot be stored in a job: the worker cancels its own waits (worker.cancelJob)',
  ref: 'is set by the worker from the job id (bullmq:<queue>:<job id>), which is what lets a retry find its create',
  timeout: 'is a request option, not a parameter: set it on the worker’s client',
  maxRetries: 'is a request option, not a parameter: set it on the worker’s client',
}

/** Collects what JSON cannot hold faithfully: functions, class instances, non-finite numbers, cycles. */
function jsonIssues(value: unknown, path: string, issues: FieldIssue[], seen: Set<object>): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) issues.push({ path, message: `is ${String(value)}, which JSON stores as null` })
    return
  }
  if (typeof value !== 'object') {
    issues.push({ path, message: `is a ${typeof value}, which a job stored as JSON cannot carry` })
    return
  }
  if (seen.has(value)) {
    issues.push({ path, message: 'refers to itself (a cycle)' })
    return
  }
  const prototype = Object.getPrototypeOf(value) as unknown
  if (!Array.isArray(value) && prototype !== Object.prototype && prototype !== null) {
    const kind = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object'
    issues.push({ path, message: `is a ${kind}, not plain JSON (only strings, numbers, booleans, arrays and plain objects)` })
    return
  }
  seen.add(value)
  for (const [key, item] of Object.entries(value)) {
    // An undefined property is what JSON drops anyway: the worker reads it as absent, as it was meant.
    if (item === undefined && !Array.isArray(value)) continue
    jsonIssues(item, path === '' ? key : `${path}.${key}`, issues, seen)
  }
  seen.delete(value)
}

/**
 * Checks that parameters can ride in a job — plain JSON, without the keys
 * only a live call can take — and are valid task parameters; returns a
 * copy without undefined properties. Also run by the worker on the data it
 * reads back, since anyone can add a job to the queue by hand.
 *
 * @example
 * ```ts
 * const params = checkGenerationParams(JSON.parse(body))
 * ```
 * @throws ValidationError naming each offending field.
 * @internal
 */
export function checkGenerationParams(params: unknown): GenerationJobParams {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new ValidationError('Expected the generation parameters to be an object such as { prompt: "a red fox" }', [{ path: '', message: 'is not an object' }])
  }
  const issues: FieldIssue[] = []
  for (const [key, why] of Object.entries(NOT_IN_A_JOB)) {
    if ((params as Record<string, unknown>)[key] !== undefined) issues.push({ path: key, message: why })
  }
  if (issues.length === 0) jsonIssues(params, '', issues, new Set())
  const inputImages = (params as { inputImages?: unknown }).inputImages
  if (Array.isArray(inputImages)) {
    inputImages.forEach((image, index) => {
      if (typeof image !== 'string') issues.push({ path: `inputImages.${index}`, message: 'must be an https URL: a job cannot carry bytes, Blobs or streams — upload first (ima.uploads.put) and pass the URL' })
    })
  }
  if (issues.length > 0) {
    throw new ValidationError(`Invalid generation job parameters — ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`, issues)
  }
  const copy = JSON.parse(JSON.stringify(params)) as GenerationJobParams
  // The SDK's own checks (prompt, n, task type, reserved params…), so what cannot succeed is refused now, not by a worker later.
  checkCreateParams(copy, WAIT_PARAMETER_KEYS)
  // The wait's options too: a worker would otherwise pay for the create and then fail the job on them.
  const { intervalMs, timeoutMs, estimatedMaxMs, maxPollFailures } = copy
  checkWaitOptions({ intervalMs, timeoutMs, estimatedMaxMs, maxPollFailures })
  return copy
}

/** A caller's job id, checked against BullMQ's rules with a message that says what to do. */
function checkJobId(jobId: unknown): string {
  if (typeof jobId !== 'string' || jobId === '') {
    throw new ValidationError(`Expected jobId to be a non-empty string, got ${JSON.stringify(jobId)}`, [{ path: 'jobId', message: 'must be a non-empty string' }])
  }
  if (`${Number.parseInt(jobId, 10)}` === jobId) {
    throw new ValidationError(`jobId ${jobId} is an integer, which BullMQ keeps for its own ids: prefix it, e.g. "req-${jobId}"`, [{ path: 'jobId', message: 'cannot be an integer' }])
  }
  if (jobId.includes(':')) {
    throw new ValidationError(`jobId ${JSON.stringify(jobId)} contains ":", which BullMQ refuses in custom ids: use another separator`, [{ path: 'jobId', message: 'cannot contain ":"' }])
  }
  return jobId
}

function checkPriority(priority: unknown): number | undefined {
  if (priority === undefined) return undefined
  if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 0 || priority > PRIORITY_LIMIT) {
    throw new ValidationError(`Expected priority to be a whole number from 0 to ${PRIORITY_LIMIT}, got ${String(priority)}`, [{ path: 'priority', message: `must be a whole number from 0 to ${PRIORITY_LIMIT}` }])
  }
  return priority
}

/** Every option of `enqueue`, held to the interface by `satisfies`. */
const ENQUEUE_OPTION_NAMES = Object.keys({ jobId: true, userId: true, chatId: true, priority: true } satisfies Record<keyof EnqueueOptions, true>)
const QUEUE_OPTION_NAMES = Object.keys({ connection: true, name: true, prefix: true, jobOptions: true } satisfies Record<keyof GenerationQueueOptions, true>)
const JOB_OPTION_NAMES = Object.keys({ attempts: true, backoff: true, removeOnComplete: true, removeOnFail: true } satisfies Record<keyof GenerationJobOptions, true>)

/** A typo in the queue's options would be dropped: `attempt: 1` would leave jobs retried three times, `jobOption` every default. */
function refuseUnknownQueueOptions(options: GenerationQueueOptions): void {
  const refusal =
    unknownNamesSentence(options, QUEUE_OPTION_NAMES, 'createGenerationQueue option', 'options') ??
    (typeof options.jobOptions === 'object' && options.jobOptions !== null ? unknownNamesSentence(options.jobOptions, JOB_OPTION_NAMES, 'jobOptions option', 'options') : undefined)
  if (refusal) throw new ImaConfigError(refusal)
}

/** `userId` / `chatId` of the options, merged into the parameters (the same value in both places is fine; two values are a bug). */
function withOwner(params: GenerationJobParams, options: EnqueueOptions): GenerationJobParams {
  const merged = { ...params }
  for (const key of ['userId', 'chatId'] as const) {
    const value = options[key]
    if (value === undefined) continue
    if (merged[key] !== undefined && merged[key] !== value) {
      throw new ValidationError(`${key} is given twice with different values (${JSON.stringify(merged[key])} in params, ${JSON.stringify(value)} in options)`, [{ path: key, message: 'differs between params and options' }])
    }
    merged[key] = value
  }
  return merged
}

/**
 * Makes the producer side of a generation queue: `enqueue` adds a job that
 * a worker ({@link createGenerationWorker}) turns into exactly one paid
 * create — once, whatever crashes, stalls and retries happen — and a wait
 * for its picture. Loads bullmq (an optional peer) on first call.
 *
 * @example
 * ```ts
 * import { createGenerationQueue, waitForJob } from 'ima-open-sdk/queue'
 *
 * const generations = await createGenerationQueue({ connection: { host: 'localhost', port: 6379 } })
 * // In a request handler: the message id makes a resent request the same job (and the same charge).
 * const jobId = await generations.enqueue({ prompt: 'a red fox', size: '2K' }, { jobId: `msg-${message.id}`, userId: String(user.id) })
 * const { url } = await waitForJob(events, generations, jobId, { timeoutMs: 300_000 })
 * ```
 * @throws ImaConfigError when bullmq is not installed.
 * @public
 */
export async function createGenerationQueue(options: GenerationQueueOptions): Promise<GenerationQueue> {
  if (typeof options !== 'object' || options === null || options.connection === undefined) {
    throw new TypeError('Expected createGenerationQueue({ connection }) with BullMQ connection options or an ioredis instance')
  }
  refuseUnknownQueueOptions(options)
  const name = options.name ?? DEFAULT_GENERATION_QUEUE_NAME
  const { Queue } = await loadBullmq()
  const { attempts = 3, backoff = { type: 'exponential', delay: 5_000 }, removeOnComplete = { age: 86_400 }, removeOnFail = { age: 604_800 } } = options.jobOptions ?? {}
  const queue = new Queue<GenerationJobData, GenerationJobResult>(name, {
    connection: options.connection,
    ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
    defaultJobOptions: { attempts, backoff, removeOnComplete, removeOnFail },
  })
  return {
    queue,
    name,
    async enqueue(params, enqueueOptions = {}) {
      // A jobId given as the options themselves (`enqueue(params, 'req-9')`) would be dropped for a random one, as a mistyped name would.
      if (typeof enqueueOptions !== 'object' || enqueueOptions === null || Array.isArray(enqueueOptions)) {
        throw new ValidationError(`Expected the enqueue options to be an object such as { jobId: 'req-9' }, got ${enqueueOptions === null ? 'null' : typeof enqueueOptions}; nothing was enqueued`, [
          { path: 'options', message: 'is not an object' },
        ])
      }
      // A mistyped jobId would be dropped for a random one: the same request enqueued twice would then be paid twice.
      const refusal = unknownNamesSentence(enqueueOptions, ENQUEUE_OPTION_NAMES, 'enqueue option', 'options')
      if (refusal) throw new ValidationError(`${refusal}; nothing was enqueued`, [{ path: 'options', message: refusal }])
      const data: GenerationJobData = { params: checkGenerationParams(withOwner(params, enqueueOptions)) }
      const jobId = enqueueOptions.jobId === undefined ? crypto.randomUUID() : checkJobId(enqueueOptions.jobId)
      const priority = checkPriority(enqueueOptions.priority)
      const jobOptions: JobsOptions = { jobId, ...(priority !== undefined ? { priority } : {}) }
      const job = await queue.add(GENERATION_JOB_NAME, data, jobOptions)
      return job.id ?? jobId
    },
    close: () => queue.close(),
  }
}
