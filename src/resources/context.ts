import type { ResolvedConfig } from './config.js'
import type { EmitEvent } from './events.js'
import type { HttpClient } from './http.js'
import type { CreditBudget } from './budget.js'

/** What every resource gets from the client: the HTTP layer, the options, and the event emitter. */
export interface ClientContext {
  readonly http: HttpClient
  readonly config: ResolvedConfig
  readonly emit: EmitEvent
  /** The client's running total of credits against `maxCredits`. */
  readonly budget: CreditBudget
}
