/**
 * Stores several processes share, so that a credit ceiling and a limit of
 * creates in flight hold across every bot instance and worker: Redis
 * implementations of `BudgetStore` and `LeaseStore`. Import from
 * `ima-open-sdk/queue`; bring your own ioredis client (an optional peer
 * dependency — this entry point does not load ioredis itself).
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis'
 * import { ImaClient } from 'ima-open-sdk'
 * import { RedisBudgetStore, RedisLeaseStore } from 'ima-open-sdk/queue'
 *
 * const redis = new Redis(process.env.REDIS_URL!)
 * const ima = new ImaClient({
 *   maxCredits: 500,
 *   budgetStore: new RedisBudgetStore({ redis }),
 *   maxCreatesInFlight: 2,
 *   leaseStore: new RedisLeaseStore({ redis }),
 * })
 * ```
 *
 * It also holds a BullMQ generation queue (bullmq is an optional peer too,
 * loaded only when a queue, a worker or a QueueEvents is made):
 * `createGenerationQueue` in the web process, `createGenerationWorker` in
 * the workers, `waitForJob` / `onJobProgress` to follow a job. Each job pays
 * for one create, even when its worker is killed and another takes it over.
 *
 * @example
 * ```ts
 * import { createGenerationQueue, waitForJob } from 'ima-open-sdk/queue'
 *
 * const generations = await createGenerationQueue({ connection: { host: 'localhost', port: 6379 } })
 * const jobId = await generations.enqueue({ prompt: 'a red fox' }, { jobId: `msg-${message.id}` })
 * const { url } = await waitForJob({ host: 'localhost', port: 6379 }, generations, jobId)
 * ```
 *
 * @packageDocumentation
 */
export { RedisBudgetStore, type RedisBudgetStoreOptions } from './redis-budget-store.js'
export { RedisLeaseStore, type RedisLeaseStoreOptions } from './redis-lease-store.js'
export type {
  BudgetCounter,
  BudgetLimit,
  BudgetReservation,
  BudgetSettlement,
  BudgetStore,
  BudgetVerdict,
  BudgetWindow,
  LeaseStore,
} from '../stores/budget-store.js'
export { generationRef } from './generation-ref.js'
export {
  createGenerationQueue,
  DEFAULT_GENERATION_QUEUE_NAME,
  GENERATION_JOB_NAME,
  type EnqueueOptions,
  type GenerationCreated,
  type GenerationCreating,
  type GenerationJobData,
  type GenerationJobOptions,
  type GenerationJobParams,
  type GenerationJobResult,
  type GenerationJobState,
  type GenerationProgress,
  type GenerationQueue,
  type GenerationQueueOptions,
} from './generation-queue.js'
export { createGenerationWorker, type GenerationWorker, type GenerationWorkerOptions } from './generation-worker.js'
export { waitForJob, onJobProgress, GenerationJobError, type GenerationJobErrorKind, type WaitForJobOptions } from './job-events.js'
