import { ValidationError } from '../errors.js'

/**
 * The task types, on their own: the stores, the catalog and the client's
 * options need them at import, without the create body's schema (and zod).
 *
 * @example
 * ```ts
 * if (!TASK_TYPES.includes(value as TaskType)) throw new Error('not a task type')
 * ```
 */
export const TASK_TYPES = ['text_to_image', 'image_to_image'] as const

/** A task type: `text_to_image` or `image_to_image`. @public */
export type TaskType = (typeof TASK_TYPES)[number]

/**
 * Checks that a value is a task type before anything is sent: by hand, as it
 * runs on every product call (the list is read per category).
 *
 * @param name - how the caller's argument is named in the error (`taskType`, `category`).
 * @example
 * ```ts
 * checkTaskType(category, 'category')
 * ```
 */
export function checkTaskType(value: unknown, name = 'taskType'): asserts value is TaskType {
  if (!TASK_TYPES.includes(value as TaskType)) {
    throw new ValidationError(`${name} must be ${TASK_TYPES.join(' or ')}, got ${JSON.stringify(value)}`, [{ path: name, message: `must be ${TASK_TYPES.join(' or ')}` }])
  }
}
