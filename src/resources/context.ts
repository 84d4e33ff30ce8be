import type { ModelScope } from '../catalog/scopes.js'
import type { CreditBudget } from './tasks/budget.js'
import type { ResolvedConfig } from '../http/transport-options.js'
import type { Emitter, HttpEvents } from '../http/events.js'
import type { HttpClient } from '../http/http-client.js'
import type { PreferenceStore } from '../stores/preferences.js'
import type { TaskJournal } from '../stores/task-journal.js'
import type { TaskEvents } from './tasks/events.js'
import type { UploadEvents } from './uploads/events.js'

/** The client's options after defaults, checked: the transport's plus the stores and the scope. */
export interface ClientConfig extends ResolvedConfig {
  preferences: PreferenceStore
  journal: TaskJournal
  scope: ModelScope
}

/** What every resource gets from the client: the HTTP layer, the options, and the event emitter. */
export interface ClientContext {
  readonly http: HttpClient
  readonly config: ClientConfig
  /** Emits any area's event (the client's emitter). */
  readonly emit: Emitter<HttpEvents & TaskEvents & UploadEvents>
  /** The client's running total of credits against `maxCredits`. */
  readonly budget: CreditBudget
}
