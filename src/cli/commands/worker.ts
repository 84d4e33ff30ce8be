/**
 * `ima worker --queue redis://…`: a BullMQ generation worker
 * (`createGenerationWorker` of `ima-open-sdk/queue`) for the jobs of
 * `ima batch --queue`, one per machine that shares the work. Its client is
 * built as every command's (key, hosts, language, poll interval, the skills'
 * log) but journals in the Redis — an `UnstorageTaskJournal` every worker of
 * that Redis shares, which is what stops a job taken over from a dead worker
 * from being created twice — and, with `--max-credits`, counts its points
 * there too (`RedisBudgetStore`), so the workers together never pass it;
 * with `--max-creates-in-flight`, a lease in the Redis (`RedisLeaseStore`)
 * lets at most that many creates be on their way at once, across workers.
 *
 * It prints one line when it is ready (never the key, never the Redis
 * password) and one per job that ends, and stops on SIGINT or SIGTERM:
 * it takes no new job, lets the running ones finish (`close()`), and exits
 * 0. A second signal exits at once (130): another worker takes the running
 * jobs over when their lock lapses (30 s) and waits for their tasks, never
 * creating them again; one whose create was on its way may end `unknown`.
 */
import { hostname } from 'node:os'
import type { ImaClientOptions } from '../../client-options.js'
import { createGenerationWorker, type GenerationWorker } from '../../queue/generation-worker.js'
import type { GenerationJobData, GenerationJobResult } from '../../queue/generation-queue.js'
import type { Job } from 'bullmq'
import type { CommandInput } from '../command.js'
import { readCommon } from '../common.js'
import { CliUsageError, EXIT, MissingApiKeyError } from '../errors.js'
import { say } from '../io.js'
import { wordsFor } from '../messages.js'
import type { WorkerOptions } from '../options.js'
import { checkQueueName, checkRedis, JOURNAL_BASE, loadQueuePackages, openSharedJournal, parseRedisUrl } from '../batch/queue-runner.js'

/** The first line of a reason: the worker's reasons end with how to reconcile, which the line per job leaves out. */
function firstSentence(reason: string): string {
  const line = reason.split('\n')[0] ?? ''
  const cut = line.indexOf(' Reconcile: ')
  return cut > 0 ? line.slice(0, cut) : line
}

/** `ima worker`: serves the queue until SIGINT or SIGTERM, then lets its running jobs finish and exits 0. */
export async function run({ options, io }: CommandInput<WorkerOptions>): Promise<void> {
  const common = readCommon(options, io)
  const words = wordsFor(common.language).queue
  if (options.queue === undefined) throw new CliUsageError(words.workerNeedsQueue.message, words.workerNeedsQueue.hint)
  const target = parseRedisUrl(options.queue, '--queue', words)
  checkQueueName(options.queueName, words)
  if (!common.apiKey) throw new MissingApiKeyError(common.language)
  const packages = await loadQueuePackages('ima worker', words)
  await checkRedis(packages, target, words)

  // Listened for before anything is printed, so a signal sent as soon as the ready line shows cannot meet the default handler.
  let signals = 0
  let stop: () => void = () => undefined
  const stopped = new Promise<void>((resolveStop) => (stop = resolveStop))
  const onSignal = () => {
    signals += 1
    if (signals === 1) return stop()
    // At once (BullMQ's close(true) would only join the graceful close under way): the locks are no longer renewed, so another
    // worker takes the running jobs over when they lapse, and resumes their tasks — the shared journal stops a second create.
    say(io, words.forced)
    process.exit(EXIT.interrupted)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  const shared = openSharedJournal(packages, target)
  // One connection for the shared budget and the create lease. Without it no create may be counted or let through: the
  // stores refuse them, and ioredis keeps trying to connect.
  const sharesLimits = options.maxCredits !== undefined || options.maxCreatesInFlight !== undefined
  const limitsRedis = sharesLimits ? new packages.Redis({ ...target.connection, maxRetriesPerRequest: 1 }) : undefined
  limitsRedis?.on('error', () => undefined)
  try {
    const budget =
      limitsRedis && options.maxCredits !== undefined
        ? { maxCredits: options.maxCredits, budgetStore: new (await import('../../queue/redis-budget-store.js')).RedisBudgetStore({ redis: limitsRedis }) }
        : {}
    const lease =
      limitsRedis && options.maxCreatesInFlight !== undefined
        ? { maxCreatesInFlight: options.maxCreatesInFlight, leaseStore: new (await import('../../queue/redis-lease-store.js')).RedisLeaseStore({ redis: limitsRedis }) }
        : {}
    // As createClient builds it (common.ts), with the journal (and the budget) in the Redis.
    const clientOptions: ImaClientOptions = {
      apiKey: common.apiKey,
      baseURL: common.baseURL,
      uploadBaseURL: common.uploadBaseURL,
      language: common.language,
      journal: shared.journal,
      logger: common.logger,
      ...(common.intervalMs !== undefined ? { pollIntervalMs: common.intervalMs } : {}),
      ...budget,
      ...lease,
    }
    const workerName = `${hostname()}:${process.pid}`
    const generations: GenerationWorker = await createGenerationWorker({
      clientOptions,
      connection: target.connection,
      name: options.queueName,
      concurrency: options.concurrency,
      workerName,
      logger: common.logger,
    })
    const { worker } = generations
    const running = new Set<string>()
    let done = 0
    let failed = 0
    let lastError: string | undefined
    worker.on('active', (job: Job<GenerationJobData, GenerationJobResult>) => {
      if (job.id !== undefined) running.add(job.id)
    })
    worker.on('completed', (job: Job<GenerationJobData, GenerationJobResult>, result: GenerationJobResult) => {
      running.delete(job.id ?? '')
      done += 1
      say(io, words.jobDone({ jobId: job.id ?? '?', taskId: result.taskId, credits: result.totalCredit, resumed: result.resumed }))
    })
    worker.on('failed', (job: Job<GenerationJobData, GenerationJobResult> | undefined, error: Error) => {
      if (!job) return
      running.delete(job.id ?? '')
      const reason = firstSentence(job.failedReason || error.message)
      // A failure with attempts left goes back to the queue (finishedOn unset): the retry resumes, it never pays twice.
      if (job.finishedOn === undefined) {
        say(io, words.jobRetried({ jobId: job.id ?? '?', attempt: job.attemptsMade, attempts: job.opts.attempts ?? 1, reason }))
        return
      }
      failed += 1
      say(io, words.jobFailed({ jobId: job.id ?? '?', reason }))
    })
    worker.on('error', (error: Error) => {
      // BullMQ reconnects by itself: one line per new kind of trouble, not one per retry.
      if (error.message === lastError) return
      lastError = error.message
      say(io, words.workerError(error.message))
    })
    await worker.waitUntilReady()
    if (signals === 0) {
      say(
        io,
        words.workerReady({
          worker: workerName,
          queue: options.queueName,
          redis: target.shown,
          concurrency: options.concurrency,
          journal: JOURNAL_BASE,
          budget: options.maxCredits,
          createsInFlight: options.maxCreatesInFlight,
        }),
      )
    }
    await stopped
    say(io, words.stopping(running.size))
    await generations.close()
    say(io, words.stopped({ done, failed }))
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await Promise.allSettled([shared.close(), limitsRedis?.quit()])
  }
}
