import type { CreateOutcomeUnknownError, ImaError } from '../../errors.js'
import type { CreatedTask, TaskEvent, TaskResult } from './types.js'

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
 * The task events: creates, their unknown outcomes, polls and results. Part
 * of the client's `ImaEvents`.
 * @public
 */
export interface TaskEvents {
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
}
