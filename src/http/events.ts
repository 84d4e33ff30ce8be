import type { ImaError } from '../errors.js'

/** Emitted before each HTTP attempt. @public */
export interface RequestEvent {
  /** HTTP method, e.g. `POST`. */
  method: string
  /** Path without host or query, e.g. `/open/v1/tasks/create`. */
  path: string
  /** 1 for the first try, 2 for the first retry… */
  attempt: number
}

/** Emitted when an HTTP attempt got an answer (any status). @public */
export interface ResponseEvent extends RequestEvent {
  /** The HTTP status. */
  status: number
  /** Time from sending to the answer, in ms. */
  durationMs: number
}

/** Emitted before a retry's wait. @public */
export interface RetryEvent {
  /** HTTP method, e.g. `POST`. */
  method: string
  /** Path without host or query, e.g. `/open/v1/tasks/create`. */
  path: string
  /** Which retry this is: 1 for the first, 2 for the second… */
  retry: number
  /** The attempt about to be made, counted as in {@link RequestEvent} (the first try is 1, so the first retry is 2). */
  attempt: number
  /** How long the client waits first, in ms. */
  delayMs: number
  /** Why it retries, e.g. `HTTP 503`. */
  reason: string
  /** The error that caused it. */
  error: ImaError
}

/**
 * The HTTP layer's events: every attempt, answer and retry of every request
 * (the upload PUT included). Part of the client's `ImaEvents`.
 * @public
 */
export interface HttpEvents {
  /** Before each HTTP attempt. */
  request: (event: RequestEvent) => void
  /** When an HTTP attempt got an answer, whatever its status. */
  response: (event: ResponseEvent) => void
  /** Before a request is tried again (also a create re-sent after a product-list refresh or a size fallback). */
  retry: (event: RetryEvent) => void
}

/**
 * Emits one event of a map of listeners (an area's narrow view of the
 * client's emitter). `listens` says whether anyone listens, so a caller on a
 * hot path need not build a payload nobody reads.
 */
export interface Emitter<Events> {
  <E extends keyof Events>(event: E, ...args: Events[E] extends (...payload: infer P) => void ? P : never): void
  listens?: (event: keyof Events) => boolean
}

/** Emits one of the HTTP layer's events. */
export type EmitEvent = Emitter<HttpEvents>
