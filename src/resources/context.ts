import type { ModelScope } from '../catalog/scopes.js'
import type { CreditTally } from './tasks/budget.js'
import type { ResolvedConfig } from '../http/transport-options.js'
import type { Emitter, HttpEvents } from '../http/events.js'
import type { HttpClient } from '../http/http-client.js'
import type { BudgetLimit, BudgetStore, LeaseStore } from '../stores/budget-store.js'
import type { PreferenceStore } from '../stores/preferences.js'
import type { TaskJournal } from '../stores/task-journal.js'
import type { TaskEvents } from './tasks/events.js'
import type { UploadEvents } from './uploads/events.js'
import type { LocalSourceReader } from './uploads/sources.js'

/** The client's options after defaults, checked: the transport's plus the stores, the scope and the poll interval. */
export interface ClientConfig extends ResolvedConfig {
  preferences: PreferenceStore
  journal: TaskJournal
  scope: ModelScope
  /** Every wait's fixed poll interval, in ms; `undefined` follows each model's estimate (see `planPollSchedule`). */
  pollIntervalMs: number | undefined
  /** Where the budget limits are counted. */
  budgetStore: BudgetStore
  /** `maxCredits` (as `app`) and the `budgets`: what every create must fit. */
  budgetLimits: readonly BudgetLimit[]
  /** At most `limit` creates in flight, slots held in `store` for at most `leaseMs`; `undefined`: no limit. */
  createSlots: { limit: number; leaseMs: number; store: LeaseStore } | undefined
}

/**
 * What the client itself holds, before any request: the options, the event
 * emitter and the budget. The resources and the HTTP layer are loaded on
 * first use (see `engine.ts`) and get a {@link ClientContext}.
 */
export interface CoreContext {
  readonly config: ClientConfig
  /** Emits any area's event (the client's emitter). */
  readonly emit: Emitter<HttpEvents & TaskEvents & UploadEvents>
  /** The client's own tally of credits (spent, uncertain): what `creditsSpent` shows. The limits are counted in `config.budgetStore`. */
  readonly budget: CreditTally
  /** What reads local files and platform streams for uploads: the Node client sets `reader`; the core one has none. */
  readonly localSources: { reader?: LocalSourceReader }
}

/** What every resource gets: the client's {@link CoreContext} and the HTTP layer. */
export interface ClientContext extends CoreContext {
  readonly http: HttpClient
}
