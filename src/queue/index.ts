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
