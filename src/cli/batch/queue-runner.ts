/**
 * `ima batch --queue redis://…`: the lines of a batch as jobs of the BullMQ
 * generation queue (`ima-open-sdk/queue`), made by `ima worker`s on any
 * machine, while this process plans, confirms, waits and saves as the local
 * batch does (same summary file, same display, same exit codes). Also the
 * Redis plumbing `ima worker` shares with it: the URL, the optional
 * packages, the shared task journal.
 *
 * Never paying twice rests on three things:
 *
 * - Each line's job id is fixed before anything is enqueued —
 *   `batch-<hash of the summary path>-<line>-<key>` — and written into its
 *   row (`ref: bullmq:<queue>:<job id>`, the journal ref the worker creates
 *   under) when the run starts, so the same command run again (even after a
 *   crash, even with the summary deleted) enqueues the same ids, which
 *   BullMQ de-duplicates: one job, one create.
 * - A job that exists is never enqueued again: completed, its result is
 *   read; waiting or active, it is waited for.
 * - A FAILED job is retried (`job.retry()`, same id, same journal ref) only
 *   when its failure proves that nothing was created, or that its task
 *   exists (the retry then only waits for it) — see {@link judgeFailedJob}.
 *   One whose create may have been sent with no answer stays `unknown` and
 *   is never retried.
 *
 * bullmq, ioredis and unstorage are loaded here, when `--queue` is given
 * (this module itself is only imported then).
 */
import { createHash } from 'node:crypto'
import { join, resolve } from 'node:path'
import type { Job, QueueEvents } from 'bullmq'
import { downloadResult, type ImaClient } from '../../node/index.js'
import { createGenerationQueue, type GenerationJobData, type GenerationJobParams, type GenerationJobResult, type GenerationQueue } from '../../queue/generation-queue.js'
import { generationRef, readGenerationRef } from '../../queue/generation-ref.js'
import { GenerationJobError, onJobProgress, waitForJob } from '../../queue/job-events.js'
import { loadBullmq, type BullMQModule } from '../../queue/load-bullmq.js'
import type { JournalEntry } from '../../stores/task-journal.js'
import { UnstorageTaskJournal } from '../../stores/unstorage-task-journal.js'
import type { ImaLanguage } from '../../http/transport-options.js'
import { CliError, CliUsageError } from '../errors.js'
import { wordsFor, type QueueWords, type Sentence } from '../messages.js'
import type { BatchDisplay, ItemEnd } from './display.js'
import { isUrl, type BatchItem } from './items.js'
import type { Plan, PlannedItem } from './plan.js'
import { resultFileNames, type RunReport } from './runner.js'
import { matchRows, newRow, type SummaryFile, type SummaryRow } from './state.js'

/** The unstorage base of the task journal every `ima worker` (and `ima batch --queue`) of a Redis shares. */
export const JOURNAL_BASE = 'ima:journal'

function usage(sentence: Sentence): CliUsageError {
  return new CliUsageError(sentence.message, sentence.hint)
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

// ---------------------------------------------------------------------------------------------
// The Redis and the optional packages (shared with `ima worker`).

/** A checked `--queue` URL. */
export interface RedisTarget {
  /** For people: the URL without its password. */
  shown: string
  /** ioredis options (also BullMQ's connection): every user of the Redis opens its own connections from them. */
  connection: RedisConnection
}

/** The plain ioredis options a URL stands for: ioredis, BullMQ and unstorage's driver all take them. */
export interface RedisConnection {
  host: string
  port: number
  username?: string
  password?: string
  db?: number
  tls?: Record<string, never>
}

/** `redis://[user][:password]@host[:port][/db]`, or `rediss://` (TLS), as ioredis options; a usage error otherwise. */
export function parseRedisUrl(value: string, flag: string, words: QueueWords): RedisTarget {
  // Never echo a password, even of a URL that does not parse.
  const masked = value.replace(/\/\/[^@/]*@/, '//…@')
  let url: URL
  try {
    url = new URL(value.trim())
  } catch {
    throw usage(words.badUrl(flag, masked))
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const db = url.pathname === '' || url.pathname === '/' ? 0 : Number(url.pathname.slice(1))
  const port = url.port === '' ? 6379 : Number(url.port)
  if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || host === '' || !Number.isInteger(db) || db < 0 || !Number.isInteger(port)) {
    throw usage(words.badUrl(flag, masked))
  }
  const username = decodeURIComponent(url.username)
  const password = decodeURIComponent(url.password)
  return {
    shown: `${url.protocol}//${username !== '' ? `${username}@` : ''}${url.host}${db !== 0 ? `/${db}` : ''}`,
    connection: {
      host,
      port,
      ...(username !== '' ? { username } : {}),
      ...(password !== '' ? { password } : {}),
      ...(db !== 0 ? { db } : {}),
      ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    },
  }
}

/** `--queue-name`, checked: BullMQ joins its keys (and the journal refs) with `:`. */
export function checkQueueName(name: string, words: QueueWords): string {
  if (name.trim() === '' || name.includes(':')) throw usage(words.badName(name))
  return name
}

/** The optional packages the queue needs, loaded. */
export interface QueuePackages {
  bullmq: BullMQModule
  Redis: typeof import('ioredis').Redis
  createStorage: typeof import('unstorage').createStorage
  redisDriver: typeof import('unstorage/drivers/redis').default
}

/** Loads bullmq, ioredis and unstorage; a usage error naming every one missing (nothing was sent yet). */
export async function loadQueuePackages(what: string, words: QueueWords): Promise<QueuePackages> {
  const missing: string[] = []
  const attempt = <T>(name: string, load: () => Promise<T>): Promise<T | undefined> =>
    load().catch(() => {
      missing.push(name)
      return undefined
    })
  const bullmq = await attempt('bullmq', loadBullmq)
  const ioredis = await attempt('ioredis', () => import('ioredis'))
  const unstorage = await attempt('unstorage', () => import('unstorage'))
  const driver = unstorage ? await attempt('unstorage', () => import('unstorage/drivers/redis')) : undefined
  if (!bullmq || !ioredis || !unstorage || !driver) throw usage(words.needsPackages(what, [...new Set(missing)]))
  return { bullmq, Redis: ioredis.Redis, createStorage: unstorage.createStorage, redisDriver: driver.default }
}

/**
 * One PING, bounded: a Redis that is down or refuses the password is one
 * clear line, not BullMQ reconnecting for ever in silence.
 */
export async function checkRedis(packages: QueuePackages, target: RedisTarget, words: QueueWords): Promise<void> {
  const client = new packages.Redis({ ...target.connection, lazyConnect: true, connectTimeout: 5_000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false })
  client.on('error', () => undefined)
  try {
    await client.connect()
    await client.ping()
  } catch (error) {
    throw new CliError(words.unreachable(target.shown, messageOf(error)).message, { hint: words.unreachable(target.shown, '').hint })
  } finally {
    client.disconnect()
  }
}

/** Longest wait for QueueEvents to close before its connection is cut. */
const EVENTS_CLOSE_MS = 2_000

/**
 * Closes a QueueEvents; after a Redis restart its `close()` (and `disconnect()`) can wait for ever —
 * the process would end with nothing left to run, exit 13, before its last lines — so it is
 * given up on after a bounded wait.
 */
async function closeQueueEvents(events: QueueEvents): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const closed = events.close().then(() => true, () => true)
  const late = new Promise<false>((resolveLate) => {
    timer = setTimeout(() => resolveLate(false), EVENTS_CLOSE_MS)
  })
  const inTime = await Promise.race([closed, late])
  clearTimeout(timer)
  // Not awaited: after a restart its disconnect never settles either.
  if (!inTime) void events.disconnect().catch(() => undefined)
}

/** The task journal shared through the Redis (`UnstorageTaskJournal` over unstorage's redis driver, base `ima:journal`). */
export function openSharedJournal(
  packages: QueuePackages,
  target: RedisTarget,
  connection: RedisConnectionWatch = { lost: () => undefined, back: () => undefined },
): { journal: UnstorageTaskJournal; close(): Promise<void> } {
  const driver = packages.redisDriver({ ...target.connection, base: JOURNAL_BASE })
  // The driver's own ioredis client: without a listener it prints "[ioredis] Unhandled error event" and a stack per retry.
  const client = (driver as { getInstance?: () => { on(event: string, listener: (...args: unknown[]) => void): unknown } }).getInstance?.()
  client?.on('error', (error) => connection.lost(error))
  client?.on('ready', () => connection.back())
  const storage = packages.createStorage({ driver })
  return { journal: new UnstorageTaskJournal(storage), close: async () => storage.dispose() }
}

/** Told when a connection to the Redis fails (each retry) and when it is ready again. */
export interface RedisConnectionWatch {
  lost(error: unknown): void
  back(): void
}

/**
 * One line when the Redis goes away and one when it is back — not ioredis's
 * stack per retry: jobs go on in the workers meanwhile, nothing is created twice.
 */
export function watchRedisConnection(shown: string, words: QueueWords, report: () => ((line: string) => void) | undefined): RedisConnectionWatch {
  let down = false
  return {
    lost(error) {
      if (down) return
      down = true
      report()?.(words.redisLost(shown, messageOf(error)))
    },
    back() {
      if (!down) return
      down = false
      report()?.(words.redisBack(shown))
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Job ids and what a failed job proves.


/** The job ids of a batch start with this: the summary file names the batch (two batches never share ids). */
export function batchJobPrefix(summaryPath: string): string {
  return `batch-${createHash('sha256').update(resolve(summaryPath)).digest('hex').slice(0, 12)}`
}

/** What a failed job's data and reason prove. */
export type FailedVerdict =
  /** Nothing was created, or the task exists (`taskId`): `job.retry()` either creates it once or only waits for it. */
  | { retry: true; taskId: string | undefined; reason: string }
  /** The create may have been sent and charged with no answer: never retried. */
  | { retry: false; reason: string }

/**
 * Errors the worker fails a job with (`<ErrorName>: …`) that the SDK only
 * throws when nothing was sent or the service refused the create: a
 * budget, invalid parameters, an unknown model, the configuration, a bad key,
 * too few points, a refused request.
 */
const REFUSED_BEFORE_ANY_TASK = ['BudgetExceededError', 'ValidationError', 'ModelNotFoundError', 'ImaConfigError', 'AuthenticationError', 'InsufficientPointsError', 'BadRequestError']

/**
 * Whether a failed job may be retried, from what the worker wrote before
 * each step that costs (`job.data.ima`) and the shared journal:
 *
 * - no `ima` at all: the worker writes (and awaits) phase `creating` before
 *   any create, so none was sent — retry;
 * - phase `created`: the task exists and is paid for — retry, which only
 *   waits for it (the worker never creates in that phase);
 * - phase `creating`: the create may have gone out. The journal entry of
 *   its ref decides: a task id (exists: retry, the worker resumes it),
 *   `refused` (nothing made: retry), anything else (`intent`, `unknown`:
 *   may be charged) — never retried. Without an entry, only a reason that
 *   names a refusal before any task (`BudgetExceededError: …`, "nothing
 *   was sent") allows a retry: a worker with another journal, or a stall,
 *   proves nothing.
 */
export async function judgeFailedJob(
  job: Pick<Job<GenerationJobData, GenerationJobResult>, 'data' | 'failedReason'>,
  ref: string,
  readEntry: (ref: string) => Promise<JournalEntry | undefined>,
): Promise<FailedVerdict> {
  const reason = typeof job.failedReason === 'string' && job.failedReason !== '' ? job.failedReason : 'the job failed without a reason'
  const state = (job.data as Partial<GenerationJobData> | undefined)?.ima
  if (state === undefined) return { retry: true, taskId: undefined, reason }
  if (state.phase === 'created' && typeof state.taskId === 'string' && state.taskId !== '') return { retry: true, taskId: state.taskId, reason }
  const entry = await readEntry(ref)
  if (entry?.taskId !== undefined) return { retry: true, taskId: entry.taskId, reason }
  if (entry?.state === 'refused') return { retry: true, taskId: undefined, reason }
  if (entry === undefined && (REFUSED_BEFORE_ANY_TASK.some((name) => reason.startsWith(`${name}: `)) || reason.includes('nothing was sent'))) {
    return { retry: true, taskId: undefined, reason }
  }
  return { retry: false, reason }
}

// ---------------------------------------------------------------------------------------------
// The batch's handle on the queue.

/** Where a line's job stands. */
export type JobLook =
  /** No job, and the shared journal has nothing of its ref (or a create the service refused): nothing was paid for. */
  | { kind: 'none' }
  /**
   * No job any more (BullMQ removes completed jobs after a day, failed ones after a week), but the
   * shared journal has the task its create made: enqueued again, the worker resumes that task.
   */
  | { kind: 'gone'; taskId: string }
  /** No job any more, and the journal says its create was sent with no answer: it may be charged, never sent again. */
  | { kind: 'goneUnknown'; reason: string }
  | { kind: 'completed' }
  /** Waiting for a worker, none has started it: its create is still to come. */
  | { kind: 'queued' }
  /** Active, or back in the queue after an attempt: `taskId` once its task exists. */
  | { kind: 'running'; taskId: string | undefined }
  | { kind: 'failed'; verdict: FailedVerdict }

/** The queue as `ima batch --queue` uses it; opened on first use (a batch already done needs no Redis). */
export interface BatchQueue {
  readonly name: string
  /** The Redis, without its password. */
  readonly shown: string
  look(jobId: string): Promise<JobLook>
  /** Where a lost (and regained) connection to the Redis is told, one line each. */
  reportTo(report: (line: string) => void): void
  /** Removes a job that is still waiting (no worker took it): `withdrawn`; `taken` when a worker has it or had it; `none` when there is no such job. */
  withdraw(jobId: string): Promise<'withdrawn' | 'taken' | 'none'>
  /** Opened: the producer handle, its QueueEvents, the judge of failed jobs, and the shared journal's entry of a ref. */
  open(): Promise<{
    generations: GenerationQueue
    events: QueueEvents
    judge(job: Job<GenerationJobData, GenerationJobResult>): Promise<FailedVerdict>
    readEntry(ref: string): Promise<JournalEntry | undefined>
  }>
  close(): Promise<void>
}

/** The batch's queue on `url` (checked now; connected on first use). */
export function batchQueue(url: string, name: string, language: ImaLanguage): BatchQueue {
  const words = wordsFor(language).queue
  const target = parseRedisUrl(url, '--queue', words)
  checkQueueName(name, words)
  type Opened = Awaited<ReturnType<BatchQueue['open']>> & { closeAll(): Promise<void> }
  let reporter: ((line: string) => void) | undefined
  const connection = watchRedisConnection(target.shown, words, () => reporter)
  let opening: Promise<Opened> | undefined
  const open = (): Promise<Opened> => {
    opening ??= (async () => {
      const packages = await loadQueuePackages('ima batch --queue', words)
      await checkRedis(packages, target, words)
      const shared = openSharedJournal(packages, target, connection)
      const generations = await createGenerationQueue({ connection: target.connection, name })
      generations.queue.on('error', (error) => connection.lost(error))
      const events = new packages.bullmq.QueueEvents(name, { connection: target.connection })
      events.on('error', (error) => connection.lost(error))
      await events.waitUntilReady()
      return {
        generations,
        events,
        judge: (job) => judgeFailedJob(job, generationRef(name, job.id ?? ''), (ref) => shared.journal.get(ref)),
        readEntry: (ref) => shared.journal.get(ref),
        closeAll: async () => {
          await Promise.allSettled([closeQueueEvents(events), generations.close(), shared.close()])
        },
      }
    })()
    return opening
  }
  return {
    name,
    shown: target.shown,
    open,
    reportTo(report) {
      reporter = report
    },
    async look(jobId) {
      const { generations, judge, readEntry } = await open()
      // A job that is no more: what its ref's journal entry says was paid for decides.
      const gone = async (): Promise<JobLook> => {
        const ref = generationRef(name, jobId)
        const entry = await readEntry(ref)
        if (entry?.taskId !== undefined) return { kind: 'gone', taskId: entry.taskId }
        if (entry !== undefined && entry.state !== 'refused') return { kind: 'goneUnknown', reason: words.goneUnknown(ref) }
        return { kind: 'none' }
      }
      const job = await generations.queue.getJob(jobId)
      if (!job) return gone()
      const state = await job.getState()
      if (state === 'unknown') return gone()
      if (state === 'completed') return { kind: 'completed' }
      if (state === 'failed') return { kind: 'failed', verdict: await judge(job) }
      const ima = job.data?.ima
      if (state === 'active' || ima !== undefined) return { kind: 'running', taskId: ima?.phase === 'created' ? ima.taskId : undefined }
      return { kind: 'queued' }
    },
    async withdraw(jobId) {
      const { generations } = await open()
      const job = await generations.queue.getJob(jobId)
      if (!job) return 'none'
      const state = await job.getState()
      if (state !== 'waiting' && state !== 'delayed' && state !== 'prioritized') return state === 'unknown' ? 'none' : 'taken'
      // A worker may take it between the two reads: BullMQ then refuses to remove a locked job.
      return job.remove().then(
        () => 'withdrawn' as const,
        () => 'taken' as const,
      )
    },
    async close() {
      if (!opening) return
      const opened = await opening.catch(() => undefined)
      await opened?.closeAll()
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Planning.

/** A planned line of a queued batch: its job id is fixed here, before anything is enqueued. */
export interface QueuedItem extends PlannedItem {
  jobId: string
  /**
   * A `resume` whose job is gone but whose task the shared journal holds: enqueued again under
   * the same id, and the worker waits for that task (its create is refused by the ref, never re-sent).
   */
  requeue?: boolean
  /**
   * A task only the summary still names: its job and the shared journal's entry are gone (a Redis
   * restarted empty, flushed, failed over). This process waits for it itself; nothing is enqueued.
   */
  waitForTask?: string
}

/**
 * Decides every line of a queued batch: `done` rows are skipped without a
 * request; every other line gets its job id (the one its row holds, else
 * `batch-<hash>-<line>-<key>`) and is decided by where that job stands —
 * none or waiting: to create (quoted and counted); completed, running or
 * a failed one whose task exists: waited for; failed with nothing created:
 * to create again under the same id; failed with an unknown outcome: left
 * `unknown`. A line a run without `--queue` started, or a job of another
 * queue, is refused: its create is recorded elsewhere.
 */
export async function planQueueItems(
  items: readonly BatchItem[],
  previous: readonly SummaryRow[],
  context: { queue: BatchQueue; summaryPath: string; words: QueueWords },
): Promise<Plan & { planned: QueuedItem[] }> {
  const { queue, words } = context
  const { rows, orphans } = matchRows(items, previous)
  const taken = new Set<string>()
  rows.forEach((row, index) => {
    if (!row || row.state === 'done') return
    const job = readGenerationRef(row.ref)
    if (job && job.queue !== queue.name) throw usage(words.queueRow({ line: items[index]?.line ?? row.line, queue: job.queue, ref: row.ref ?? '' }))
    if (job) {
      taken.add(job.jobId)
      return
    }
    // A row of a run without --queue that may have created something: its task or ref is in that machine's journal.
    if (row.task_id !== null || row.ref !== null || row.state === 'unknown' || row.state === 'creating') {
      throw usage(words.localRow({ line: items[index]?.line ?? row.line, taskId: row.task_id ?? undefined, ref: row.ref ?? undefined }))
    }
  })
  const prefix = batchJobPrefix(context.summaryPath)
  const jobIdOf = (item: BatchItem, row: SummaryRow | undefined): string => {
    const held = readGenerationRef(row?.ref ?? null)
    if (held) return held.jobId
    // A line moved onto the number of another's id (a duplicated line shifted) gets a suffix: ids never collide within a summary.
    let id = `${prefix}-${item.line}-${item.key}`
    for (let suffix = 2; taken.has(id); suffix += 1) id = `${prefix}-${item.line}-${item.key}-${suffix}`
    taken.add(id)
    return id
  }
  const decided = items.map((item, index) => {
    const row = rows[index]
    if (row?.state === 'done') return { item, row, jobId: '' }
    return { item, row, jobId: jobIdOf(item, row) }
  })
  const looks = await Promise.all(decided.map(({ row, jobId }) => (row?.state === 'done' ? undefined : queue.look(jobId))))
  const planned = decided.map(({ item, row, jobId }, index): QueuedItem => {
    const look = looks[index]
    if (row?.state === 'done' || look === undefined) return { item, row: row as SummaryRow, action: 'done', jobId }
    const ref = generationRef(queue.name, jobId)
    const base: SummaryRow = { ...(row ?? newRow(item)), line: item.line, ref, sent_at: row?.sent_at ?? null }
    const toCreate: QueuedItem = { item, row: { ...base, state: 'pending', task_id: null, urls: [], files: [], credit: null, error: null, model: null }, action: 'create', jobId }
    // The summary's own record of a paid task outlives the queue's (a Redis restarted empty, flushed, failed over):
    // such a line is enqueued again only to be waited for, never created twice.
    const paidTask = row?.task_id ?? undefined
    const toWaitFor = (taskId: string): QueuedItem => ({ item, row: { ...base, state: 'pending', task_id: taskId, error: null }, action: 'resume', jobId, requeue: true })
    const toWaitHere = (taskId: string): QueuedItem => ({ item, row: { ...base, state: 'pending', task_id: taskId, error: null }, action: 'resume', jobId, waitForTask: taskId })
    switch (look.kind) {
      case 'none':
        return paidTask !== undefined ? toWaitHere(paidTask) : toCreate
      case 'queued':
        return toCreate
      case 'completed':
        return { item, row: { ...base, state: 'pending', error: null }, action: 'resume', jobId }
      case 'gone':
        // Paid for already: not quoted, not counted, enqueued again only to be waited for.
        return toWaitFor(look.taskId)
      case 'goneUnknown':
        return { item, row: { ...base, state: 'unknown', task_id: null, error: look.reason }, action: 'unknown', jobId }
      case 'running':
        return { item, row: { ...base, state: 'pending', task_id: look.taskId ?? base.task_id, error: null }, action: 'resume', jobId }
      case 'failed':
        if (!look.verdict.retry) return { item, row: { ...base, state: 'unknown', task_id: null, error: look.verdict.reason }, action: 'unknown', jobId }
        if (look.verdict.taskId !== undefined) return { item, row: { ...base, state: 'pending', task_id: look.verdict.taskId, error: null }, action: 'resume', jobId }
        return paidTask !== undefined ? toWaitHere(paidTask) : toCreate
    }
  })
  return { planned, orphans }
}

// ---------------------------------------------------------------------------------------------
// Running.

/** At most `size` at a time. */
class Gate {
  #free: number
  readonly #waiting: (() => void)[] = []

  constructor(size: number) {
    this.#free = Math.max(1, size)
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free -= 1
    else await new Promise<void>((resolveTurn) => this.#waiting.push(resolveTurn))
    try {
      return await work()
    } finally {
      const next = this.#waiting.shift()
      if (next) next()
      else this.#free += 1
    }
  }
}

/** How a queued batch runs. */
export interface QueueRunSettings {
  /** Uploads, enqueues and downloads at the same time (the waits are not bounded: the workers' concurrency is). */
  concurrency: number
  baseDir: string
  outDir: string | undefined
  /** `--timeout`: each job's wait for its task, in its worker (a job's parameter). */
  timeoutMs: number | undefined
  /** The poll interval of a task this process waits for itself (one only the summary still names). */
  intervalMs: number | undefined
}

/** The queued counterpart of `runBatch`, for `ima batch`'s runPlanned. */
export interface QueueEngine {
  /** Runs the `create` and `resume` lines of the plan. */
  /** `stopStarting` (the summary's lock was taken) only stops enqueuing; jobs already in the queue are still collected. */
  run(planned: readonly PlannedItem[], context: { summary: SummaryFile; display: BatchDisplay; signal: AbortSignal; settings: QueueRunSettings; stopStarting?: AbortSignal }): Promise<RunReport>
  /** Points of the tasks this run had made (the lines it enqueued or retried that reached a task). */
  creditsSpent(): number
  /** Lines whose jobs were left queued or running when the run was interrupted. */
  jobsLeft(): number
  readonly name: string
}

/** The job parameters of a line: what was quoted (model and version) is what the worker creates. */
function jobParams(work: QueuedItem, inputImages: string[] | undefined, timeoutMs: number | undefined): GenerationJobParams {
  const { item, quote } = work
  return {
    prompt: item.prompt,
    ...(quote ? { model: quote.model.id, versionId: quote.model.version } : item.model !== undefined ? { model: item.model } : {}),
    taskType: item.taskType,
    n: item.n,
    ...(item.size !== undefined ? { size: item.size } : {}),
    ...(item.ratio !== undefined ? { aspectRatio: item.ratio } : {}),
    ...(inputImages ? { inputImages } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  }
}

/** A line's finished task: from its job's result, or from a wait of this process. */
interface LineResult {
  taskId: string
  urls: readonly string[]
  totalCredit: number
  modelId: string | null
}

/** The engine of `ima batch --queue`: enqueue (or retry) each line's job, wait for it, save its result. */
export function queueEngine(ima: ImaClient, queue: BatchQueue, language: ImaLanguage): QueueEngine {
  let spent = 0
  let left = 0
  return {
    name: queue.name,
    creditsSpent: () => spent,
    jobsLeft: () => left,
    async run(planned, { summary, display, signal, settings, stopStarting }) {
      const works = (planned as readonly QueuedItem[]).filter((entry) => entry.action === 'create' || entry.action === 'resume')
      if (works.length === 0) return { detached: [] }
      queue.reportTo((line) => display.note(line))
      const { generations, events, judge } = await queue.open()
      const words = wordsFor(language).queue
      // A batch with nobody to make its jobs would wait in silence. Said once, first; a Redis that refuses CLIENT LIST (some managed ones) says nothing.
      const workers = await generations.queue.getWorkersCount().catch(() => undefined)
      if (workers === 0) display.note(words.noWorker({ queue: queue.name, redis: queue.shown }))
      const gate = new Gate(settings.concurrency)
      const write = (row: SummaryRow): Promise<SummaryRow> => summary.update(row).catch(() => row)
      // Started: the job is active in a worker (its 'active' event or its first progress), for the display's "running".
      const startedJobs = new Map<string, () => void>()
      const onActive = ({ jobId }: { jobId: string }) => startedJobs.get(jobId)?.()
      events.on('active', onActive)

      const one = async (work: QueuedItem): Promise<void> => {
        const { jobId } = work
        let row = work.row
        let started = false
        const start = () => {
          if (started) return
          started = true
          display.started()
        }
        startedJobs.set(jobId, start)
        const end = (ended: ItemEnd | undefined) => {
          startedJobs.delete(jobId)
          if (ended === undefined) {
            if (started) display.ended()
            return
          }
          start()
          display.ended(ended)
        }
        const failed = async (next: SummaryRow, message: string): Promise<ItemEnd> => ({ row: await write({ ...next, state: 'failed', error: message }), message })

        let finished: LineResult
        if (work.waitForTask !== undefined) {
          // Only the summary knows this task: waited for here, as `ima wait` would — never created again.
          try {
            start()
            const waited = await gate.run(() =>
              ima.tasks.wait(work.waitForTask as string, {
                signal,
                ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
                ...(settings.intervalMs !== undefined ? { intervalMs: settings.intervalMs } : {}),
              }),
            )
            finished = { taskId: waited.taskId, urls: waited.urls, totalCredit: row.credit ?? 0, modelId: row.model }
          } catch (error) {
            if (signal.aborted) return end(undefined)
            return end(await failed(row, messageOf(error)))
          }
        } else {
          const viaJob = await runJob()
          if (viaJob === undefined || 'row' in viaJob) return end(viaJob)
          finished = viaJob
        }
        return end(await saveResult(finished))

        /** Steps 1 and 2 through the queue: the job's result, or how the line ended without one (`undefined`: left to the workers). */
        async function runJob(): Promise<ItemEnd | undefined | LineResult> {
          // 1. The job: enqueued when there is none, retried when its failure allows it, else only waited for.
          let submitted: ItemEnd | 'aborted' | 'ok'
          try {
            submitted = await gate.run(async () => {
              if (signal.aborted || stopStarting?.aborted === true || summary.failure !== undefined) return 'aborted'
              const job = await generations.queue.getJob(jobId)
              const state = job ? await job.getState() : 'unknown'
              if (!job || state === 'unknown') {
                if (work.action !== 'create' && work.requeue !== true) return failed(row, words.jobGone(jobId))
                let inputImages: string[] | undefined
                if (work.item.inputs.length > 0) {
                  // Uploaded here: a job carries URLs only (a local path would be read on the worker's machine).
                  inputImages = await ima.uploads.putAll(
                    work.item.inputs.map((input) => (isUrl(input) ? input : resolve(settings.baseDir, input))),
                    { signal },
                  )
                }
                if (signal.aborted) return 'aborted'
                row = await write({ ...row, state: 'pending', model: work.quote?.model.id ?? row.model, credit: work.quote?.totalCredit ?? row.credit, sent_at: new Date().toISOString() })
                // The same id again is BullMQ's no-op: another run (or machine) that enqueued it first wins, one job in all.
                await generations.enqueue(jobParams(work, inputImages, settings.timeoutMs), { jobId })
              } else if (state === 'failed') {
                const verdict = await judge(job)
                if (!verdict.retry) {
                  row = await write({ ...row, state: 'unknown', task_id: null, error: verdict.reason })
                  return { row, message: verdict.reason }
                }
                // Same id, same journal ref: the worker creates it once (nothing was), or only waits for its task.
                await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true }).catch(async (error: unknown) => {
                  // Retried by another run meanwhile: it is no longer failed, and is waited for below.
                  if ((await job.getState().catch(() => 'failed')) === 'failed') throw error
                })
                row = await write({ ...row, state: 'pending', task_id: verdict.taskId ?? row.task_id, error: null })
              } else if (state === 'active') start()
              return 'ok'
            })
          } catch (error) {
            submitted = signal.aborted ? 'aborted' : await failed(row, messageOf(error))
          }
          if (submitted === 'aborted') {
            // A job that existed before this run goes on in the workers all the same.
            if (work.action === 'resume') left += 1
            return undefined
          }
          if (submitted !== 'ok') return submitted

          // 2. Its result: progress names the task as soon as it exists, recorded in the row.
          const stopProgress = onJobProgress(events, jobId, (progress) => {
            start()
            if (row.task_id !== progress.taskId) {
              row = { ...row, task_id: progress.taskId }
              void write(row)
            }
          })
          let result: GenerationJobResult
          try {
            result = await waitForJob(events, generations, jobId, { signal })
          } catch (error) {
            if (signal.aborted || (error instanceof GenerationJobError && error.kind === 'aborted')) {
              left += 1
              return undefined
            }
            if (error instanceof GenerationJobError && error.kind === 'failed') {
              const job = await generations.queue.getJob(jobId).catch(() => undefined)
              const verdict = job ? await judge(job) : { retry: true as const, taskId: undefined, reason: error.failedReason ?? error.message }
              if (!verdict.retry) {
                row = await write({ ...row, state: 'unknown', task_id: null, error: verdict.reason })
                return ({ row, message: verdict.reason })
              }
              return (await failed({ ...row, task_id: verdict.taskId ?? row.task_id }, verdict.reason))
            }
            return (await failed(row, error instanceof GenerationJobError && error.kind === 'missing' ? words.jobGone(jobId) : messageOf(error)))
          } finally {
            stopProgress()
          }
          if (work.action === 'create') {
            spent += result.totalCredit
            display.spent(spent)
          }
          return { taskId: result.taskId, urls: result.urls, totalCredit: result.totalCredit, modelId: result.model.id }
          }

        /** Step 3: saved by this process (with --out), then done. */
        async function saveResult(result: LineResult): Promise<ItemEnd | undefined> {
        // 3. Saved by this process (with --out), then done.
        row = { ...row, task_id: result.taskId, urls: [...result.urls], credit: result.totalCredit, model: result.modelId }
        const files: string[] = []
        if (settings.outDir !== undefined) {
          const outDir = settings.outDir
          const names = resultFileNames(work.item, result.taskId, result.urls)
          try {
            await gate.run(async () => {
              for (const [index, url] of result.urls.entries()) {
                const saved = await downloadResult(url, join(outDir, names[index] ?? `${result.taskId}-${index + 1}.png`), { signal })
                files.push(saved.path)
              }
            })
          } catch (error) {
            // The job is done and paid for: the next run reads its result again (instantly) and saves it, never creates it.
            row = await write({ ...row, state: signal.aborted ? 'pending' : 'failed', error: messageOf(error) })
            return signal.aborted ? undefined : { row, message: messageOf(error) }
          }
        }
        row = await write({ ...row, state: 'done', files, error: null })
        return { row }
        }
      }

      try {
        await Promise.all(works.map((work) => one(work)))
      } finally {
        events.off('active', onActive)
      }
      return { detached: [] }
    },
  }
}
