import type { Emitter, HttpEvents } from './http/events.js'
import type { TaskEvents } from './resources/tasks/events.js'
import type { UploadEvents } from './resources/uploads/events.js'

export type { RequestEvent, ResponseEvent, RetryEvent, HttpEvents } from './http/events.js'
export type {
  TaskCreatedEvent,
  TaskOutcomeUnknownEvent,
  TaskDetachedSettledEvent,
  TaskFailedEvent,
  TaskPollFailedEvent,
  TaskEvents,
} from './resources/tasks/events.js'
export type { UploadProgressEvent, UploadCompletedEvent, UploadEvents } from './resources/uploads/events.js'

/**
 * The client's events and their payloads: each area's map, composed. Listen
 * with `ima.on(name, listener)`.
 *
 * @example
 * ```ts
 * ima.on('task.status', (event) => console.log(event.type, event.progress))
 * ima.on('retry', (event) => console.warn(`retrying ${event.path}: ${event.reason}`))
 * ```
 * @public
 */
export interface ImaEvents extends HttpEvents, TaskEvents, UploadEvents {}

/** Emits any of the client's events. */
export type EmitImaEvent = Emitter<ImaEvents>
