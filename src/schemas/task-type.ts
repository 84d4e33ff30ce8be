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
