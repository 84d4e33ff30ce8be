/**
 * The client's running total of credits, with reservations so that creates
 * in flight at the same time cannot together overspend `maxCredits`.
 */
export class CreditBudget {
  readonly #limit: number | undefined
  #spent = 0
  #reserved = 0

  constructor(limit: number | undefined) {
    this.#limit = limit
  }

  /** Points spent by creates the service accepted. */
  get spent(): number {
    return this.#spent
  }

  /** Points still allowed (Infinity without a limit). */
  get remaining(): number {
    return this.#limit === undefined ? Number.POSITIVE_INFINITY : Math.max(0, this.#limit - this.#spent - this.#reserved)
  }

  /**
   * Sets `cost` aside for a create about to be sent. Returns false when it
   * does not fit; otherwise the caller must `settle` it.
   */
  reserve(cost: number): boolean {
    if (cost > this.remaining) return false
    this.#reserved += cost
    return true
  }

  /** Ends a reservation: `accepted` counts it as spent, else it is released. */
  settle(cost: number, accepted: boolean): void {
    this.#reserved = Math.max(0, this.#reserved - cost)
    if (accepted) this.#spent += cost
  }
}
