/** How a reserved create ended, for {@link CreditTally.settle}. */
export type CreateSettlement = 'spent' | 'released' | 'uncertain'

/**
 * What this client's own creates cost: points spent (accepted) and points
 * whose outcome is unknown (they may have been charged) — `creditsSpent`
 * and `creditsUncertain`. The limits themselves are counted in the budget
 * store (`budgetStore`), which several clients may share.
 */
export class CreditTally {
  #spent = 0
  #uncertain = 0

  /** Points spent by creates the service accepted. */
  get spent(): number {
    return this.#spent
  }

  /** Points of creates whose outcome is unknown: they may have been charged. */
  get uncertain(): number {
    return this.#uncertain
  }

  /** A create ended: accepted (`spent`), proven not created (`released`), or unknown (`uncertain`). */
  settle(cost: number, outcome: CreateSettlement): void {
    if (outcome === 'spent') this.#spent += cost
    else if (outcome === 'uncertain') this.#uncertain += cost
  }

  /** An uncertain create's answer arrived late: it was created (`spent`) or proven not (`released`). */
  resolveUncertain(cost: number, outcome: 'spent' | 'released'): void {
    this.#uncertain = Math.max(0, this.#uncertain - cost)
    if (outcome === 'spent') this.#spent += cost
  }
}
