/** How a reserved create ended, for {@link CreditBudget.settle}. */
export type CreateSettlement = 'spent' | 'released' | 'uncertain'

/**
 * The client's running total of credits, with reservations so that creates
 * in flight at the same time cannot together overspend `maxCredits`. A
 * create whose outcome is unknown may have been charged, so its cost stays
 * counted ("uncertain") until its answer arrives (a detached create) — the
 * cap holds even when the network loses every answer.
 */
export class CreditBudget {
  readonly #limit: number | undefined
  #spent = 0
  #reserved = 0
  #uncertain = 0

  constructor(limit: number | undefined) {
    this.#limit = limit
  }

  /** Points spent by creates the service accepted. */
  get spent(): number {
    return this.#spent
  }

  /** Points of creates whose outcome is unknown: they may have been charged. */
  get uncertain(): number {
    return this.#uncertain
  }

  /** Points still allowed (Infinity without a limit): the limit less spent, uncertain and reserved. */
  get remaining(): number {
    return this.#limit === undefined
      ? Number.POSITIVE_INFINITY
      : Math.max(0, this.#limit - this.#spent - this.#uncertain - this.#reserved)
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

  /** Ends a reservation: accepted (`spent`), proven not created (`released`), or unknown (`uncertain`). */
  settle(cost: number, outcome: CreateSettlement): void {
    this.#reserved = Math.max(0, this.#reserved - cost)
    if (outcome === 'spent') this.#spent += cost
    else if (outcome === 'uncertain') this.#uncertain += cost
  }

  /** An uncertain create's answer arrived late: it was created (`spent`) or proven not (`released`). */
  resolveUncertain(cost: number, outcome: 'spent' | 'released'): void {
    this.#uncertain = Math.max(0, this.#uncertain - cost)
    if (outcome === 'spent') this.#spent += cost
  }
}
