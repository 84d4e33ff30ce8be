/**
 * `ima batch --queue` and `ima worker` through the bundled `ima`
 * (ima-process.ts), on a real redis-server, against a local IMA server:
 * two worker processes share a 12-line batch (exactly 12 creates, both
 * did some), the same command again creates nothing, a deleted summary
 * finds the same jobs again, Ctrl-C leaves the jobs to the workers, a job
 * failed by a budget (nothing created) is retried while one whose create's
 * outcome is unknown never is. Proven by the server's own record of
 * creates. The rules of a failed job are also checked on their own.
 */
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Queue, UnrecoverableError, Worker } from 'bullmq'
import { Redis } from 'ioredis'
import { createStorage } from 'unstorage'
import redisDriver from 'unstorage/drivers/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startImaServer, type ImaServer } from 'ima-open-sdk/testing'
import { UnstorageTaskJournal } from '../../src/index.js'
import { generationRef, type GenerationJobData } from '../../src/queue/index.js'
import { readGenerationRef } from '../../src/queue/generation-ref.js'
import { batchJobPrefix, judgeFailedJob, parseRedisUrl, JOURNAL_BASE } from '../../src/cli/batch/queue-runner.js'
import { parseBatch } from '../../src/cli/batch/items.js'
import { CliUsageError } from '../../src/cli/errors.js'
import { wordsFor } from '../../src/cli/messages.js'
import type { JournalEntry } from '../../src/stores/task-journal.js'
import { hasRedisServerFor, startRedisServer, type RedisServer } from '../support/redis-server.js'
import { startCountingProxy } from '../support/counting-proxy.js'
import { prepareIma, type ImaProcess } from './ima-process.js'
import { cleanEnv, startIma, type Run } from './run-ima.js'

/** Child processes on maybe 2 loaded cores, a Redis and a server: room for that. */
const TIMEOUT_MS = 120_000
const CREATE = '/open/v1/tasks/create'
const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m

describe('what a failed job proves (judgeFailedJob)', () => {
  const ref = 'bullmq:q:batch-x-1-k'
  const entry = (state: JournalEntry['state'], taskId?: string): JournalEntry => ({
    ref,
    state,
    ...(taskId ? { taskId } : {}),
    taskType: 'text_to_image',
    model: { id: 'm', name: 'M', version: '1' },
    attributeId: 1,
    credit: 5,
    n: 1,
    totalCredit: 5,
    parameters: {},
    baseURL: 'http://127.0.0.1',
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
  })
  const creating = { params: { prompt: 'p' }, ima: { phase: 'creating' as const, ref, worker: 'w' } }
  const judge = (data: GenerationJobData, failedReason: string, found?: JournalEntry) => judgeFailedJob({ data, failedReason }, ref, async () => found)

  it('retries what never reached a create, and what has a task (the retry only waits for it)', async () => {
    await expect(judge({ params: { prompt: 'p' } }, 'connection lost')).resolves.toMatchObject({ retry: true, taskId: undefined })
    const created = { params: { prompt: 'p' }, ima: { phase: 'created' as const, ref, taskId: 'task_1', credit: 5, totalCredit: 5, model: { id: 'm', name: 'M', version: '1' }, createdAt: 0, worker: 'w' } }
    await expect(judge(created, 'TaskFailedError: …')).resolves.toMatchObject({ retry: true, taskId: 'task_1' })
    await expect(judge(creating, 'timeout', entry('created', 'task_2'))).resolves.toMatchObject({ retry: true, taskId: 'task_2' })
  })

  it("retries a create the journal says was refused, or one refused before any task (a budget); never one that may be charged", async () => {
    await expect(judge(creating, 'RateLimitError', entry('refused'))).resolves.toMatchObject({ retry: true, taskId: undefined })
    await expect(judge(creating, 'BudgetExceededError: over maxCredits (job …; not retried: a retry would fail the same way)')).resolves.toMatchObject({ retry: true })
    await expect(judge(creating, `${ref}: this worker no longer holds the job's lock, so another may be running it; nothing was sent`)).resolves.toMatchObject({ retry: true })
    // Sent with no answer: the journal says intent or unknown, or (another journal, a stall) nothing proves either way.
    await expect(judge(creating, `${ref}: the create's outcome is unknown …`, entry('unknown'))).resolves.toMatchObject({ retry: false })
    await expect(judge(creating, 'BudgetExceededError: …', entry('intent'))).resolves.toMatchObject({ retry: false })
    await expect(judge(creating, `${ref}: the create's outcome is unknown …`)).resolves.toMatchObject({ retry: false })
    await expect(judge(creating, 'job stalled more than allowable limit')).resolves.toMatchObject({ retry: false })
  })

  it('reads a generation job ref back as generationRef writes it, and nothing else as one', () => {
    expect(readGenerationRef(generationRef('pictures', 'batch-1f2e-3-9a'))).toEqual({ queue: 'pictures', jobId: 'batch-1f2e-3-9a' })
    expect(readGenerationRef(generationRef('pictures', 'request:7f3a'))).toEqual({ queue: 'pictures', jobId: 'request:7f3a' })
    // A queue under a key prefix of its own (a tenant's) keeps it, encoded; BullMQ's default 'bull' is the short form.
    expect(generationRef('pictures', 'req-1', 'bull')).toBe('bullmq:pictures:req-1')
    expect(generationRef('pictures', 'req-1', 'tenant:a')).toBe('bullmq@tenant%3Aa:pictures:req-1')
    expect(readGenerationRef(generationRef('pictures', 'req-1', 'tenant:a'))).toEqual({ queue: 'pictures', jobId: 'req-1', prefix: 'tenant:a' })
    for (const other of ['batch-7d1c0b2e-5f7a-4c1e-9a3b-2d1e0f9c8b7a', 'bullmq:', 'bullmq:q:', 'chat:42', '', null, undefined]) expect(readGenerationRef(other), String(other)).toBeUndefined()
  })

  it('reads --queue as ioredis options, never showing the password', () => {
    const words = wordsFor('en').queue
    expect(parseRedisUrl('redis://127.0.0.1:6390', '--queue', words)).toEqual({ shown: 'redis://127.0.0.1:6390', connection: { host: '127.0.0.1', port: 6390 } })
    expect(parseRedisUrl('rediss://bot:s%3Ecret@cache.example:6380/2', '--queue', words)).toEqual({
      shown: 'rediss://bot@cache.example:6380/2',
      connection: { host: 'cache.example', port: 6380, username: 'bot', password: 's>cret', db: 2, tls: {} },
    })
    expect(parseRedisUrl('redis://[::1]', '--queue', words).connection).toEqual({ host: '::1', port: 6379 })
    for (const bad of ['localhost:6379', 'http://x:6379', 'redis://:hunter2@', 'redis://h/x']) {
      let error: unknown
      try {
        parseRedisUrl(bad, '--queue', words)
      } catch (caught) {
        error = caught
      }
      expect(error, bad).toBeInstanceOf(CliUsageError)
      expect((error as Error).message).not.toContain('hunter2')
    }
  })
})

describe('ima batch --queue and ima worker on a real redis-server', () => {
  if (!hasRedisServerFor('ima batch --queue and ima worker')) return

  let imaProcess: ImaProcess
  let redis: RedisServer
  let server: ImaServer
  let home: string
  let counter = 0
  /** Every child started, stopped in afterAll even when a test failed. */
  const children: { child: ReturnType<typeof startIma>['child']; done: Promise<Run> }[] = []
  /** Everything else opened here, closed in afterAll. */
  const closers: (() => Promise<unknown>)[] = []

  beforeAll(async () => {
    imaProcess = await prepareIma()
    redis = await startRedisServer()
    server = await startImaServer({ taskDurationMs: 300 })
    home = await mkdtemp(join(tmpdir(), 'ima-batch-queue-'))
  }, 60_000)

  afterAll(async () => {
    for (const { child, done } of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await done
    }
    for (const close of closers.reverse()) await close().catch(() => undefined)
    await server?.close()
    await redis?.stop()
    await imaProcess?.remove()
    if (home) await rm(home, { recursive: true, force: true })
  })

  function env(baseURL = server.url): NodeJS.ProcessEnv {
    return cleanEnv(home, { IMA_POLL_INTERVAL_MS: '50', IMA_API_KEY: server.apiKey, IMA_BASE_URL: baseURL, IMA_IM_BASE_URL: server.uploadURL })
  }

  function start(args: string[], cwd?: string, baseURL?: string): ReturnType<typeof startIma> {
    const started = startIma(imaProcess, args, env(baseURL), cwd)
    children.push(started)
    return started
  }

  function ima(args: string[], cwd: string): Promise<Run> {
    return start(args, cwd).done
  }

  /** An `ima worker` of `queueName`, once it printed its ready line. */
  async function worker(queueName: string, extra: string[] = [], baseURL?: string): Promise<ReturnType<typeof startIma>> {
    const started = start(['worker', '--queue', redis.url, '--queue-name', queueName, '--concurrency', '3', ...extra], undefined, baseURL)
    await until(async () => (/: ready — queue /.test(started.run.stderr) ? true : undefined), `the ready line of a worker of ${queueName}`, () => started.run.stderr)
    return started
  }

  /** SIGTERM: a worker stops taking jobs, lets its running ones finish, and exits 0. */
  async function stopWorkers(...workers: ReturnType<typeof startIma>[]): Promise<Run[]> {
    for (const one of workers) one.child.kill('SIGTERM')
    const stopped = await Promise.all(workers.map((one) => one.done))
    for (const run of stopped) expect(run.code, run.stderr).toBe(0)
    return stopped
  }

  /** Polls `probe` until it returns a value; fails naming `what` (and what the child said). */
  async function until<T>(probe: () => Promise<T | undefined>, what: string, said: () => string = () => '', deadlineMs = 60_000): Promise<T> {
    const end = Date.now() + deadlineMs
    while (Date.now() < end) {
      const value = await probe()
      if (value !== undefined) return value
      await new Promise((resolveTick) => setTimeout(resolveTick, 25))
    }
    throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}\n${said()}`)
  }

  async function workspace(lines: number): Promise<{ dir: string; tag: string; file: string }> {
    counter += 1
    const dir = join(home, `work-${counter}`)
    await mkdir(dir, { recursive: true })
    const tag = `q${counter}x${Date.now().toString(36)}`
    const file = join(dir, 'prompts.jsonl')
    await writeFile(file, `${Array.from({ length: lines }, (_, index) => JSON.stringify({ prompt: `${tag} fox number ${index + 1}` })).join('\n')}\n`)
    return { dir, tag, file }
  }

  /** The creates the server received for prompts with this tag. */
  function creates(tag: string): number {
    return server.requests.filter((request) => request.method === 'POST' && request.path === CREATE && JSON.stringify(request.body).includes(tag)).length
  }

  async function rows(file: string): Promise<{ line: number; state: string; task_id: string | null; ref: string | null; files: string[]; error: string | null }[]> {
    return (await readFile(`${file}.summary.jsonl`, 'utf8'))
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { line: number; state: string; task_id: string | null; ref: string | null; files: string[]; error: string | null })
  }

  /** A batch of `lines` on `queueName` with no worker yet, Ctrl-C'd once its jobs wait in the queue. */
  async function interruptedWithJobsWaiting(queueName: string, lines: number) {
    const { dir, tag, file } = await workspace(lines)
    const args = ['batch', file, '--queue', redis.url, '--queue-name', queueName, '--yes']
    // No worker yet: the jobs wait in the queue while the batch waits for them.
    const batch = start(args, dir)
    const queue = new Queue(queueName, { connection: { host: '127.0.0.1', port: redis.port } })
    closers.push(() => queue.close())
    await until(async () => ((await queue.getWaitingCount()) === lines ? true : undefined), `the ${lines} jobs in the queue`, () => batch.run.stderr)
    batch.child.kill('SIGINT')
    return { dir, tag, file, args, interrupted: await batch.done }
  }

  /** The per-job "done" lines of a worker. */
  const doneLines = (stderr: string) => stderr.split('\n').filter((line) => /^done batch-\w+-\d+-\w+ → task_\w+, 5 credits/.test(line))

  it(
    'two ima worker processes share a 12-line batch: exit 0, 12 files, 12 rows done, exactly 12 creates, both workers made some; then the same command again creates nothing',
    async () => {
      const started = Date.now()
      const queueName = 'shared'
      const [a, b] = [await worker(queueName), await worker(queueName)]
      for (const one of [a, b]) {
        expect(one.run.stderr).toMatch(new RegExp(`^ima worker \\S+:\\d+: ready — queue shared on ${redis.url.replace(/[./]/g, '\\$&')}, 3 jobs at a time, journal ima:journal, no budget of its own`, 'm'))
        expect(one.run.stderr).not.toContain(server.apiKey)
      }

      const { dir, tag, file } = await workspace(12)
      const args = ['batch', file, '--queue', redis.url, '--queue-name', queueName, '--yes', '--out', 'pictures']
      const run = await ima(args, dir)
      expect(run.code, run.stderr).toBe(0)
      expect(run.stderr).not.toMatch(STACK_LINE)
      expect(run.stderr).toContain('12 images to make, 60 credits in all; 0 already done')
      for (let index = 1; index <= 12; index += 1) expect(run.stderr).toMatch(new RegExp(`^\\[${index}/12\\] done task_\\w+ 5 credits → ${dir}/pictures/\\S+\\.png$`, 'm'))
      expect(run.stderr).toContain('12 of 12 done, 60 credits spent by this run')
      expect(run.stdout.trim()).toBe(`${file}.summary.jsonl`)

      expect(await readdir(join(dir, 'pictures'))).toHaveLength(12)
      const summary = await rows(file)
      expect(summary).toHaveLength(12)
      expect(summary.every((row) => row.state === 'done' && row.task_id !== null && row.files.length === 1)).toBe(true)
      expect(new Set(summary.map((row) => row.task_id)).size).toBe(12)
      // Each row names its job: bullmq:<queue>:batch-<hash of the summary path>-<line>-<key>.
      const prefix = batchJobPrefix(`${file}.summary.jsonl`)
      expect(summary.map((row) => row.ref)).toEqual(summary.map((row) => expect.stringMatching(new RegExp(`^bullmq:shared:${prefix}-${row.line}-[0-9a-f]{16}$`))))
      expect(creates(tag)).toBe(12)
      // Both workers made some: their lines per job (the job ids of this batch), 12 in all.
      const made = [a, b].map((one) => doneLines(one.run.stderr).filter((line) => line.includes(prefix)).length)
      expect(made[0], a.run.stderr).toBeGreaterThan(0)
      expect(made[1], b.run.stderr).toBeGreaterThan(0)
      expect((made[0] ?? 0) + (made[1] ?? 0)).toBe(12)

      // The same command again: every row is done, nothing is enqueued, nothing created (no Redis needed either).
      const again = await ima(args, dir)
      expect(again.code, again.stderr).toBe(0)
      expect(again.stderr).toContain('Nothing to create: 12 of 12 already done')
      expect(creates(tag)).toBe(12)

      // The summary deleted: the same job ids are made again, and BullMQ hands back the 12 completed jobs — no create.
      await rm(`${file}.summary.jsonl`)
      const fresh = await ima(args, dir)
      expect(fresh.code, fresh.stderr).toBe(0)
      expect(fresh.stderr).toContain('12 of 12 done, 0 credits spent by this run')
      expect(creates(tag)).toBe(12)
      expect(new Set((await rows(file)).map((row) => row.task_id))).toEqual(new Set(summary.map((row) => row.task_id)))
      expect(await readdir(join(dir, 'pictures'))).toHaveLength(12)

      for (const stopped of await stopWorkers(a, b)) expect(stopped.stderr).toMatch(/^Stopped: \d+ done, 0 failed by this worker\.$/m)
      console.log(`[batch-queue] 12 lines on 2 workers, run again twice: ${Date.now() - started} ms`)
    },
    TIMEOUT_MS,
  )

  it(
    'a Redis that lost its data (restarted empty, flushed): a line whose task the summary names is waited for again, never created twice',
    async () => {
      const queueName = 'forgetful'
      const { dir, tag, file } = await workspace(2)
      const args = ['batch', file, '--queue', redis.url, '--queue-name', queueName, '--yes', '--quiet']
      const first = await worker(queueName)
      expect((await ima(args, dir)).code).toBe(0)
      const paid = await rows(file)
      expect(creates(tag)).toBe(2)
      await stopWorkers(first)
      // As a run interrupted after its creates leaves it: the tasks known, the pictures not yet saved.
      await writeFile(`${file}.summary.jsonl`, paid.map((row) => `${JSON.stringify({ ...row, state: 'pending', files: [] })}\n`).join(''))
      const client = new Redis(redis.url)
      await client.flushall()
      await client.quit()

      const second = await worker(queueName)
      const again = await ima(args, dir)
      expect(again.code, again.stderr).toBe(0)
      expect(creates(tag)).toBe(2)
      const after = await rows(file)
      expect(after.map((row) => [row.state, row.task_id])).toEqual(paid.map((row) => ['done', row.task_id]))
      await stopWorkers(second)
    },
    TIMEOUT_MS,
  )

  it(
    'Ctrl-C stops waiting, the jobs go on in the workers, and the same command collects them: 3 creates in all',
    async () => {
      const queueName = 'interrupted'
      const { dir, tag, file, args, interrupted } = await interruptedWithJobsWaiting(queueName, 3)
      expect(interrupted.code, interrupted.stderr).toBe(130)
      expect(interrupted.stderr).toContain(`No ima worker is connected to the queue interrupted yet: its jobs wait until one starts (ima worker --queue ${redis.url} --queue-name interrupted on any machine that should make them)`)
      expect(interrupted.stderr).toContain('Interrupted: 0 of 3 done; 3 jobs go on in the workers of the queue interrupted')
      expect(interrupted.stderr).toContain(`Collect the results with the same command (it enqueues nothing twice): ima ${args.join(' ')}`)
      expect((await rows(file)).every((row) => row.state === 'pending' && row.ref?.startsWith('bullmq:interrupted:batch-'))).toBe(true)
      expect(creates(tag)).toBe(0)

      const one = await worker(queueName)
      const collected = await ima(args, dir)
      expect(collected.code, collected.stderr).toBe(0)
      expect(collected.stderr).not.toContain('No ima worker')
      expect((await rows(file)).every((row) => row.state === 'done')).toBe(true)
      expect(creates(tag)).toBe(3)
      await stopWorkers(one)
    },
    TIMEOUT_MS,
  )

  it(
    "a line changed while its job still waits: the old job is withdrawn, never made — only the new version is paid for",
    async () => {
      const queueName = 'changed'
      const { dir, tag, file, args, interrupted } = await interruptedWithJobsWaiting(queueName, 3)
      expect(interrupted.code).toBe(130)
      const [old] = (await rows(file)).filter((row) => row.line === 3)
      const oldJob = readGenerationRef(old?.ref ?? null)?.jobId ?? ''
      const lines = (await readFile(file, 'utf8')).trimEnd().split('\n')
      await writeFile(file, `${lines[0]}\n${lines[1]}\n${JSON.stringify({ prompt: `${tag} fox number 3, edited` })}\n`)

      // The worker starts once the run has looked at the old job: before, it would have taken it (and the run says so).
      const rerun = start(args, dir)
      const withdrawn = `Line 3's earlier job ${oldJob} was still waiting in the queue: withdrawn, so it is never made or charged`
      await until(async () => (rerun.run.stderr.includes(withdrawn) ? true : undefined), 'the withdrawal of the old job', () => rerun.run.stderr)
      const one = await worker(queueName)
      const again = await rerun.done
      expect(again.code, again.stderr).toBe(0)
      expect(again.stderr).not.toContain('ima tasks --unknown')
      await stopWorkers(one)
      const made = server.requests
        .filter((request) => request.method === 'POST' && request.path === CREATE && JSON.stringify(request.body).includes(tag))
        .map((request) => JSON.stringify(request.body).match(/fox number 3[^"]*/)?.[0])
        .filter(Boolean)
      expect(made).toEqual(['fox number 3, edited'])
      expect(creates(tag)).toBe(3)
    },
    TIMEOUT_MS,
  )

  it(
    'a Redis that goes away and comes back: one plain line each way, no ioredis traces',
    async () => {
      const own = await startRedisServer()
      closers.push(() => own.stop())
      const { dir, file } = await workspace(2)
      const batch = start(['batch', file, '--queue', own.url, '--queue-name', 'flaky', '--yes'], dir)
      const queue = new Queue('flaky', { connection: { host: '127.0.0.1', port: own.port } })
      await until(async () => ((await queue.getWaitingCount()) === 2 ? true : undefined), 'the 2 jobs in the queue', () => batch.run.stderr)
      await queue.close()
      await own.stop()
      const lost = `Lost the connection to the Redis at ${own.url} (`
      await until(async () => (batch.run.stderr.includes(lost) ? true : undefined), 'the lost-connection line', () => batch.run.stderr)
      const again = await startRedisServer(own.port)
      closers.push(() => again.stop())
      await until(async () => (batch.run.stderr.includes(`Connected to the Redis at ${own.url} again`) ? true : undefined), 'the reconnected line', () => batch.run.stderr)
      batch.child.kill('SIGINT')
      const run = await batch.done
      expect(run.code, run.stderr).toBe(130)
      expect(run.stderr.split(lost)).toHaveLength(2)
      expect(run.stderr).not.toContain('[ioredis]')
      expect(run.stderr).not.toMatch(STACK_LINE)
    },
    TIMEOUT_MS,
  )

  it(
    '--max-creates-in-flight 1 holds across two workers of 3 jobs each: the server never has two creates in flight, and all 6 are made',
    async () => {
      const queueName = 'lease'
      // Slow creates: without the shared limit, 6 would overlap 6 deep.
      server.injectFault({ path: CREATE, kind: 'delay', ms: 200, times: 6 })
      const proxy = await startCountingProxy(server.url)
      closers.push(() => proxy.close())
      const workers = [await worker(queueName, ['--max-creates-in-flight', '1'], proxy.url), await worker(queueName, ['--max-creates-in-flight', '1'], proxy.url)]
      for (const one of workers) expect(one.run.stderr).toContain(', at most 1 create in flight across the workers (Ctrl-C or SIGTERM to stop')
      const { dir, tag, file } = await workspace(6)
      const run = await ima(['batch', file, '--queue', redis.url, '--queue-name', queueName, '--yes'], dir)
      expect(run.code, run.stderr).toBe(0)
      expect(creates(tag)).toBe(6)
      expect(proxy.creates()).toBe(6)
      expect(proxy.maxInFlight()).toBe(1)
      await stopWorkers(...workers)
    },
    TIMEOUT_MS,
  )

  it(
    'jobs BullMQ removed (completed a day ago) are enqueued again unquoted and the worker resumes their tasks from the shared journal: no create, --max-credits not spent',
    async () => {
      const queueName = 'removed'
      const one = await worker(queueName)
      const { dir, tag, file } = await workspace(3)
      const args = ['batch', file, '--queue', redis.url, '--queue-name', queueName, '--yes']
      const first = await ima(args, dir)
      expect(first.code, first.stderr).toBe(0)
      expect(creates(tag)).toBe(3)
      const made = await rows(file)

      // As after removeOnComplete: the jobs are gone; and the batch never recorded them (its summary was lost).
      const queue = new Queue(queueName, { connection: { host: '127.0.0.1', port: redis.port } })
      closers.push(() => queue.close())
      for (const row of made) await (await queue.getJob(readGenerationRef(row.ref)?.jobId ?? ''))?.remove()
      expect(await queue.getJobCounts('completed', 'waiting', 'active')).toEqual({ completed: 0, waiting: 0, active: 0 })
      await rm(`${file}.summary.jsonl`)

      // A budget of 1 point: it would refuse 3 lines to create; these are paid for already, so nothing is quoted.
      const again = await ima([...args, '--max-credits', '1'], dir)
      expect(again.code, again.stderr).toBe(0)
      expect(again.stderr).toContain('3 of 3 done, 0 credits spent by this run')
      expect(creates(tag)).toBe(3)
      const resumed = await rows(file)
      expect(resumed.every((row) => row.state === 'done')).toBe(true)
      expect(resumed.map((row) => row.task_id)).toEqual(made.map((row) => row.task_id))
      await stopWorkers(one)
    },
    TIMEOUT_MS,
  )

  it(
    'a job failed by the workers’ shared --max-credits (nothing created) is retried by the next run under the same id: 3 creates for 3 lines',
    async () => {
      const queueName = 'budget'
      const { dir, tag, file } = await workspace(3)
      const args = ['batch', file, '--queue', redis.url, '--queue-name', queueName, '--yes']
      // 5 credits a line: the budget, counted in the Redis, lets 2 of the 3 creates through.
      const budgeted = await worker(queueName, ['--max-credits', '10'])
      expect(budgeted.run.stderr).toContain('at most 10 credits shared through the Redis')
      const first = await ima(args, dir)
      expect(first.code, first.stderr).toBe(1)
      expect(first.stderr).toContain('1 of 3 did not finish: 1 failed, 0 unknown')
      const failedRow = (await rows(file)).find((row) => row.state === 'failed')
      expect(failedRow?.error).toMatch(/^BudgetExceededError: /)
      expect(failedRow?.task_id).toBeNull()
      expect(creates(tag)).toBe(2)
      expect(budgeted.run.stderr).toMatch(/^failed batch-\S+: BudgetExceededError: /m)
      await stopWorkers(budgeted)

      // Its failure proves nothing was created: the next run retries that job (job.retry(), same id) on a worker without the budget.
      const free = await worker(queueName)
      const second = await ima(args, dir)
      expect(second.code, second.stderr).toBe(0)
      expect(second.stderr).toContain('1 image to make, 5 credits in all; 2 already done')
      expect((await rows(file)).every((row) => row.state === 'done')).toBe(true)
      expect(creates(tag)).toBe(3)
      expect(doneLines(free.run.stderr)).toHaveLength(1)
      await stopWorkers(free)
    },
    TIMEOUT_MS,
  )

  it(
    'a job whose create may have been charged (phase creating, journal unknown) is never retried: the line stays unknown, exit 1, no create',
    async () => {
      const queueName = 'unknown'
      const { dir, tag, file } = await workspace(1)
      const summaryPath = resolve(`${file}.summary.jsonl`)
      const parsed = parseBatch(await readFile(file, 'utf8'), { csv: false })
      if (!parsed.ok) throw new Error('the batch file does not parse')
      const jobId = `${batchJobPrefix(summaryPath)}-1-${parsed.items[0]?.key ?? ''}`
      const ref = generationRef(queueName, jobId)

      // What a worker leaves when its create's answer was lost: phase 'creating', the journal's 'unknown', an unrecoverable failure.
      const connection = { host: '127.0.0.1', port: redis.port }
      const storage = createStorage({ driver: redisDriver({ ...connection, base: JOURNAL_BASE }) })
      closers.push(async () => storage.dispose())
      const now = new Date().toISOString()
      await new UnstorageTaskJournal(storage).put({
        ref,
        state: 'unknown',
        taskType: 'text_to_image',
        model: { id: 'doubao-seedream-4.5', name: 'SeeDream 4.5', version: 'v' },
        attributeId: 1,
        credit: 5,
        n: 1,
        totalCredit: 5,
        parameters: {},
        baseURL: server.url,
        createdAt: now,
        updatedAt: now,
      })
      const queue = new Queue<GenerationJobData>(queueName, { connection })
      closers.push(() => queue.close())
      await queue.add('generate', { params: { prompt: `${tag} fox number 1` } }, { jobId, attempts: 3 })
      const crashed = new Worker<GenerationJobData>(
        queueName,
        async (job) => {
          await job.updateData({ ...job.data, ima: { phase: 'creating', ref, worker: 'lost-answer' } })
          throw new UnrecoverableError(`${ref}: the create's outcome is unknown, so it is never sent again and the job is not retried`)
        },
        { connection },
      )
      closers.push(() => crashed.close())
      await until(async () => ((await queue.getJob(jobId))?.failedReason ? true : undefined), 'the job to fail')
      await crashed.close()

      const run = await ima(['batch', file, '--queue', redis.url, '--queue-name', queueName, '--yes'], dir)
      expect(run.code, run.stderr).toBe(1)
      expect(run.stderr).toContain('Nothing to create: 0 of 1 already done')
      expect(run.stderr).toContain(`line 1: ref ${ref}`)
      expect(run.stderr).toContain('1 of 1 did not finish: 0 failed, 1 unknown')
      const [row] = await rows(file)
      expect(row).toMatchObject({ state: 'unknown', task_id: null, ref })
      expect(row?.error).toContain("the create's outcome is unknown")
      // Not retried: still failed, the same single attempt, and nothing reached the service.
      const job = await queue.getJob(jobId)
      expect(await job?.getState()).toBe('failed')
      expect(job?.attemptsMade).toBe(1)
      expect(creates(tag)).toBe(0)

      // The failed job removed (BullMQ drops failed jobs after a week): the journal still says unknown — never enqueued again.
      await job?.remove()
      const later = await ima(['batch', file, '--queue', redis.url, '--queue-name', queueName, '--yes'], dir)
      expect(later.code, later.stderr).toBe(1)
      expect(later.stderr).toContain('1 of 1 did not finish: 0 failed, 1 unknown')
      const [still] = await rows(file)
      expect(still).toMatchObject({ state: 'unknown', task_id: null, ref })
      expect(still?.error).toContain(`the shared journal says its create was sent with no answer (ref ${ref})`)
      expect(await queue.getJob(jobId)).toBeUndefined()
      expect(creates(tag)).toBe(0)
    },
    TIMEOUT_MS,
  )

  it(
    'refuses what it cannot do safely: ima worker without --queue or with a bad URL (exit 2), a Redis that is not there (exit 1), a queued summary run without --queue (exit 2)',
    async () => {
      const noQueue = await ima(['worker'], home)
      expect(noQueue.code, noQueue.stderr).toBe(2)
      expect(noQueue.stderr).toContain('ima worker needs --queue')
      const inChinese = await ima(['worker', '--language', 'zh'], home)
      expect(inChinese.code, inChinese.stderr).toBe(2)
      expect(inChinese.stderr).toContain('ima worker 需要 --queue')
      const badUrl = await ima(['worker', '--queue', 'redis://:hunter2@'], home)
      expect(badUrl.code, badUrl.stderr).toBe(2)
      expect(badUrl.stderr).not.toContain('hunter2')
      const badName = await ima(['worker', '--queue', redis.url, '--queue-name', 'a:b'], home)
      expect(badName.code, badName.stderr).toBe(2)
      expect(badName.stderr).toContain('--queue-name must be a name without ":"')
      const { dir, tag, file } = await workspace(2)
      const down = await ima(['batch', file, '--queue', 'redis://127.0.0.1:1', '--yes'], dir)
      expect(down.code, down.stderr).toBe(1)
      expect(down.stderr).toContain('Cannot reach the Redis at redis://127.0.0.1:1')

      // Rows that are jobs of a queue: a run without --queue never creates them itself.
      const summary = `${file}.summary.jsonl`
      const prefix = batchJobPrefix(summary)
      const parsed = parseBatch(await readFile(file, 'utf8'), { csv: false })
      if (!parsed.ok) throw new Error('the batch file does not parse')
      const queuedRows = parsed.items.map((item) => ({
        line: item.line,
        key: item.key,
        state: 'pending',
        task_id: null,
        ref: `bullmq:shared:${prefix}-${item.line}-${item.key}`,
        urls: [],
        files: [],
        credit: null,
        error: null,
        model: null,
        sent_at: null,
        updated_at: new Date().toISOString(),
      }))
      await writeFile(summary, queuedRows.map((row) => `${JSON.stringify(row)}\n`).join(''))
      const local = await ima(['batch', file, '--yes'], dir)
      expect(local.code, local.stderr).toBe(2)
      expect(local.stderr).toContain('Line 1 is a job of the queue shared')
      const otherName = await ima(['batch', file, '--queue', redis.url, '--queue-name', 'another', '--yes'], dir)
      expect(otherName.code, otherName.stderr).toBe(2)
      expect(otherName.stderr).toContain('--queue-name shared')
      expect(creates(tag)).toBe(0)
      expect(createHash('sha256').update(summary).digest('hex').slice(0, 12)).toBe(prefix.slice('batch-'.length))
    },
    TIMEOUT_MS,
  )
})
