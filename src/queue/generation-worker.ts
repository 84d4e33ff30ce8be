/**
 * The consumer side of the generation queue: a BullMQ worker whose jobs pay
 * for exactly one create each, whatever crashes, stalls and retries happen.
 *
 * BullMQ delivers a job at least once — a worker killed mid-job, or one
 * that lost its lock, has its job run again elsewhere — and the IMA API has
 * no idempotency key. So what the job has done is written down before each
 * step that costs, in two places a second run reads:
 *
 * 1. `job.data.ima = { phase: 'creating', ref }` BEFORE the create, where
 *    `ref` = `bullmq:<queue>:<job id>` is the create's journal reference;
 * 2. the SDK journals the create under `ref` (an intent before sending,
 *    then the task id or "outcome unknown") in a journal the workers SHARE;
 * 3. `job.data.ima = { phase: 'created', taskId, … }` once the service
 *    accepted it, before the wait.
 *
 * A run that finds phase `created` only waits for that task. One that finds
 * `creating` (or none) creates with the same `ref`: the SDK refuses to send
 * a ref its journal holds (`DuplicateCreateError`), so a create that was
 * sent is resumed by its task id, or — when its outcome is unknown — the job
 * fails for good, naming the ref to reconcile. A ref journaled `refused`
 * (the service proved nothing was made) may be sent again.
 *
 * BullMQ is an optional peer: only its types are imported here; the module
 * is loaded when a worker is made (see `load-bullmq.ts`).
 */
import type { ConnectionOptions, Job, Worker } from 'bullmq'
import { ImaClient, savePreferenceAfterUse } from '../client.js'
import { inferTaskType } from '../protocol/create-body.js'
import { CLIENT_OPTION_NAMES, type ImaClientOptions } from '../client-options.js'
import { unknownNamesSentence } from '../internal/did-you-mean.js'
import { ImaConfigError, ValidationError } from '../errors.js'
import { noopLogger, type ImaLogger } from '../logger.js'
import { MemoryTaskJournal, type JournalEntry } from '../stores/task-journal.js'
import type { TaskEvent, TaskModel, TaskResult, WaitOptions } from '../resources/tasks/types.js'
import {
  checkGenerationParams,
  DEFAULT_GENERATION_QUEUE_NAME,
  type GenerationCreated,
  type GenerationJobData,
  type GenerationJobParams,
  type GenerationJobResult,
  type GenerationProgress,
} from './generation-queue.js'
import { generationRef } from './generation-ref.js'
import { loadBullmq, type BullMQModule } from './load-bullmq.js'

/**
 * Options of {@link createGenerationWorker}.
 *
 * @example
 * ```ts
 * import { createStorage } from 'unstorage'
 * import redisDriver from 'unstorage/drivers/redis'
 * import { UnstorageTaskJournal } from 'ima-open-sdk'
 *
 * const options: GenerationWorkerOptions = {
 *   connection: { host: 'localhost', port: 6379 },
 *   clientOptions: { journal: new UnstorageTaskJournal(createStorage({ driver: redisDriver({ url: process.env.REDIS_URL }) })) },
 *   concurrency: 8,
 * }
 * ```
 * @public
 */
export interface GenerationWorkerOptions {
  /**
   * The client the jobs use. ITS JOURNAL MUST BE SHARED by every worker of
   * the queue (`UnstorageTaskJournal` over Redis, or `FileTaskJournal` for
   * workers on one machine): the journal is what tells a retried or stalled
   * job, run by another worker, that its create was sent already. With the
   * default in-memory journal a job whose worker died is created — and
   * paid for — again. A given client cannot be checked for this (use
   * `clientOptions` to have it checked). Give either this or `clientOptions`.
   */
  client?: ImaClient | undefined
  /**
   * Options to make the client with; `journal` is required (a shared one,
   * see `client`) unless `allowUnsharedJournal` is set.
   */
  clientOptions?: ImaClientOptions | undefined
  /** BullMQ's connection: ioredis options, or an ioredis instance (BullMQ duplicates it for its blocking reads). */
  connection: ConnectionOptions
  /** The queue's name, as given to `createGenerationQueue`. @defaultValue `'ima-generations'` */
  name?: string | undefined
  /** BullMQ's key prefix, as given to `createGenerationQueue`. @defaultValue BullMQ's `'bull'` */
  prefix?: string | undefined
  /**
   * Jobs this worker runs at once (each is a create, then a wait of up to
   * minutes that costs only a poll every few seconds, so a worker can hold
   * many). It bounds one process; for the whole queue use
   * `queue.setGlobalConcurrency(n)`. The service's limit on creates in
   * flight is another thing, held across workers by the client options
   * `maxCreatesInFlight` with a shared `leaseStore` (`RedisLeaseStore`),
   * and the points spent by `maxCredits` with a shared `budgetStore`.
   * @defaultValue 4
   */
  concurrency?: number | undefined
  /**
   * BullMQ's rate limit: at most `max` jobs START per `duration` ms, across
   * every worker of the queue (BullMQ keeps it in Redis). Use it to stay
   * under the service's rate of creates per key; a retried job counts again
   * when it starts, though it sends no create.
   */
  limiter?: { max: number; duration: number } | undefined
  /**
   * How long a job's lock lasts without renewal (renewed every half of it
   * while the job runs). A worker that dies holds its jobs this long before
   * another can take them over; too short, and a worker whose event loop
   * stalls (or whose Redis link blips) loses jobs it is still running.
   * @defaultValue 30000
   */
  lockDuration?: number | undefined
  /** How often this worker looks for jobs whose lock ran out (their worker died), to run them again. @defaultValue 30000 */
  stalledInterval?: number | undefined
  /**
   * Times a job may be taken over after its worker died before it is
   * failed instead ("job stalled more than allowable limit"). Taking over
   * costs nothing — the journal stops a second create — so more than
   * BullMQ's default of 1 rides out a crash during a rolling deploy; a job
   * that kills every worker that runs it is failed at the limit.
   * @defaultValue 2
   */
  maxStalledCount?: number | undefined
  /**
   * This worker's name, written into each job's data (`ima.worker`), its
   * return value (`createdBy`, `finishedBy`) and BullMQ's `processedBy`.
   * @defaultValue `<HOSTNAME>:<pid>` (`worker:<pid>` where the environment has no HOSTNAME)
   */
  workerName?: string | undefined
  /** Where the worker's own lines go (a job data write that failed, BullMQ errors). @defaultValue no output */
  logger?: ImaLogger | undefined
  /**
   * Accept a `clientOptions` without a shared journal. Only for a single
   * worker process whose jobs may be paid for twice after it crashes.
   * @defaultValue false
   */
  allowUnsharedJournal?: boolean | undefined
}

/**
 * A running generation worker.
 *
 * @example
 * ```ts
 * const generations = await createGenerationWorker({ connection, clientOptions: { journal } })
 * process.once('SIGTERM', () => void generations.close().then(() => process.exit(0)))
 * ```
 * @public
 */
export interface GenerationWorker {
  /** The BullMQ worker (events, `pause`, `cancelJob`…). */
  readonly worker: Worker<GenerationJobData, GenerationJobResult>
  /** The client its jobs use. */
  readonly client: ImaClient
  /** This worker's name (`workerName`). */
  readonly workerName: string
  /**
   * Stops taking jobs and resolves once the running ones have finished
   * (their waits included). A job cut short by a kill instead is taken over
   * by another worker after `lockDuration`, without a second create.
   */
  close(): Promise<void>
}

/** Errors a retry cannot fix: the same job would fail the same way, or worse, pay again. */
const NOT_RETRIED = new Set([
  'ValidationError',
  'BudgetExceededError',
  'ModelNotFoundError',
  'TaskFailedError',
  'ImaConfigError',
  'AuthenticationError',
  'InsufficientPointsError',
  'BadRequestError',
])

/**
 * The error's class name. Checked by name, not `instanceof`: the client
 * may come from another copy of the SDK (the ESM and the CommonJS build in
 * one app), whose classes differ but whose names are literal.
 */
function errorName(error: unknown): string {
  return error instanceof Error ? error.name : ''
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function positive(name: string, value: number | undefined, fallback: number, whole: boolean): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (whole && !Number.isInteger(value))) {
    throw new ImaConfigError(`Expected ${name} to be a ${whole ? 'whole number' : 'number'} > 0, got ${String(value)}`)
  }
  return value
}

/** The client of the options, refusing one whose journal other workers cannot read. */
function clientOf(options: GenerationWorkerOptions): ImaClient {
  if (options.client !== undefined && options.clientOptions !== undefined) {
    throw new ImaConfigError('Give createGenerationWorker either client or clientOptions, not both')
  }
  if (options.client !== undefined) {
    const client = options.client as Partial<ImaClient>
    if (typeof client.generate !== 'function' || typeof client.on !== 'function' || typeof client.tasks?.wait !== 'function') {
      throw new ImaConfigError('Expected client to be an ImaClient')
    }
    return options.client
  }
  const clientOptions = options.clientOptions ?? {}
  if (!options.allowUnsharedJournal && (clientOptions.journal === undefined || clientOptions.journal instanceof MemoryTaskJournal)) {
    throw new ImaConfigError(
      'createGenerationWorker needs clientOptions.journal shared by every worker of the queue — new UnstorageTaskJournal(createStorage({ driver: redisDriver({ url }) })), or a FileTaskJournal on a path every worker opens: ' +
        'with a journal in one process’s memory, a job whose worker died is created (and charged) again by the next. ' +
        'Set allowUnsharedJournal: true only for a single worker that may pay twice after a crash.',
    )
  }
  return new ImaClient(clientOptions)
}

/** The wait's own options among the job's parameters. */
function waitOptionsOf(params: GenerationJobParams): WaitOptions {
  const { intervalMs, timeoutMs, estimatedMaxMs, maxPollFailures } = params
  return {
    ...(intervalMs !== undefined ? { intervalMs } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(estimatedMaxMs !== undefined ? { estimatedMaxMs } : {}),
    ...(maxPollFailures !== undefined ? { maxPollFailures } : {}),
  }
}

/** The model of a journal entry, when it has a well-formed one. */
function entryModel(entry: Partial<JournalEntry>): TaskModel | undefined {
  const model = entry.model
  return model && typeof model.id === 'string' && typeof model.name === 'string' && typeof model.version === 'string'
    ? { id: model.id, name: model.name, version: model.version }
    : undefined
}

/** How to find a create whose outcome is unknown, and what to do then: the end of every such failure reason. */
function reconcileHint(ref: string): string {
  return (
    `Reconcile: ima.tasks.recent() lists the journal entry with ref ${ref} (and the service's task list shows whether the task exists); ` +
    `if it was created, wait for it with ima.tasks.wait(taskId); if it was not, mark the entry refused (journal.put({ ...entry, state: 'refused' })) and retry the job, or enqueue the request under a new jobId.`
  )
}

/** Every option of `createGenerationWorker`, held to the interface by `satisfies`. */
const WORKER_OPTION_NAMES = Object.keys({
  client: true,
  clientOptions: true,
  connection: true,
  name: true,
  prefix: true,
  concurrency: true,
  limiter: true,
  lockDuration: true,
  stalledInterval: true,
  maxStalledCount: true,
  workerName: true,
  logger: true,
  allowUnsharedJournal: true,
} satisfies Record<keyof GenerationWorkerOptions, true>)

/**
 * Makes a BullMQ worker for a generation queue: each job is one
 * `ima.generate()` sent with `ref: 'bullmq:<queue>:<job id>'`, recorded in
 * the job's data before it is sent and once it is accepted, so that a retry
 * or a takeover after a crash resumes the same task and never pays twice.
 *
 * What a job ends with:
 * - its {@link GenerationJobResult}, the same for a job that was resumed;
 * - `UnrecoverableError` (no retry, whatever `attempts` says) for a create
 *   whose outcome is unknown — the reason names the ref and how to
 *   reconcile — and for what a retry cannot fix: a budget
 *   (`BudgetExceededError`), invalid parameters, a failed task, a bad key
 *   or too few points;
 * - any other error (a network error or a timeout while waiting, a create
 *   the service refused for now) is retried by BullMQ up to the job's
 *   `attempts`; the retry resumes the wait, or creates again only when
 *   nothing was created.
 *
 * Progress: `job.updateProgress({ percent, state, taskId })` on every poll
 * (see `onJobProgress`). Loads bullmq (an optional peer) on first call.
 *
 * @example
 * ```ts
 * import { createStorage } from 'unstorage'
 * import redisDriver from 'unstorage/drivers/redis'
 * import { Redis } from 'ioredis'
 * import { UnstorageTaskJournal } from 'ima-open-sdk'
 * import { createGenerationWorker, RedisLeaseStore } from 'ima-open-sdk/queue'
 *
 * const redis = new Redis(process.env.REDIS_URL!)
 * const generations = await createGenerationWorker({
 *   connection: { host: 'localhost', port: 6379 },
 *   clientOptions: {
 *     journal: new UnstorageTaskJournal(createStorage({ driver: redisDriver({ url: process.env.REDIS_URL }) })),
 *     // At most 2 creates in flight across every worker; the waits are bounded by concurrency.
 *     maxCreatesInFlight: 2,
 *     leaseStore: new RedisLeaseStore({ redis }),
 *   },
 *   concurrency: 8,
 * })
 * ```
 * @throws ImaConfigError for a `clientOptions` without a shared journal, a bad option, or bullmq not installed.
 * @public
 */
export async function createGenerationWorker(options: GenerationWorkerOptions): Promise<GenerationWorker> {
  if (typeof options !== 'object' || options === null || options.connection === undefined) {
    throw new ImaConfigError('Expected createGenerationWorker({ connection, clientOptions: { journal } }) with BullMQ connection options or an ioredis instance')
  }
  // A typo would be dropped: `maxCredits` here (not in clientOptions) would leave every job without a budget.
  const refusal = unknownNamesSentence(options, WORKER_OPTION_NAMES, 'createGenerationWorker option', 'options')
  if (refusal) {
    const given = options as unknown as Record<string, unknown>
    const clientOption = CLIENT_OPTION_NAMES.find((name) => given[name] !== undefined && !WORKER_OPTION_NAMES.includes(name))
    throw new ImaConfigError(clientOption ? `${refusal}; ${clientOption} is an option of the client: put it in clientOptions` : refusal)
  }
  const concurrency = positive('concurrency', options.concurrency, 4, true)
  const lockDuration = positive('lockDuration', options.lockDuration, 30_000, false)
  const stalledInterval = positive('stalledInterval', options.stalledInterval, 30_000, false)
  const maxStalledCount = positive('maxStalledCount', options.maxStalledCount, 2, true)
  const limiter = options.limiter === undefined
    ? undefined
    : { max: positive('limiter.max', options.limiter.max, 1, true), duration: positive('limiter.duration', options.limiter.duration, 1, false) }
  // HOSTNAME from the environment (set by shells and containers): the package's core imports no Node built-in.
  const workerName = options.workerName ?? `${process.env.HOSTNAME || 'worker'}:${process.pid}`
  if (typeof workerName !== 'string' || workerName === '') throw new ImaConfigError(`Expected workerName to be a non-empty string, got ${JSON.stringify(workerName)}`)
  const logger = options.logger ?? noopLogger
  const client = clientOf(options)
  const bullmq = await loadBullmq()

  const runner = new JobRunner(client, bullmq, workerName, logger, lockDuration)
  const onStatus = (event: TaskEvent) => runner.onStatus(event)
  client.on('task.status', onStatus)

  const worker = new bullmq.Worker<GenerationJobData, GenerationJobResult>(
    options.name ?? DEFAULT_GENERATION_QUEUE_NAME,
    // Three parameters: BullMQ passes its AbortSignal (worker.cancelJob) only to a processor that declares it.
    (job, token, signal) => runner.run(job, token, signal),
    {
      connection: options.connection,
      ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
      name: workerName,
      concurrency,
      ...(limiter ? { limiter } : {}),
      lockDuration,
      stalledInterval,
      maxStalledCount,
    },
  )
  // A job whose lock could not be renewed may already be running elsewhere: stop its wait (the task goes on; the other run waits for it).
  worker.on('lockRenewalFailed', (jobIds) => runner.lockLost(jobIds))
  // Without a listener an 'error' event would throw and end the process: a Redis blip is logged instead (BullMQ reconnects).
  worker.on('error', (error) => logger.warn('ima generation worker error', { worker: workerName, error: messageOf(error) }))

  let closing: Promise<void> | undefined
  return {
    worker,
    client,
    workerName,
    close() {
      closing ??= worker.close().finally(() => client.off('task.status', onStatus))
      return closing
    },
  }
}

/** What a job knows of its task, wherever it learned it (its own create, its data, the journal). */
interface KnownTask {
  taskId: string
  credit: number
  totalCredit: number
  model: TaskModel | undefined
  createdAt: number | undefined
  createdBy: string | undefined
}

/** Runs the jobs of one worker: the exactly-once steps, the progress, the lock watch. */
class JobRunner {
  readonly #client: ImaClient
  readonly #bullmq: BullMQModule
  readonly #workerName: string
  readonly #logger: ImaLogger
  readonly #lockDuration: number
  /** Task id → the progress reporter of the job waiting for it. */
  readonly #watching = new Map<string, (event: TaskEvent) => void>()
  /** Job id → the abort of its run, fired when its lock is lost. */
  readonly #locks = new Map<string, AbortController>()

  constructor(client: ImaClient, bullmq: BullMQModule, workerName: string, logger: ImaLogger, lockDuration: number) {
    this.#client = client
    this.#bullmq = bullmq
    this.#workerName = workerName
    this.#logger = logger
    this.#lockDuration = lockDuration
  }

  onStatus(event: TaskEvent): void {
    this.#watching.get(event.taskId)?.(event)
  }

  lockLost(jobIds: string[]): void {
    for (const jobId of jobIds) this.#locks.get(jobId)?.abort(new Error(`the lock of job ${jobId} was lost: another worker may be running it`))
  }

  async run(job: Job<GenerationJobData, GenerationJobResult>, token: string | undefined, signal: AbortSignal | undefined): Promise<GenerationJobResult> {
    const jobId = job.id
    if (jobId === undefined) throw new this.#bullmq.UnrecoverableError('A generation job without an id cannot be given a journal reference')
    // The prefix too: queues of one name under two prefixes (two tenants) may share a journal.
    const ref = generationRef(job.queueName, jobId, job.prefix)
    const data = this.#readData(job, ref)
    const lock = new AbortController()
    this.#locks.set(jobId, lock)
    const abort = signal ? AbortSignal.any([signal, lock.signal]) : lock.signal
    const progress = new ProgressReporter(job, this.#logger)
    try {
      const state = data.ima
      if (state?.phase === 'created' && state.ref === ref && typeof state.taskId === 'string' && state.taskId !== '') {
        // Created by an earlier run: the task exists and is paid for, so only its wait is run again.
        return await this.#wait(data, ref, { ...state, createdBy: state.worker }, progress, abort, true)
      }
      return await this.#createAndWait(job, data, ref, token, progress, abort)
    } finally {
      this.#locks.delete(jobId)
      progress.stop(this.#watching)
    }
  }

  /** The job's data as a worker can trust it: anyone can add a job by hand, and a malformed one fails at once. */
  #readData(job: Job<GenerationJobData, GenerationJobResult>, ref: string): GenerationJobData {
    const data = job.data as Partial<GenerationJobData> | undefined
    try {
      const params = checkGenerationParams(data?.params)
      return { params, ...(data?.ima !== undefined ? { ima: data.ima } : {}) }
    } catch (error) {
      throw new this.#bullmq.UnrecoverableError(`${ref}: the job's data is not a generation request (${messageOf(error)}); nothing was sent`)
    }
  }

  async #createAndWait(
    job: Job<GenerationJobData, GenerationJobResult>,
    data: GenerationJobData,
    ref: string,
    token: string | undefined,
    progress: ProgressReporter,
    abort: AbortSignal,
  ): Promise<GenerationJobResult> {
    // A run whose lock lapsed (its worker stalled) may have been handed to another worker meanwhile: it must not send.
    if (token !== undefined && (await job.extendLock(token, this.#lockDuration)) !== 1) {
      throw new Error(`${ref}: this worker no longer holds the job's lock, so another may be running it; nothing was sent`)
    }
    // Written (and awaited) before the create: a run that finds it knows a create may have been sent, and asks the journal.
    await job.updateData({ ...data, ima: { phase: 'creating', ref, worker: this.#workerName } })
    let created: GenerationCreated | undefined
    let recording: Promise<void> = Promise.resolve()
    try {
      const result = await this.#client.generate(
        {
          ...data.params,
          ref,
          onCreated: (task) => {
            created = {
              phase: 'created',
              ref,
              taskId: task.id,
              credit: task.credit,
              totalCredit: task.totalCredit,
              model: { id: task.model.id, name: task.model.name, version: task.model.version },
              createdAt: task.createdAt,
              worker: this.#workerName,
            }
            progress.watch(task.id, this.#watching)
            // Sent before the wait's first poll. The journal has the task id already (the SDK recorded it before calling back),
            // so a write that fails costs a journal read on the next run, not a second create.
            recording = job.updateData({ ...data, ima: created }).catch((error: unknown) => {
              this.#logger.warn('ima generation job data not written', { ref, taskId: task.id, error: messageOf(error) })
            })
          },
        },
        { signal: abort },
      )
      await recording
      await progress.flush()
      const task = created ?? { taskId: result.task.id, credit: result.task.credit, totalCredit: result.task.totalCredit, model: result.task.model, createdAt: result.task.createdAt, worker: this.#workerName }
      return this.#result(result, ref, { ...task, createdBy: this.#workerName }, false)
    } catch (error) {
      await recording
      // After the create: the task exists, whatever went wrong in the wait. A retry finds phase 'created' and resumes it.
      if (created) throw this.#failure(error, ref)
      if (errorName(error) === 'DuplicateCreateError') return this.#resumeFromJournal(job, data, ref, error, progress, abort)
      throw this.#failure(error, ref)
    }
  }

  /** The journal holds this job's ref: a run before this one sent the create. */
  async #resumeFromJournal(
    job: Job<GenerationJobData, GenerationJobResult>,
    data: GenerationJobData,
    ref: string,
    error: unknown,
    progress: ProgressReporter,
    abort: AbortSignal,
  ): Promise<GenerationJobResult> {
    const entry = ((error as { entry?: Partial<JournalEntry> }).entry ?? {}) as Partial<JournalEntry>
    if (typeof entry.taskId !== 'string' || entry.taskId === '') {
      // Sent (or about to be) with no answer that proves either way: creating again could pay twice, so the job stops here.
      throw new this.#bullmq.UnrecoverableError(
        `${ref}: this job's create was sent before (journal state '${String(entry.state)}') and its outcome is unknown — it may have been charged ${String(entry.totalCredit ?? 'its')} points, so it is never sent again and the job is not retried. ${reconcileHint(ref)}`,
      )
    }
    const known: KnownTask = {
      taskId: entry.taskId,
      credit: typeof entry.credit === 'number' ? entry.credit : 0,
      totalCredit: typeof entry.totalCredit === 'number' ? entry.totalCredit : 0,
      model: entryModel(entry),
      createdAt: typeof entry.createdAt === 'string' && Number.isFinite(Date.parse(entry.createdAt)) ? Date.parse(entry.createdAt) : undefined,
      // The worker of the earlier run that recorded the job's phase (the data as this run found it, before its own 'creating').
      createdBy: data.ima?.worker,
    }
    if (known.model) {
      // Recorded so that a later run skips the journal; a failed write only costs that read again.
      const created: GenerationCreated = { phase: 'created', ref, taskId: known.taskId, credit: known.credit, totalCredit: known.totalCredit, model: known.model, createdAt: known.createdAt ?? Date.now(), worker: known.createdBy ?? 'unknown' }
      await job.updateData({ ...data, ima: created }).catch((writeError: unknown) => {
        this.#logger.warn('ima generation job data not written', { ref, taskId: known.taskId, error: messageOf(writeError) })
      })
    }
    return this.#wait(data, ref, known, progress, abort, true)
  }

  /** Waits for a task this job created before, without creating anything. */
  async #wait(
    data: GenerationJobData,
    ref: string,
    task: KnownTask,
    progress: ProgressReporter,
    abort: AbortSignal,
    resumed: boolean,
  ): Promise<GenerationJobResult> {
    progress.watch(task.taskId, this.#watching)
    try {
      const taskRef = { id: task.taskId, ...(task.model ? { model: task.model } : {}), ...(task.createdAt !== undefined ? { createdAt: task.createdAt } : {}) }
      const result = await this.#client.tasks.wait(taskRef, { ...waitOptionsOf(data.params), signal: abort })
      // A fresh job's generate() saved the user's model; a resumed one only waited, so it saves it here, the same way.
      const { userId, taskType, inputImages } = data.params
      if (resumed && userId !== undefined && task.model) {
        await savePreferenceAfterUse(this.#client, userId, inferTaskType(taskType, inputImages), { id: task.taskId, model: task.model, credit: task.credit })
      }
      await progress.flush()
      return this.#result(result, ref, task, resumed)
    } catch (error) {
      throw this.#failure(error, ref)
    }
  }

  #result(result: TaskResult, ref: string, task: KnownTask, resumed: boolean): GenerationJobResult {
    return {
      taskId: result.taskId,
      url: result.url,
      urls: [...result.urls],
      credit: task.credit,
      totalCredit: task.totalCredit,
      model: task.model ?? { id: 'unknown', name: 'unknown', version: 'unknown' },
      elapsedMs: result.elapsedMs,
      ref,
      createdBy: task.createdBy,
      finishedBy: this.#workerName,
      resumed,
    }
  }

  /** The error a job fails with: `UnrecoverableError` when a retry cannot help (or could pay twice); the error itself, to retry, otherwise. */
  #failure(error: unknown, ref: string): Error {
    const name = errorName(error)
    if (name === 'CreateOutcomeUnknownError') {
      return new this.#bullmq.UnrecoverableError(
        `${ref}: the create's outcome is unknown, so it is never sent again and the job is not retried — ${messageOf(error)} ${reconcileHint(ref)}`,
      )
    }
    if (NOT_RETRIED.has(name) || error instanceof ValidationError) {
      return new this.#bullmq.UnrecoverableError(`${name}: ${messageOf(error)} (job ${ref}; not retried: a retry would fail the same way)`)
    }
    return error instanceof Error ? error : new Error(String(error))
  }
}

/** Turns a job's task status events into `job.updateProgress`, and lets the job wait for its last write before it completes. */
class ProgressReporter {
  readonly #job: Job<GenerationJobData, GenerationJobResult>
  readonly #logger: ImaLogger
  #watched: { taskId: string; report: (event: TaskEvent) => void } | undefined
  #last: Promise<void> = Promise.resolve()

  constructor(job: Job<GenerationJobData, GenerationJobResult>, logger: ImaLogger) {
    this.#job = job
    this.#logger = logger
  }

  watch(taskId: string, watching: Map<string, (event: TaskEvent) => void>): void {
    const report = (event: TaskEvent) => {
      const progress: GenerationProgress = { percent: event.percent, state: event.type, taskId }
      // Chained: progress lands in order, and the last one (100 %) before the job's completion.
      this.#last = this.#last
        .then(() => this.#job.updateProgress(progress))
        .catch((error: unknown) => this.#logger.debug('ima generation progress not written', { taskId, error: messageOf(error) }))
    }
    this.#watched = { taskId, report }
    watching.set(taskId, report)
  }

  flush(): Promise<void> {
    return this.#last
  }

  stop(watching: Map<string, (event: TaskEvent) => void>): void {
    // Only its own reporter: another run of the same task in this worker (a takeover of a job this worker lost) keeps its own.
    if (this.#watched && watching.get(this.#watched.taskId) === this.#watched.report) watching.delete(this.#watched.taskId)
  }
}
