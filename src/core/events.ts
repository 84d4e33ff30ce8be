import type { CreateOutcomeUnknownError, ImaError } from './errors.js'
import type { CreatedTask, TaskEvent, TaskResult } from '../resources/task-types.js'

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
  /** The attempt about to be made (2 for the first retry). */
  attempt: number
  /** How long the client waits first, in ms. */
  delayMs: number
  /** Why it retries, e.g. `HTTP 503`. */
  reason: string
  /** The error that caused it. */
  error: ImaError
}

/** Emitted when a task was accepted by the service. @public */
export interface TaskCreatedEvent {
  /** The task as `tasks.create` returns it. */
  task: CreatedTask
  /**
   * True when the caller had already aborted: the create's answer was read in
   * the background after the call rejected with `CreateOutcomeUnknownError`,
   * and the task is journaled under `task.ref`.
   */
  detached: boolean
}

/**
 * Emitted when a create may have been charged but no answer proved it (the
 * error the call rejects with), or when the caller aborted while it was in flight.
 * @public
 */
export interface TaskOutcomeUnknownEvent {
  /** The journal reference of the create. */
  ref: string
  /** The error the call rejected with. */
  error: CreateOutcomeUnknownError
  /** True when the answer is still being read in the background (an abort while in flight). */
  detached: boolean
}

/**
 * Emitted when the answer of a create detached by an abort arrived (or
 * failed) in the background: `created` (its id is journaled, and
 * `task.created` came first), `refused` (nothing was charged) or `unknown`
 * (the answer was lost too: the task may exist).
 * @public
 */
export interface TaskDetachedSettledEvent {
  /** The journal reference of the create (`CreateOutcomeUnknownError.ref`). */
  ref: string
  /** What the late answer proved. */
  outcome: 'created' | 'refused' | 'unknown'
  /** The task id, when it was created. */
  taskId?: string
}

/** Emitted when waiting for a task failed (failed, deleted, timed out…). @public */
export interface TaskFailedEvent {
  /** The task that was being waited for. */
  taskId: string
  /** Why waiting failed, e.g. a `TaskFailedError` or `TaskTimeoutError`. */
  error: ImaError
}

/**
 * Emitted while `ima.uploads.put()` sends bytes (once per chunk handed to
 * fetch). `bytesSent` grows within one attempt and starts again from 0 when
 * the PUT is retried.
 * @public
 */
export interface UploadProgressEvent {
  /** Bytes handed to the connection so far in this attempt. */
  bytesSent: number
  /** The size, when known up front (bytes, Blob, file); `undefined` for streams. */
  totalBytes: number | undefined
  /** The caller's `filename`, a `File`'s name or the file's base name, when there is one. */
  filename?: string
}

/** Emitted when `ima.uploads.put()` has a URL for an uploaded source (not for a URL passed through). @public */
export interface UploadCompletedEvent {
  /** The public URL of the image (`fdl`). */
  url: string
  /** Bytes uploaded. */
  bytes: number
  /** The MIME type found in the bytes. */
  contentType: string
  /** True when identical input was uploaded before by this client and no request was made. */
  cached: boolean
}

/**
 * Emitted when one poll of a task failed (after the HTTP layer's own
 * retries) and waiting goes on; after `maxPollFailures` in a row the wait
 * fails with that error instead.
 * @public
 */
export interface TaskPollFailedEvent {
  /** The task being polled. */
  taskId: string
  /** The error of this poll. */
  error: ImaError
  /** Failed polls in a row so far, this one included. */
  consecutive: number
}

/**
 * The client's events and their payloads. Listen with `ima.on(name, listener)`.
 * @public
 */
export interface ImaEvents {
  /** Before each HTTP attempt. */
  request: (event: RequestEvent) => void
  /** When an HTTP attempt got an answer, whatever its status. */
  response: (event: ResponseEvent) => void
  /** Before a request is tried again (also a create re-sent after a product-list refresh or a size fallback). */
  retry: (event: RetryEvent) => void
  /** When the service accepted a task (also late, for a create detached by an abort). */
  'task.created': (event: TaskCreatedEvent) => void
  /** When a create may have been charged but its outcome is unknown. */
  'task.outcome_unknown': (event: TaskOutcomeUnknownEvent) => void
  /** When the background answer of a create detached by an abort settled it. */
  'task.detached_settled': (event: TaskDetachedSettledEvent) => void
  /** On each poll while waiting for a task. */
  'task.status': (event: TaskEvent) => void
  /** When a waited-for task finished with its images. */
  'task.succeeded': (event: TaskResult) => void
  /** When waiting for a task failed (failed, deleted, timed out…). */
  'task.failed': (event: TaskFailedEvent) => void
  /** When one poll failed and waiting goes on. */
  'task.poll_failed': (event: TaskPollFailedEvent) => void
  /** While `ima.uploads.put()` sends bytes. */
  'upload.progress': (event: UploadProgressEvent) => void
  /** When `ima.uploads.put()` has the URL of an uploaded source. */
  'upload.completed': (event: UploadCompletedEvent) => void
}

/** Emits one event (the client's emitter, narrowed for internal use). */
export type EmitEvent = <E extends keyof ImaEvents>(event: E, ...args: Parameters<ImaEvents[E]>) => void
