/**
 * A {@link BudgetStore} in Redis, so that every process and bot instance
 * sharing one Redis (and one prefix) shares one ceiling: two creates reserved
 * at the same moment in two processes never together pass `maxCredits`.
 *
 * Each operation is one Lua script, because Redis runs a script atomically:
 * no other client's command runs between the check "every counter has room"
 * and the increments, which is what makes the ceiling hold across processes
 * (a GET-then-INCRBY from JavaScript would let two processes both see room).
 *
 * Only the TYPE of ioredis is imported, so loading this module does not load
 * ioredis: the caller brings its own client (ioredis is an optional peer).
 */
import type { Cluster, Redis } from 'ioredis'
import type { BudgetCounter, BudgetReservation, BudgetSettlement, BudgetStore, BudgetVerdict } from '../stores/budget-store.js'
import { checkStoreOptions } from '../internal/did-you-mean.js'

/**
 * Options of {@link RedisBudgetStore}.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis'
 * const options: RedisBudgetStoreOptions = { redis: new Redis(process.env.REDIS_URL!), prefix: 'bot:budget:' }
 * ```
 * @public
 */
export interface RedisBudgetStoreOptions {
  /**
   * An ioredis client (a `Redis`, or a `Cluster`). The store only sends
   * scripts and commands on it; connecting, reconnecting and `quit()` stay
   * the caller's.
   */
  redis: Redis | Cluster
  /**
   * Put before every key. Clients share a budget when they share the Redis
   * and the prefix. On a Redis Cluster every key of one operation must lie
   * in one slot: give a prefix with a hash tag, e.g. `'{ima-budget}:'`.
   * @defaultValue `'ima:budget:'`
   */
  prefix?: string | undefined
}

/**
 * How long a reservation's record is kept open when it is never closed (its
 * process died between reserve and answer, or an `uncertain` create's late
 * answer never came). A create is answered within minutes; after a day
 * nobody settles it any more, and a settle that finds no record keeps the
 * cost counted — the safe way round for a ceiling.
 */
const RESERVATION_TTL_MS = 86_400_000

/**
 * KEYS[1]: the reservation's hash; KEYS[2..n+1]: the n counters.
 * ARGV[1]: cost; ARGV[2]: the reservation record's TTL; ARGV[3..n+2]: each
 * counter's maxCredits; ARGV[n+3..2n+2]: each counter's keepUntil (ms since
 * the epoch) or '' (kept for ever).
 * Returns { 0 } when reserved, or { index of the refusing counter (1-based),
 * its remaining as a string } — a Lua number would be cut to an integer on
 * its way out of Redis.
 */
const RESERVE = `
local cost = tonumber(ARGV[1])
local n = #KEYS - 1
-- First every check, then every write: a refusal leaves nothing behind.
for i = 2, #KEYS do
  local used = tonumber(redis.call('GET', KEYS[i]) or '0')
  local remaining = tonumber(ARGV[i + 1]) - used
  if cost > remaining then
    if remaining < 0 then remaining = 0 end
    return { i - 1, string.format('%.17g', remaining) }
  end
end
local names = {}
for i = 2, #KEYS do
  -- INCRBYFLOAT, not INCRBY: the interface does not promise whole points, and MemoryBudgetStore counts any number.
  redis.call('INCRBYFLOAT', KEYS[i], ARGV[1])
  -- A window's counter goes away once its window (and a margin) has passed.
  local keepUntil = ARGV[n + i + 1]
  if keepUntil ~= '' then redis.call('PEXPIREAT', KEYS[i], keepUntil) end
  names[#names + 1] = KEYS[i]
end
redis.call('HSET', KEYS[1], 'cost', ARGV[1], 'keys', cjson.encode(names))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return { 0 }
`

/**
 * KEYS[1]: the reservation's hash; KEYS[2..]: its counters, as read from the
 * hash just before (a Cluster must be told every key a script touches).
 * ARGV[1]: the outcome, `spent` or `released` (`uncertain` never gets here);
 * ARGV[2]: the counters' JSON as read.
 * Returns 0 when there was no open reservation (closed already, or unknown),
 * -1 when the record changed since it was read (read it again), 1 when settled.
 */
const SETTLE = `
local record = redis.call('HMGET', KEYS[1], 'cost', 'keys')
if not record[1] then return 0 end
if record[2] ~= ARGV[2] then return -1 end
-- Closed for good whatever the outcome: a second settle finds nothing and is a no-op.
redis.call('DEL', KEYS[1])
if ARGV[1] ~= 'released' then return 1 end
local cost = tonumber(record[1])
for i = 2, #KEYS do
  local used = tonumber(redis.call('GET', KEYS[i]) or '0')
  -- Never below 0; a counter already gone (its window passed) is not brought back without a TTL.
  if used > 0 then
    local back = cost
    if back > used then back = used end
    redis.call('INCRBYFLOAT', KEYS[i], string.format('%.17g', -back))
  end
end
return 1
`

/**
 * KEYS: the counters; ARGV: each one's maxCredits. Returns the least
 * remaining (never below 0) as a string, for the same reason as RESERVE.
 */
const REMAINING = `
local least = nil
for i = 1, #KEYS do
  local remaining = tonumber(ARGV[i]) - tonumber(redis.call('GET', KEYS[i]) or '0')
  if remaining < 0 then remaining = 0 end
  if least == nil or remaining < least then least = remaining end
end
return string.format('%.17g', least)
`

/** A number a script answered as text (`%.17g`): Lua writes Infinity as `inf`. */
function fromLua(text: string | undefined): number {
  return text === 'inf' ? Number.POSITIVE_INFINITY : Number(text)
}

/**
 * A budget store shared through Redis: every client given a
 * `RedisBudgetStore` on the same Redis and prefix counts against the same
 * ceilings, across processes and machines. Behaves exactly as
 * `MemoryBudgetStore`: a reservation counts from `reserve` until it is
 * settled `released`; `spent` keeps it counted for good; `uncertain` keeps
 * it counted and open, for a late answer to settle it `spent` or
 * `released`; settling a closed reservation, or an unknown id, does nothing.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis'
 * import { ImaClient } from 'ima-open-sdk'
 * import { RedisBudgetStore } from 'ima-open-sdk/queue'
 *
 * const redis = new Redis(process.env.REDIS_URL!)
 * // Every worker running this shares the 500 points.
 * const ima = new ImaClient({ maxCredits: 500, budgetStore: new RedisBudgetStore({ redis }) })
 * ```
 * @public
 */
export class RedisBudgetStore implements BudgetStore {
  readonly #redis: Redis | Cluster
  readonly #prefix: string

  /**
   * @example
   * ```ts
   * const store = new RedisBudgetStore({ redis: new Redis(), prefix: 'staging:budget:' })
   * ```
   */
  constructor(options: RedisBudgetStoreOptions) {
    checkStoreOptions(options, ['redis', 'prefix'] satisfies (keyof RedisBudgetStoreOptions)[], 'RedisBudgetStore')
    const redis = (options as Partial<RedisBudgetStoreOptions> | undefined)?.redis
    // A URL or nothing here would pass until the first create, then look like an outage.
    if (typeof redis !== 'object' || redis === null || typeof (redis as { eval?: unknown }).eval !== 'function') {
      throw new TypeError(`Expected new RedisBudgetStore({ redis }) with an ioredis Redis or Cluster (new Redis(url)), got ${redis === undefined ? 'no redis' : typeof redis === 'string' ? 'a string — make it new Redis(url)' : `${typeof redis === 'object' ? 'an object' : `a ${typeof redis}`} without eval()`}`)
    }
    if (options.prefix !== undefined && typeof options.prefix !== 'string') throw new TypeError(`Expected prefix to be a string, got ${typeof options.prefix}`)
    this.#redis = options.redis
    this.#prefix = options.prefix ?? 'ima:budget:'
  }

  // Counters and reservations apart, so no limit name can collide with a reservation id.
  #counterKey(key: string): string {
    return `${this.#prefix}counter:${key}`
  }

  #reservationKey(id: string): string {
    return `${this.#prefix}reservation:${id}`
  }

  /**
   * Sets `cost` aside under every counter if each has room, else nothing.
   *
   * @example
   * ```ts
   * const verdict = await store.reserve({ id: 'ref-1', cost: 6, counters: [{ key: 'app', maxCredits: 50 }] })
   * if (!verdict.ok) console.log(`${verdict.key} has ${verdict.remaining} points left`)
   * ```
   */
  async reserve(reservation: BudgetReservation): Promise<BudgetVerdict> {
    const { counters, cost } = reservation
    const keys = [this.#reservationKey(reservation.id), ...counters.map((counter) => this.#counterKey(counter.key))]
    const args = [
      String(cost),
      String(RESERVATION_TTL_MS),
      ...counters.map((counter) => String(counter.maxCredits)),
      ...counters.map((counter) => (counter.keepUntil === undefined ? '' : String(Math.ceil(counter.keepUntil)))),
    ]
    const answer = (await this.#redis.eval(RESERVE, keys.length, ...keys, ...args)) as [number, string?]
    const refusing = answer[0] === 0 ? undefined : counters[answer[0] - 1]
    if (refusing === undefined) return { ok: true }
    return { ok: false, key: refusing.key, remaining: fromLua(answer[1]) }
  }

  /**
   * Ends a reservation: `released` gives its cost back and `spent` keeps it
   * counted, both for good; `uncertain` keeps it counted and open, for a
   * late answer to settle it again. A closed reservation, or an unknown id,
   * is a no-op.
   *
   * @example
   * ```ts
   * await store.settle('ref-1', 'uncertain') // no answer: still counted, still open
   * await store.settle('ref-1', 'released') // the late answer proved it was not created: the points are free again
   * ```
   */
  async settle(id: string, outcome: BudgetSettlement): Promise<void> {
    // Uncertain changes nothing: the cost stays counted and the record stays open (as MemoryBudgetStore) — no round trip needed.
    if (outcome === 'uncertain') return
    const reservationKey = this.#reservationKey(id)
    // The script must be given every key it touches (a Cluster routes by them), and only the record knows the counters: read it first.
    // The script then checks the record is still the one read, so the read and the settle act as one.
    for (;;) {
      const stored = await this.#redis.hget(reservationKey, 'keys')
      if (stored === null) return
      const counterKeys = JSON.parse(stored) as string[]
      const keys = [reservationKey, ...counterKeys]
      const answer = (await this.#redis.eval(SETTLE, keys.length, ...keys, outcome, stored)) as number
      if (answer !== -1) return
    }
  }

  /**
   * Points still free under every counter (the least of them); Infinity for none.
   *
   * @example
   * ```ts
   * await store.remaining([{ key: 'app', maxCredits: 50 }]) // 44 after one create of 6
   * ```
   */
  async remaining(counters: readonly BudgetCounter[]): Promise<number> {
    // Lua has no Infinity to return: no counters, no limit, answered here.
    if (counters.length === 0) return Number.POSITIVE_INFINITY
    const keys = counters.map((counter) => this.#counterKey(counter.key))
    const answer = (await this.#redis.eval(REMAINING, keys.length, ...keys, ...counters.map((counter) => String(counter.maxCredits)))) as string
    return fromLua(answer)
  }
}
