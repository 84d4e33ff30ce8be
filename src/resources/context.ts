import type { ModelScope } from '../catalog/scopes.js'
import type { CreditBudget } from './tasks/budget.js'
import type { ResolvedConfig } from '../http/transport-options.js'
import type { Emitter, HttpEvents } from '../http/events.js'
import type { HttpClient } from '../http/http-client.js'
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
  /** The client's running total of credits against `maxCredits`. */
  readonly budget: CreditBudget
  /** What reads local files and platform streams for uploads: the Node client sets `reader`; the core one has none. */
  readonly localSources: { reader?: LocalSourceReader }
}

/** What every resource gets: the client's {@link CoreContext} and the HTTP layer. */
export interface ClientContext extends CoreContext {
  readonly http: HttpClient
}
