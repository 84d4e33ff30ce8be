/**
 * 7. The generation queue's overhead per job: the same generations through
 * BullMQ (`createGenerationQueue` + one `createGenerationWorker` in this
 * process, a throw-away redis-server) and as direct `ima.generate()` calls at
 * the worker's concurrency, against `startImaServer()`. Per job: the time
 * from enqueue to its result (`waitForJob`) against the time of one direct
 * call, and the whole run's wall time. What the queue adds: Redis round
 * trips (the job, its two data writes, the lock, the events), the journal in
 * Redis, and BullMQ's scheduling.
 *
 * Runs alone after a build: `npx tsx bench/queue.ts` (needs redis-server on PATH).
 */
import { fileURLToPath } from 'node:url'
import { createStorage } from 'unstorage'
import redisDriver from 'unstorage/drivers/redis'
import { redisServerOnPath, startRedisServer } from '../test/support/redis-server.js'
import { fixed, importDist, median, printTable, requireBuild } from './lib/stats.js'

const TASK_DURATION_MS = 500
const JOBS = 48
const CONCURRENCY = 8

export async function queueOverhead(): Promise<void> {
  console.log(`7. Queue overhead: ${JOBS} generations through BullMQ (one worker, concurrency ${CONCURRENCY}) beside ${JOBS} direct ima.generate() calls (tasks take ${TASK_DURATION_MS} ms)`)
  if (!redisServerOnPath()) {
    console.log('   skipped: redis-server is not on PATH (apt-get install redis-server)')
    return
  }
  requireBuild('dist/index.js', 'dist/testing/index.js', 'dist/queue/index.js')
  const { ImaClient, UnstorageTaskJournal } = await importDist.main()
  const { startImaServer } = await importDist.testing()
  const { createGenerationQueue, createGenerationWorker, waitForJob } = await importDist.queue()
  const server = await startImaServer({ taskDurationMs: TASK_DURATION_MS })
  const redis = await startRedisServer()
  const connection = { host: '127.0.0.1', port: redis.port }
  const storage = createStorage({ driver: redisDriver({ url: redis.url, base: 'bench-journal' }) })
  const { QueueEvents } = await import('bullmq')
  const events = new QueueEvents('ima-bench', { connection })
  const queue = await createGenerationQueue({ connection, name: 'ima-bench' })
  const worker = await createGenerationWorker({ clientOptions: { ...server.clientOptions, journal: new UnstorageTaskJournal(storage) }, connection, name: 'ima-bench', concurrency: CONCURRENCY })
  try {
    await worker.worker.waitUntilReady()
    await events.waitUntilReady()
    const params = { model: 'NB2', size: '1K' }

    const queued: number[] = []
    let started = performance.now()
    await Promise.all(
      Array.from({ length: JOBS }, async (_, index) => {
        const begun = performance.now()
        const jobId = await queue.enqueue({ ...params, prompt: `queued ${index}` })
        await waitForJob(events, queue, jobId, { timeoutMs: 120_000 })
        queued.push(performance.now() - begun)
      }),
    )
    const queuedWall = performance.now() - started

    const direct: number[] = []
    const ima = new ImaClient(server.clientOptions)
    let next = 0
    started = performance.now()
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < JOBS) {
          next += 1
          const begun = performance.now()
          await ima.generate({ ...params, prompt: `direct ${next}` })
          direct.push(performance.now() - begun)
        }
      }),
    )
    const directWall = performance.now() - started
    // A queued job also waits for a free worker slot, as a direct call waits for its turn in the pool: compare the wall times too.
    printTable(
      ['', 'through the queue', 'direct generate()', 'queue − direct'],
      [
        ['median per job, ms (queued: enqueue → result, with its wait for a worker slot; direct: one call)', fixed(median(queued), 0), fixed(median(direct), 0), '—'],
        ['whole run, ms', fixed(queuedWall, 0), fixed(directWall, 0), `${fixed(queuedWall - directWall, 0)} (${fixed((queuedWall - directWall) / JOBS, 1)} per job)`],
        ['generations per minute', fixed((JOBS / queuedWall) * 60_000, 0), fixed((JOBS / directWall) * 60_000, 0), `${fixed(directWall / queuedWall)}×`],
      ],
    )
  } finally {
    await worker.close()
    await queue.close()
    await events.close()
    await storage.dispose()
    await redis.stop()
    await server.close()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await queueOverhead()
