import type { ImaError } from './errors.js'
import type { CreatedTask, TaskEvent, TaskResult } from '../resources/task-types.js'

/** Emitted before each HTTP attempt. @public */
export interface RequestEvent {
  method: string
  path: string
  /** 1 for the first try, 2 for the first retry… */
  attempt: number
}

/** Emitted when an HTTP attempt got an answer (any status). @public */
export interface ResponseEvent extends RequestEvent {
  status: number
  durationMs: number
}

/** Emitted before a retry's wait. @public */
export interface RetryEvent {
  method: string
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
  task: CreatedTask
}

/** Emitted when waiting for a task failed (failed, deleted, timed out…). @public */
export interface TaskFailedEvent {
  taskId: string
  error: ImaError
}

/**
 * The client's events and their payloads. Listen with `ima.on(name, listener)`.
 * @public
 */
export interface ImaEvents {
  request: (event: RequestEvent) => void
  response: (event: ResponseEvent) => void
  retry: (event: RetryEvent) => void
  'task.created': (event: TaskCreatedEvent) => void
  'task.status': (event: TaskEvent) => void
  'task.succeeded': (event: TaskResult) => void
  'task.failed': (event: TaskFailedEvent) => void
}

/** Emits one event (the client's emitter, narrowed for internal use). */
export type EmitEvent = <E extends keyof ImaEvents>(event: E, ...args: Parameters<ImaEvents[E]>) => void
