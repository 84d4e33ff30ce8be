/**
 * A {@link LeaseStore} in Redis, so that `maxCreatesInFlight` holds across
 * every process sharing one Redis (and one prefix), not per process.
 *
 * The slots of a key are one sorted set: member = lease id, score = when the
 * lease expires (ms, by the Redis server's clock). Taking a slot is one Lua
 * script — drop the expired, count, add — run atomically by Redis, so two
 * processes can never both take the last slot.
 *
 * Only the TYPE of ioredis is imported, so loading this module does not load
 * ioredis: the caller brings its own client (ioredis is an optional peer).
 */
import type { Cluster, Redis } from 'ioredis'
import type { LeaseStore } from '../stores/budget-store.js'
import { checkStoreOptions } from '../internal/did-you-mean.js'

/**
 * Options of {@link RedisLeaseStore}.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis'
 * const options: RedisLeaseStoreOptions = { redis: new Redis(process.env.REDIS_URL!), prefix: 'bot:lease:' }
 * ```
 * @public
 */
export interface RedisLeaseStoreOptions {
  /**
   * An ioredis client (a `Redis`, or a `Cluster`). The store only sends
   * scripts and commands on it; connecting, reconnecting and `quit()` stay
   * the caller's.
   */
  redis: Redis | Cluster
  /**
   * Put before every key. Clients share slots when they share the Redis and
   * the prefix (and the lease key the client uses).
   * @defaultValue `'ima:lease:'`
   */
  prefix?: string | undefined
}

/** How long the set outlives its longest lease: a set nobody touches again goes away by itself. */
const SET_MARGIN_MS = 1_000

/**
 * KEYS[1]: the key's sorted set. ARGV[1]: lease id; ARGV[2]: limit;
 * ARGV[3]: leaseMs; ARGV[4]: how long the set outlives its longest lease.
 * Returns 1 when the slot is held (taken now or already), 0 when none is free.
 */
const ACQUIRE = `
-- Redis before 5 replicates scripts verbatim and refuses writes after TIME unless told to replicate effects.
if redis.replicate_commands then pcall(redis.replicate_commands) end
-- The server's clock, not the caller's: processes whose clocks disagree still agree on which leases expired.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
-- A lease whose expiry has come is free (as in MemoryLeaseStore: expired when until <= now).
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
-- The same id again is the same slot (its expiry is not extended, as in MemoryLeaseStore).
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], math.ceil(tonumber(last[2]) + tonumber(ARGV[4])))
return 1
`

/**
 * A lease store shared through Redis: at most `limit` slots held at once
 * under a key, across every process given a `RedisLeaseStore` on the same
 * Redis and prefix. A slot is held until released or until `leaseMs` passes
 * by the Redis server's clock, so a process that died frees its slots.
 * Behaves exactly as `MemoryLeaseStore`.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis'
 * import { ImaClient } from 'ima-open-sdk'
 * import { RedisLeaseStore } from 'ima-open-sdk/queue'
 *
 * const redis = new Redis(process.env.REDIS_URL!)
 * // At most 2 creates in flight across every worker running this.
 * const ima = new ImaClient({ maxCreatesInFlight: 2, leaseStore: new RedisLeaseStore({ redis }) })
 * ```
 * @public
 */
export class RedisLeaseStore implements LeaseStore {
  readonly #redis: Redis | Cluster
  readonly #prefix: string

  /**
   * @example
   * ```ts
   * const store = new RedisLeaseStore({ redis: new Redis(), prefix: 'staging:lease:' })
   * ```
   */
  constructor(options: RedisLeaseStoreOptions) {
    checkStoreOptions(options, ['redis', 'prefix'] satisfies (keyof RedisLeaseStoreOptions)[], 'RedisLeaseStore')
    const redis = (options as Partial<RedisLeaseStoreOptions> | undefined)?.redis
    // A URL or nothing here would pass until the first create, then look like an outage.
    if (typeof redis !== 'object' || redis === null || typeof (redis as { eval?: unknown }).eval !== 'function') {
      throw new TypeError(`Expected new RedisLeaseStore({ redis }) with an ioredis Redis or Cluster (new Redis(url)), got ${redis === undefined ? 'no redis' : typeof redis === 'string' ? 'a string — make it new Redis(url)' : `${typeof redis === 'object' ? 'an object' : `a ${typeof redis}`} without eval()`}`)
    }
    if (options.prefix !== undefined && typeof options.prefix !== 'string') throw new TypeError(`Expected prefix to be a string, got ${typeof options.prefix}`)
    this.#redis = options.redis
    this.#prefix = options.prefix ?? 'ima:lease:'
  }

  /**
   * Takes a slot when fewer than `limit` are held (or `id` holds one
   * already); false when none is free — try again later.
   *
   * @example
   * ```ts
   * if (await store.acquire({ key: 'creates', id: 'ref-1', limit: 2, leaseMs: 120_000 })) {
   *   try { await send() } finally { await store.release('creates', 'ref-1') }
   * }
   * ```
   */
  async acquire(lease: { key: string; id: string; limit: number; leaseMs: number }): Promise<boolean> {
    const answer = await this.#redis.eval(ACQUIRE, 1, this.#prefix + lease.key, lease.id, String(lease.limit), String(lease.leaseMs), String(SET_MARGIN_MS))
    return answer === 1
  }

  /**
   * Frees the slot; nothing happens when it expired already.
   *
   * @example
   * ```ts
   * await store.release('creates', 'ref-1')
   * ```
   */
  async release(key: string, id: string): Promise<void> {
    // One ZREM is atomic by itself: no script needed. The last member removed takes the set with it.
    await this.#redis.zrem(this.#prefix + key, id)
  }
}
