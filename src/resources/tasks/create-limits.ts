/**
 * What every create must pass before it is sent, and settle after: the
 * budget limits (`maxCredits` as `app`, and `budgets`), counted in the
 * client's budget store, and the create slots of `maxCreatesInFlight`. With
 * stores several processes share, both hold across all of them.
 */
import { delay, untilAborted } from '../../internal/abort.js'
import { promiseFrom } from '../../internal/deadline.js'
import { ImaAbortError, ImaError } from '../../errors.js'
import { budgetCounters, type BudgetCounter } from '../../stores/budget-store.js'
import type { CoreContext } from '../context.js'
import type { CreateSettlement } from './budget.js'

/** A create's cost set aside in the store: settle it exactly once (or twice, `uncertain` then its late answer). */
export interface Reservation {
  readonly id: string
  readonly cost: number
}

/** Whose limits a create counts against. */
export interface CreateOwner {
  userId?: string | undefined
  chatId?: string | undefined
}

/** First wait between two tries for a create slot, in ms; it doubles up to {@link MAX_SLOT_WAIT_MS}. */
const FIRST_SLOT_WAIT_MS = 25
const MAX_SLOT_WAIT_MS = 500

/** A fresh id for a reservation or a slot (Web Crypto: every runtime has it). */
function freshId(): string {
  return `ima-${crypto.randomUUID()}`
}

/** The store failed (a network, a script error): nothing was sent, and nothing may be sent without it. */
function storeError(what: string, cause: unknown): ImaError {
  const reason = cause instanceof Error ? cause.message : String(cause)
  return new ImaError(`The ${what} could not be reached (${reason}): nothing was sent. Try again once it answers.`, { code: 'limit_store_failed', cause })
}

/**
 * The budget and slot rules of one client, over its stores.
 *
 * @example
 * ```ts
 * const limits = new CreateLimits(context)
 * const reserved = await limits.reserve(30, { userId: '42' })
 * if ('reservation' in reserved) await limits.settle(reserved.reservation, 'spent')
 * ```
 */
export class CreateLimits {
  readonly #context: CoreContext

  constructor(context: CoreContext) {
    this.#context = context
  }

  #counters(owner: CreateOwner): BudgetCounter[] {
    return budgetCounters(this.#context.config.budgetLimits, owner, Date.now())
  }

  /** Points still free under every limit the owner's creates count against; Infinity for none. */
  async remaining(owner: CreateOwner): Promise<number> {
    const counters = this.#counters(owner)
    if (counters.length === 0) return Number.POSITIVE_INFINITY
    try {
      return await this.#context.config.budgetStore.remaining(counters)
    } catch (error) {
      throw storeError('budget store', error)
    }
  }

  /** Sets `cost` aside under every limit, or answers the points that are free (then nothing is set aside). */
  async reserve(cost: number, owner: CreateOwner, signal?: AbortSignal): Promise<{ reservation: Reservation } | { remaining: number }> {
    const reservation = { id: freshId(), cost }
    const counters = this.#counters(owner)
    if (counters.length === 0) return { reservation }
    const reserving = promiseFrom(() => this.#context.config.budgetStore.reserve({ id: reservation.id, cost, counters }))
    let verdict
    try {
      verdict = await untilAborted(reserving, signal)
    } catch (error) {
      if (error instanceof ImaAbortError) {
        // Aborted while a slow store answered: a reservation that lands afterwards is given back.
        void reserving.then((late) => (late.ok ? this.#settleInStore(reservation, 'released') : undefined), () => {})
        throw error
      }
      throw storeError('budget store', error)
    }
    return verdict.ok ? { reservation } : { remaining: verdict.remaining }
  }

  /** The create ended: counted in the client's tally and settled in the store. */
  async settle(reservation: Reservation, outcome: CreateSettlement): Promise<void> {
    this.#context.budget.settle(reservation.cost, outcome)
    await this.#settleInStore(reservation, outcome)
  }

  /** A create whose outcome was unknown got its answer late. */
  async resolveLate(reservation: Reservation, outcome: 'spent' | 'released'): Promise<void> {
    this.#context.budget.resolveUncertain(reservation.cost, outcome)
    await this.#settleInStore(reservation, outcome)
  }

  async #settleInStore(reservation: Reservation, outcome: CreateSettlement): Promise<void> {
    if (this.#context.config.budgetLimits.length === 0) return
    try {
      await this.#context.config.budgetStore.settle(reservation.id, outcome)
    } catch (error) {
      // A settle that fails leaves the cost counted: the budget errs on the side of spending less, never more.
      this.#context.config.logger.warn('ima budget settle failed', { reservation: reservation.id, outcome, error })
    }
  }

  /**
   * Waits for a create slot when `maxCreatesInFlight` is set, and answers
   * how to free it; an abort of `signal` ends the wait with the abort error.
   */
  async acquireSlot(signal: AbortSignal | undefined): Promise<(() => Promise<void>) | undefined> {
    const slots = this.#context.config.createSlots
    if (!slots) return undefined
    const lease = { key: 'creates', id: freshId(), limit: slots.limit, leaseMs: slots.leaseMs }
    for (let wait = FIRST_SLOT_WAIT_MS; ; wait = Math.min(MAX_SLOT_WAIT_MS, wait * 2)) {
      let acquired: boolean
      const acquiring = promiseFrom(() => slots.store.acquire(lease))
      try {
        acquired = await untilAborted(acquiring, signal)
      } catch (error) {
        if (error instanceof ImaAbortError) {
          // Aborted while a slow store answered: a slot taken afterwards is freed.
          void acquiring.then((late) => (late ? promiseFrom(() => slots.store.release(lease.key, lease.id)) : undefined)).catch(() => {})
          throw error
        }
        throw storeError('lease store', error)
      }
      if (acquired) {
        return async () => {
          // After a create the task is paid for: a store that throws, even at once, must not turn its answer into an error.
          await promiseFrom(() => slots.store.release(lease.key, lease.id)).catch((error: unknown) => {
            // The slot frees itself when its lease ends.
            this.#context.config.logger.warn('ima create slot not released', { error })
          })
        }
      }
      // Jitter, so processes waiting for the same slot do not ask in step.
      await delay(wait / 2 + Math.random() * wait, signal)
    }
  }
}
