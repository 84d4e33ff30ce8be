/**
 * Where a client counts credits against its limits, and where it holds the
 * slots of creates in flight: in memory for one client (the default), or in
 * a store several processes share (`RedisBudgetStore` and
 * `RedisLeaseStore` in `ima-open-sdk/queue`), so that a ceiling and a
 * concurrency limit hold across every bot instance and worker.
 *
 * The rule every store keeps: a reservation counts against each of its
 * limits from `reserve` until it is `released` — proven not created. A
 * create that was accepted (`spent`) or whose outcome is unknown
 * (`uncertain`) stays counted, so a cap holds even when the network loses
 * every answer.
 */

/** How long a limit counts before it starts again from zero. @public */
export type BudgetWindow = 'total' | 'day' | 'month'

/**
 * One ceiling a create counts against.
 *
 * @example
 * ```ts
 * const perUserPerMonth: BudgetLimit = { name: 'user', maxCredits: 500, window: 'month', per: 'user' }
 * ```
 * @public
 */
export interface BudgetLimit {
  /** The limit's name, part of its key in a shared store (`app`, `user`, `chat`…). */
  name: string
  /** Most points all creates under this limit may cost together in one window. */
  maxCredits: number
  /** When it starts again (UTC days and months). @defaultValue `'total'`: never */
  window?: BudgetWindow | undefined
  /**
   * One count per user (`userId` of the call) or per chat (`chatId`) instead
   * of one for all; a call without that id does not count against it.
   */
  per?: 'user' | 'chat' | undefined
}

/**
 * A create's cost set aside against the counters it falls under.
 *
 * @example
 * ```ts
 * const reservation: BudgetReservation = { id: 'ima-3b1c…', cost: 10, counters: [{ key: 'app', maxCredits: 50 }] }
 * ```
 * @public
 */
export interface BudgetReservation {
  /** Unique per create (the journal's ref). */
  id: string
  /** Points of the create: credit × n. */
  cost: number
  /** Each counter it falls under: its key (limit name, whose it is, window period) and ceiling. */
  counters: readonly BudgetCounter[]
}

/** One counter of a limit: `app`, `user:42@2026-12`, `chat:9@2026-12-02`. @public */
export interface BudgetCounter {
  /** The limit's name, whose it is and the window's period: what the store counts under. */
  key: string
  /** The ceiling of this counter, in points. */
  maxCredits: number
  /** Until when a shared store must keep it (ms since the epoch): a day past its window's end. `undefined`: for ever (`total`). */
  keepUntil?: number | undefined
}

/** What `reserve` answered: set aside under every counter, or refused by the first one without room. @public */
export type BudgetVerdict = { ok: true } | { ok: false; key: string; remaining: number }

/** How a reserved create ended. @public */
export type BudgetSettlement = 'spent' | 'released' | 'uncertain'

/**
 * Counts credits against limits, atomically: two creates reserved at the
 * same time (in any processes sharing the store) never together pass a
 * ceiling.
 * @public
 */
export interface BudgetStore {
  /** Sets `cost` aside under every counter if each has room, else nothing; never partly. */
  reserve(reservation: BudgetReservation): Promise<BudgetVerdict>
  /**
   * The create ended: `released` (proven not created) gives the cost back
   * and `spent` keeps it counted, both for good; `uncertain` keeps it
   * counted and the reservation open, for a late answer to settle it again.
   * Settling a reservation that is closed (or unknown) does nothing.
   */
  settle(id: string, outcome: BudgetSettlement): Promise<void>
  /** Points still free under every counter (the least of them); Infinity for none. */
  remaining(counters: readonly BudgetCounter[]): Promise<number>
}

/**
 * Slots for creates in flight, at most `limit` at once under a key, each
 * held until released or until `leaseMs` passes (a process that died does
 * not hold its slots for ever).
 * @public
 */
export interface LeaseStore {
  /** Takes a slot when fewer than `limit` are held; false when none is free (try again later). */
  acquire(lease: { key: string; id: string; limit: number; leaseMs: number }): Promise<boolean>
  /** Frees the slot; nothing happens when it expired already. */
  release(key: string, id: string): Promise<void>
}

/**
 * The counters a create falls under: each limit's key with whose it is and
 * the window's period (UTC), and until when a shared store must keep it.
 *
 * @example
 * ```ts
 * budgetCounters([{ name: 'user', maxCredits: 500, window: 'month', per: 'user' }], { userId: '42' }, Date.UTC(2026, 11, 2))
 * // [{ key: 'user:42@2026-12', maxCredits: 500, keepUntil: Date.UTC(2027, 0, 1) + 86_400_000 }]
 * ```
 */
export function budgetCounters(limits: readonly BudgetLimit[], call: { userId?: string | undefined; chatId?: string | undefined }, now: number): BudgetCounter[] {
  const counters: BudgetCounter[] = []
  const day = new Date(now)
  const [year, month, date] = [day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()]
  for (const limit of limits) {
    const whose = limit.per === 'user' ? call.userId : limit.per === 'chat' ? call.chatId : undefined
    if (limit.per !== undefined && (whose === undefined || whose === '')) continue
    const key = limit.per === undefined ? limit.name : `${limit.name}:${whose}`
    const window = limit.window ?? 'total'
    if (window === 'total') {
      counters.push({ key, maxCredits: limit.maxCredits })
      continue
    }
    const period = `${year}-${String(month + 1).padStart(2, '0')}${window === 'day' ? `-${String(date).padStart(2, '0')}` : ''}`
    const end = window === 'month' ? Date.UTC(year, month + 1, 1) : Date.UTC(year, month, date + 1)
    // A day past the window's end, for clocks a little apart.
    counters.push({ key: `${key}@${period}`, maxCredits: limit.maxCredits, keepUntil: end + 86_400_000 })
  }
  return counters
}

/**
 * The default budget store: this process's memory, for one client (or
 * several given the same instance). Atomic because JavaScript runs one
 * call at a time.
 *
 * @example
 * ```ts
 * const store = new MemoryBudgetStore()
 * const a = new ImaClient({ maxCredits: 100, budgetStore: store })
 * const b = new ImaClient({ maxCredits: 100, budgetStore: store }) // a and b share the 100
 * ```
 * @public
 */
export class MemoryBudgetStore implements BudgetStore {
  readonly #used = new Map<string, number>()
  readonly #reservations = new Map<string, { cost: number; keys: string[] }>()

  /** See {@link BudgetStore.reserve}. */
  async reserve(reservation: BudgetReservation): Promise<BudgetVerdict> {
    for (const { key, maxCredits } of reservation.counters) {
      const remaining = maxCredits - (this.#used.get(key) ?? 0)
      if (reservation.cost > remaining) return { ok: false, key, remaining: Math.max(0, remaining) }
    }
    for (const { key } of reservation.counters) this.#used.set(key, (this.#used.get(key) ?? 0) + reservation.cost)
    this.#reservations.set(reservation.id, { cost: reservation.cost, keys: reservation.counters.map((counter) => counter.key) })
    return { ok: true }
  }

  /** See {@link BudgetStore.settle}. */
  async settle(id: string, outcome: BudgetSettlement): Promise<void> {
    const reservation = this.#reservations.get(id)
    if (!reservation || outcome === 'uncertain') return
    this.#reservations.delete(id)
    if (outcome === 'spent') return
    for (const key of reservation.keys) this.#used.set(key, Math.max(0, (this.#used.get(key) ?? 0) - reservation.cost))
  }

  /** See {@link BudgetStore.remaining}. */
  async remaining(counters: readonly BudgetCounter[]): Promise<number> {
    let least = Number.POSITIVE_INFINITY
    for (const { key, maxCredits } of counters) least = Math.min(least, Math.max(0, maxCredits - (this.#used.get(key) ?? 0)))
    return least
  }
}

/**
 * The default lease store: slots in this process's memory.
 *
 * @example
 * ```ts
 * const ima = new ImaClient({ maxCreatesInFlight: 2, leaseStore: new MemoryLeaseStore() })
 * ```
 * @public
 */
export class MemoryLeaseStore implements LeaseStore {
  readonly #held = new Map<string, Map<string, number>>()

  /** See {@link LeaseStore.acquire}. */
  async acquire(lease: { key: string; id: string; limit: number; leaseMs: number }): Promise<boolean> {
    const now = Date.now()
    const held = this.#held.get(lease.key) ?? new Map<string, number>()
    for (const [id, until] of held) if (until <= now) held.delete(id)
    this.#held.set(lease.key, held)
    if (held.has(lease.id)) return true
    if (held.size >= lease.limit) return false
    held.set(lease.id, now + lease.leaseMs)
    return true
  }

  /** See {@link LeaseStore.release}. */
  async release(key: string, id: string): Promise<void> {
    this.#held.get(key)?.delete(id)
  }
}
