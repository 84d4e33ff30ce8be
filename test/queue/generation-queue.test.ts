/**
 * The BullMQ generation queue on a real redis-server, against the local IMA
 * server: a job pays for exactly one create whatever happens to its worker.
 * The issue's "done when" runs two worker processes and SIGKILLs one while
 * it waits for tasks it created: every job still completes, the server saw
 * exactly one create per distinct job, and the killed worker's tasks were
 * finished — not created again — by the other. Proven by the server's own
 * record of creates, not by what the workers say.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { QueueEvents } from 'bullmq'
import { createStorage, type Storage } from 'unstorage'
import redisDriver from 'unstorage/drivers/redis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ImaConfigError, MemoryPreferenceStore, UnstorageTaskJournal, ValidationError } from '../../src/index.js'
import {
  createGenerationQueue,
  createGenerationWorker,
  GenerationJobError,
  generationRef,
  onJobProgress,
  waitForJob,
  type GenerationJobResult,
  type GenerationProgress,
  type GenerationQueue,
  type GenerationWorker,
} from '../../src/queue/index.js'
import { startImaServer, type ImaServer } from '../../src/testing/index.js'
import { hasRedisServerFor, startRedisServer, type RedisServer } from '../support/redis-server.js'
import { fixture, killLeftoverChildren, spawnTsx, type TsxChild } from '../support/tsx-child.js'

const CREATE_PATH = '/open/v1/tasks/create'
const KEY = 'ima_generation_queue_key_0123'
/** Long enough that the waits of one worker's jobs overlap, so it can be killed while it holds several created tasks. */
const TASK_DURATION_MS = 2_500
/** gemini-3.1-flash-image at 1K costs 6 points in the local catalog. */
const PARAMS = { model: 'gemini-3.1-flash-image', prompt: 'a lighthouse at dusk', size: '1K' } as const
/** Children start with tsx and contend for Redis and the server on maybe 2 loaded cores: room for that. */
const TIMEOUT_MS = 120_000

describe('ima-open-sdk/queue without bullmq installed', () => {
  it(
    'imports (the Redis stores need only ioredis), and the generation queue says to install bullmq',
    async () => {
      // A resolve hook that fails every import of bullmq, as a project without it would.
      const hooks = `export async function resolve(specifier, context, next) { if (specifier === 'bullmq' || specifier.startsWith('bullmq/')) throw new Error('Cannot find package bullmq'); return next(specifier, context) }`
      const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)})`
      const entry = fileURLToPath(new URL('../../src/queue/index.ts', import.meta.url))
      const script = `
        const queue = await import(${JSON.stringify(entry)})
        const refused = await queue.createGenerationQueue({ connection: {} }).then(() => 'created', (error) => error.name + ': ' + error.message)
        console.log(JSON.stringify({ stores: typeof queue.RedisBudgetStore, refused }))`
      const env = { ...process.env }
      delete env.NODE_EXTRA_CA_CERTS
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--import', `data:text/javascript,${encodeURIComponent(register)}`, '--input-type=module', '-e', script], { env })
      const report = JSON.parse(stdout.trim().split('\n').at(-1) as string) as { stores: string; refused: string }
      expect(report.stores).toBe('function')
      expect(report.refused).toMatch(/^ImaConfigError: The generation queue needs bullmq, an optional peer dependency of ima-open-sdk: npm install bullmq/)
    },
    TIMEOUT_MS,
  )
})

describe('the BullMQ generation queue on a real redis-server', () => {
  if (!hasRedisServerFor('the BullMQ generation queue')) return

  let redisServer: RedisServer | undefined
  let server: ImaServer | undefined
  let storage: Storage | undefined
  /** Everything a test opened, closed in afterAll (newest first) even when the test failed. */
  const closers: Array<() => Promise<unknown>> = []

  const ima = () => server as ImaServer
  const connection = () => ({ host: '127.0.0.1', port: (redisServer as RedisServer).port })
  const creates = () => ima().requests.filter((request) => request.method === 'POST' && request.path === CREATE_PATH).length

  beforeAll(async () => {
    redisServer = await startRedisServer()
    server = await startImaServer({ apiKeys: { [KEY]: 100_000 }, taskDurationMs: TASK_DURATION_MS })
    storage = createStorage({ driver: redisDriver({ url: redisServer.url, base: 'journal-in-process' }) })
  })
  afterEach(() => {
    killLeftoverChildren()
    server?.reset()
  })
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined)
    await storage?.dispose()
    await server?.close()
    await redisServer?.stop()
  })

  /** A queue, its QueueEvents and (unless told otherwise) a worker in this process, all closed after the file. */
  async function inProcess(name: string, prefix?: string): Promise<{ generations: GenerationQueue; events: QueueEvents; worker: GenerationWorker; journal: UnstorageTaskJournal }> {
    const journal = new UnstorageTaskJournal(storage as Storage)
    const scoped = prefix === undefined ? {} : { prefix }
    const worker = await createGenerationWorker({
      clientOptions: { apiKey: KEY, baseURL: ima().url, pollIntervalMs: 100, journal },
      connection: connection(),
      name,
      concurrency: 2,
      ...scoped,
    })
    // Forced: a test that failed with a job still running must not hold afterAll for the job's whole wait.
    closers.push(() => worker.worker.close(true))
    const generations = await createGenerationQueue({ connection: connection(), name, ...scoped })
    closers.push(() => generations.close())
    const events = new QueueEvents(name, { connection: connection(), ...scoped })
    closers.push(() => events.close())
    await Promise.all([worker.worker.waitUntilReady(), events.waitUntilReady()])
    return { generations, events, worker, journal }
  }

  /** Polls `probe` until it returns a value (a Redis read of the jobs, not a sleep through the test). */
  async function until<T>(probe: () => Promise<T | undefined>, what: string, deadlineMs = 60_000): Promise<T> {
    const end = Date.now() + deadlineMs
    while (Date.now() < end) {
      const value = await probe()
      if (value !== undefined) return value
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`)
  }

  it(
    '2 worker processes, one SIGKILLed while it waits for tasks it created: all 25 distinct jobs of 30 enqueues complete, the server saw exactly 25 creates, and the killed worker’s tasks were finished by the other',
    async () => {
      const started = Date.now()
      const name = 'gen-crash'
      const names = ['worker-a', 'worker-b'] as const
      const children = new Map<string, TsxChild>(
        names.map((workerName) => [
          workerName,
          spawnTsx(fixture('generation-worker-child.ts'), [], {
            env: {
              IMA_API_KEY: KEY,
              IMA_BASE_URL: ima().url,
              IMA_POLL_INTERVAL_MS: '100',
              REDIS_URL: (redisServer as RedisServer).url,
              QUEUE_NAME: name,
              WORKER_NAME: workerName,
              JOURNAL_BASE: 'journal-crash',
              CONCURRENCY: '8',
              // A killed worker's jobs are taken over about 1.5 + 2 × 1 s after it died.
              LOCK_DURATION_MS: '1500',
              STALLED_INTERVAL_MS: '1000',
            },
          }),
        ]),
      )
      await Promise.all([...children.values()].map((child) => child.waitFor(/^ready /m)))
      const generations = await createGenerationQueue({ connection: connection(), name })
      closers.push(() => generations.close())
      const events = new QueueEvents(name, { connection: connection() })
      closers.push(() => events.close())
      await events.waitUntilReady()

      // 30 requests, the last 5 resent with the jobId of an earlier one: 25 jobs.
      const enqueued: string[] = []
      for (let i = 0; i < 30; i += 1) {
        enqueued.push(await generations.enqueue({ ...PARAMS, prompt: `${PARAMS.prompt} #${i % 25}` }, { jobId: `request-${i % 25}` }))
      }
      const jobIds = [...new Set(enqueued)]
      expect(jobIds).toHaveLength(25)
      expect(enqueued.slice(25)).toEqual(jobIds.slice(0, 5))
      const counts = await generations.queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized')
      expect(Object.values(counts).reduce((sum, count) => sum + count, 0)).toBe(25)

      // A worker whose every active job is in phase 'created' (3 at least) is waiting for tasks it created: the moment to kill it.
      const victim = await until(async () => {
        const active = await generations.queue.getActive()
        for (const workerName of names) {
          const mine = active.filter((job) => (job.processedBy ?? job.data.ima?.worker) === workerName)
          const created = mine.flatMap((job) => (job.data.ima?.phase === 'created' && job.data.ima.worker === workerName ? [{ jobId: job.id as string, taskId: job.data.ima.taskId }] : []))
          if (created.length >= 3 && created.length === mine.length) return { workerName, created }
        }
        return undefined
      }, 'a worker waiting on 3 tasks it created')
      const killed = children.get(victim.workerName) as TsxChild
      killed.child.kill('SIGKILL')
      expect((await killed.done).signal).toBe('SIGKILL')
      const survivorName = names.find((workerName) => workerName !== victim.workerName) as string
      const killedAt = Date.now()

      const results = await Promise.all(jobIds.map((jobId) => waitForJob(events, generations, jobId, { timeoutMs: 90_000 })))
      const byJob = new Map<string, GenerationJobResult>(jobIds.map((jobId, index) => [jobId, results[index] as GenerationJobResult]))

      // One create per distinct job, by the server's own count, and no task in two jobs.
      expect(creates()).toBe(25)
      expect(ima().tasks).toHaveLength(25)
      expect(new Set(results.map((result) => result.taskId)).size).toBe(25)
      for (const [jobId, result] of byJob) {
        expect(result.ref).toBe(generationRef(name, jobId))
        expect(result.url).toMatch(/^https?:\/\//)
        expect(result.totalCredit).toBe(6)
      }
      // The tasks the killed worker had created: finished by the other worker, on the same task id, without a create.
      for (const { jobId, taskId } of victim.created) {
        expect(byJob.get(jobId)).toMatchObject({ taskId, createdBy: victim.workerName, finishedBy: survivorName, resumed: true })
      }
      // Every job ended on the survivor: the victim finished none before it was killed.
      expect(results.every((result) => result.finishedBy === survivorName)).toBe(true)
      // The shared journal agrees: 25 creates under the jobs' refs, each succeeded (the resumed ones recorded by the survivor).
      const journal = new UnstorageTaskJournal(createStorage({ driver: redisDriver({ url: (redisServer as RedisServer).url, base: 'journal-crash' }) }))
      const entries = (await journal.list()).filter((entry) => entry.ref.startsWith(`bullmq:${name}:`))
      expect(entries.map((entry) => entry.ref).sort()).toEqual(jobIds.map((jobId) => generationRef(name, jobId)).sort())
      expect(entries.every((entry) => entry.state === 'succeeded')).toBe(true)

      // The survivor closes gracefully on SIGTERM.
      const survivor = children.get(survivorName) as TsxChild
      survivor.child.kill('SIGTERM')
      const ended = await survivor.done
      expect({ code: ended.code, signal: ended.signal }, ended.out).toEqual({ code: 0, signal: null })
      console.info(
        `[generation-queue] 25 jobs, ${victim.created.length} taken over from ${victim.workerName}: all done ${Date.now() - killedAt} ms after the kill, ${Date.now() - started} ms in all`,
      )
    },
    TIMEOUT_MS,
  )

  it(
    'a create whose answer is lost fails the job for good on its first attempt (attempts: 3), naming the ref; a retry by hand creates nothing either',
    async () => {
      const name = 'gen-lost-answer'
      const { generations, events, journal } = await inProcess(name)
      ima().injectFault({ path: CREATE_PATH, kind: 'reset-after' })
      const jobId = await generations.enqueue({ ...PARAMS }, { jobId: 'lost-answer' })
      const ref = generationRef(name, jobId)

      const error = await waitForJob(events, generations, jobId, { timeoutMs: 60_000 }).then(
        () => undefined,
        (reason: unknown) => reason,
      )
      expect(error).toBeInstanceOf(GenerationJobError)
      const failure = error as GenerationJobError
      expect(failure.kind).toBe('failed')
      expect(failure.jobId).toBe(jobId)
      expect(failure.failedReason).toContain(ref)
      expect(failure.failedReason).toContain('outcome is unknown')
      expect(failure.failedReason).toContain('ima.tasks.recent()')
      const job = await generations.queue.getJob(jobId)
      expect(job?.opts.attempts).toBe(3)
      expect(job?.attemptsMade).toBe(1)
      expect(job?.data.ima).toEqual({ phase: 'creating', ref, worker: expect.any(String) })
      // The server made (and charged) the task; the client never learned its id.
      expect(creates()).toBe(1)
      expect(ima().tasks).toHaveLength(1)
      expect((await journal.get(ref))?.state).toBe('unknown')

      // Retried by hand: the journal holds the ref, so the worker refuses to send it again.
      await job?.retry('failed')
      const again = await waitForJob(events, generations, jobId, { timeoutMs: 60_000 }).then(
        () => undefined,
        (reason: unknown) => reason as GenerationJobError,
      )
      expect(again?.kind).toBe('failed')
      expect(again?.failedReason).toContain(`${ref}: this job's create was sent before (journal state 'unknown')`)
      expect(creates()).toBe(1)
    },
    TIMEOUT_MS,
  )

  it(
    'queues of one name under two prefixes (two tenants) sharing a journal: each job pays for its own create, none takes the other’s picture',
    async () => {
      const [tenantA, tenantB] = [await inProcess('gen-tenants', 'tenantA'), await inProcess('gen-tenants', 'tenantB')]
      const idA = await tenantA.generations.enqueue({ ...PARAMS, prompt: 'tenant A private picture' }, { jobId: 'req-1' })
      const idB = await tenantB.generations.enqueue({ ...PARAMS, prompt: 'tenant B other picture' }, { jobId: 'req-1' })
      const [doneA, doneB] = await Promise.all([
        waitForJob(tenantA.events, tenantA.generations, idA, { timeoutMs: 60_000 }),
        waitForJob(tenantB.events, tenantB.generations, idB, { timeoutMs: 60_000 }),
      ])
      expect(doneA.taskId).not.toBe(doneB.taskId)
      expect(creates()).toBe(2)
      expect(ima().tasks.map((task) => task.prompt).sort()).toEqual(['tenant A private picture', 'tenant B other picture'])
      expect(await tenantA.journal.get(generationRef('gen-tenants', 'req-1', 'tenantA'))).toMatchObject({ taskId: doneA.taskId })
      expect(await tenantA.journal.get(generationRef('gen-tenants', 'req-1', 'tenantB'))).toMatchObject({ taskId: doneB.taskId })
    },
    TIMEOUT_MS,
  )

  it(
    'a job over its budget fails for good with the budget message, and nothing is sent',
    async () => {
      const { generations, events } = await inProcess('gen-budget')
      const jobId = await generations.enqueue({ ...PARAMS, maxCredits: 1 }, { jobId: 'over-budget' })
      const error = (await waitForJob(events, generations, jobId, { timeoutMs: 60_000 }).then(
        () => undefined,
        (reason: unknown) => reason,
      )) as GenerationJobError
      expect(error).toBeInstanceOf(GenerationJobError)
      expect(error.kind).toBe('failed')
      expect(error.failedReason).toMatch(/^BudgetExceededError: .*costs 6 points, more than the 1 the budget allows/)
      expect((await generations.queue.getJob(jobId))?.attemptsMade).toBe(1)
      expect(creates()).toBe(0)
    },
    TIMEOUT_MS,
  )

  it(
    'progress reaches onJobProgress: one report per poll of the job’s task, ending at 100 % success',
    async () => {
      const { generations, events } = await inProcess('gen-progress')
      const seen: GenerationProgress[] = []
      const stop = onJobProgress(events, 'with-progress', (progress) => seen.push(progress))
      const jobId = await generations.enqueue({ ...PARAMS }, { jobId: 'with-progress', userId: 'user-1' })
      const result = await waitForJob(events, generations, jobId, { timeoutMs: 60_000 })
      stop()

      expect(result).toMatchObject({ resumed: false, totalCredit: 6, model: { id: 'gemini-3.1-flash-image' } })
      expect(seen.length).toBeGreaterThanOrEqual(3)
      expect(seen.every((progress) => progress.taskId === result.taskId)).toBe(true)
      expect(seen.some((progress) => (progress.state === 'pending' || progress.state === 'processing') && progress.percent < 100)).toBe(true)
      expect(seen.at(-1)).toEqual({ percent: 100, state: 'success', taskId: result.taskId })
      // Unsubscribed: a later report of the same id reaches nobody.
      const count = seen.length
      ;(events as unknown as NodeJS.EventEmitter).emit(`progress:${jobId}`, { jobId, data: { percent: 1, state: 'pending', taskId: 'x' } }, '0-0')
      expect(seen).toHaveLength(count)
      expect(creates()).toBe(1)
    },
    TIMEOUT_MS,
  )

  it(
    'a job resumed after its wait failed saves the user’s model as a fresh job does, without a second create',
    async () => {
      const name = 'gen-resumed-preference'
      const preferences = new MemoryPreferenceStore()
      const worker = await createGenerationWorker({
        // maxRetries 0: the one failed poll below ends the first run's wait, so the job's second attempt resumes it.
        clientOptions: { apiKey: KEY, baseURL: ima().url, pollIntervalMs: 100, maxRetries: 0, journal: new UnstorageTaskJournal(storage as Storage), preferences },
        connection: connection(),
        name,
      })
      closers.push(() => worker.worker.close(true))
      const generations = await createGenerationQueue({ connection: connection(), name, jobOptions: { backoff: { type: 'fixed', delay: 50 } } })
      closers.push(() => generations.close())
      const events = new QueueEvents(name, { connection: connection() })
      closers.push(() => events.close())
      await Promise.all([worker.worker.waitUntilReady(), events.waitUntilReady()])

      ima().injectFault({ path: '/open/v1/tasks/detail', kind: 'status', status: 503, times: 1 })
      const jobId = await generations.enqueue({ ...PARAMS, maxPollFailures: 0 }, { jobId: 'resumed-preference', userId: 'user-resumed' })
      const result = await waitForJob(events, generations, jobId, { timeoutMs: 60_000 })

      expect(result).toMatchObject({ resumed: true, credit: 6, model: { id: 'gemini-3.1-flash-image' } })
      expect((await generations.queue.getJob(jobId))?.attemptsMade).toBe(2)
      expect(creates()).toBe(1)
      expect(await preferences.get('user-resumed', 'text_to_image')).toMatchObject({ modelId: 'gemini-3.1-flash-image', modelName: 'Nano Banana2', credit: 6 })
    },
    TIMEOUT_MS,
  )

  it(
    'refuses what cannot be queued: a worker without a shared journal, and parameters or ids a job cannot carry',
    async () => {
      await expect(createGenerationWorker({ connection: connection(), clientOptions: { apiKey: KEY } })).rejects.toThrow(ImaConfigError)
      await expect(createGenerationWorker({ connection: connection(), clientOptions: { apiKey: KEY } })).rejects.toThrow(/shared by every worker/)
      const generations = await createGenerationQueue({ connection: connection(), name: 'gen-refusals' })
      closers.push(() => generations.close())
      const refusal = (params: unknown, options?: { jobId?: string; priority?: number }) =>
        generations.enqueue(params as never, options).then(
          () => undefined,
          (error: unknown) => error,
        )
      expect(await refusal({ prompt: 'a fox', onCreated: () => {} })).toBeInstanceOf(ValidationError)
      expect(String(await refusal({ prompt: 'a fox', signal: AbortSignal.timeout(1_000) }))).toMatch(/signal: cannot be stored in a job/)
      expect(String(await refusal({ prompt: 'a fox', ref: 'mine' }))).toMatch(/ref: is set by the worker/)
      expect(String(await refusal({ prompt: 'a fox', taskType: 'image_to_image', inputImages: [new Blob(['x'])] }))).toMatch(/inputImages\.0: is a Blob/)
      expect(String(await refusal({ prompt: 'a fox', params: { seed: Number.NaN } }))).toMatch(/params\.seed: is NaN/)
      expect(String(await refusal({ prompt: '' }))).toMatch(/ValidationError|prompt/)
      // A typo is refused with the name it meant; the wait's own options (timeoutMs…) are a job's too.
      expect(String(await refusal({ prompt: 'a fox', sise: '2K', timeoutMs: 60_000 }))).toMatch(/Unknown task parameter sise \(did you mean size\?\)/)
      expect(String(await refusal({ prompt: 'a fox' }, { jobId: '42' }))).toMatch(/is an integer/)
      expect(String(await refusal({ prompt: 'a fox' }, { jobId: 'a:b' }))).toMatch(/contains ":"/)
      expect(String(await refusal({ prompt: 'a fox' }, { priority: 1.5 }))).toMatch(/priority/)
      // A mistyped jobId would be a random id: the same request enqueued twice would be two jobs and two charges.
      const mistyped = await refusal({ prompt: 'a fox' }, { jobID: 'msg-1' } as never)
      expect(mistyped).toBeInstanceOf(ValidationError)
      expect(String(mistyped)).toMatch(/Unknown enqueue option jobID \(did you mean jobId\?\) — the options are jobId, userId, chatId, priority; nothing was enqueued/)
      // The options as a bare id, or null: refused, never a random id.
      expect(String(await refusal({ prompt: 'a fox' }, 'req-9' as never))).toMatch(/Expected the enqueue options to be an object such as \{ jobId: 'req-9' \}, got string; nothing was enqueued/)
      expect(await refusal({ prompt: 'a fox' }, null as never)).toBeInstanceOf(ValidationError)
      // A wait option a worker could not use: refused now, not after the worker paid for the create.
      expect(String(await refusal({ prompt: 'a fox', timeoutMs: -5 }))).toMatch(/wait options.*timeoutMs/)
      expect(String(await refusal({ prompt: 'a fox', maxPollFailures: 1.5 }))).toMatch(/maxPollFailures/)
      expect(await generations.queue.count()).toBe(0)
      // The queue's and the worker's own options: a typo is refused before anything connects; a client option is pointed to clientOptions.
      await expect(createGenerationQueue({ connection: connection(), jobOptions: { attempt: 1 } as never })).rejects.toThrow(/Unknown jobOptions option attempt \(did you mean attempts\?\)/)
      await expect(createGenerationQueue({ connection: connection(), nmae: 'x' } as never)).rejects.toThrow(ImaConfigError)
      const journal = new UnstorageTaskJournal(storage as Storage)
      await expect(createGenerationWorker({ connection: connection(), clientOptions: { apiKey: KEY, journal }, concurency: 8 } as never)).rejects.toThrow(/Unknown createGenerationWorker option concurency \(did you mean concurrency\?\)/)
      await expect(createGenerationWorker({ connection: connection(), clientOptions: { apiKey: KEY, journal }, maxCredits: 10 } as never)).rejects.toThrow(/option maxCredits — .*; maxCredits is an option of the client: put it in clientOptions/)
    },
    TIMEOUT_MS,
  )
})
