import type { TaskType } from '../schemas/task-type.js'

/**
 * A user's remembered model for one task type (the skills' `ima_prefs.json`
 * entry, in camelCase).
 * @public
 */
export interface ModelPreference {
  /** The `model_id`, e.g. `gemini-3-pro-image`. */
  modelId: string
  /** The model's display name, e.g. `Nano Banana Pro`. */
  modelName: string
  /** Points the last generation cost. */
  credit: number
  /** ISO-8601 time of the last use. */
  lastUsed: string
}

/**
 * What a finished generation leaves as its user's preference: the model it
 * used and what an image cost, as of now. The one record `generate` saves,
 * and so does whatever finishes a generation later (`ima mcp`'s
 * `get_image_task` on a task `generate_image` left pending).
 *
 * @example
 * ```ts
 * await store.set(userId, task.taskType, preferenceAfterUse(task))
 * ```
 */
export function preferenceAfterUse(task: { model: { id: string; name: string }; credit: number }, at: Date = new Date()): ModelPreference {
  return { modelId: task.model.id, modelName: task.model.name, credit: task.credit, lastUsed: at.toISOString() }
}

/**
 * Where each user's preferred model per task type is kept. Implement it to
 * keep preferences in your own storage.
 * @public
 */
export interface PreferenceStore {
  /** The user's preference for `taskType`, or `undefined` when none is saved. */
  get(userId: string, taskType: TaskType): Promise<ModelPreference | undefined>
  /** Saves the user's preference for `taskType`, replacing any earlier one. */
  set(userId: string, taskType: TaskType, preference: ModelPreference): Promise<void>
  /** Forgets the user's preference for `taskType`; nothing happens when there is none. */
  delete(userId: string, taskType: TaskType): Promise<void>
  /** Every preference the user has, by task type (`{}` when none). */
  list(userId: string): Promise<Partial<Record<TaskType, ModelPreference>>>
}

/**
 * Preferences kept in this process's memory (the default): lost on exit.
 * @public
 */
export class MemoryPreferenceStore implements PreferenceStore {
  readonly #byUser = new Map<string, Partial<Record<TaskType, ModelPreference>>>()

  /** The user's preference for `taskType` (a copy), or `undefined` when none is saved. */
  async get(userId: string, taskType: TaskType): Promise<ModelPreference | undefined> {
    const preference = this.#byUser.get(userId)?.[taskType]
    return preference ? { ...preference } : undefined
  }

  /** Saves a copy of the user's preference for `taskType`. */
  async set(userId: string, taskType: TaskType, preference: ModelPreference): Promise<void> {
    this.#byUser.set(userId, { ...this.#byUser.get(userId), [taskType]: { ...preference } })
  }

  /** Forgets the user's preference for `taskType`; nothing happens when there is none. */
  async delete(userId: string, taskType: TaskType): Promise<void> {
    const entry = this.#byUser.get(userId)
    if (entry) delete entry[taskType]
  }

  /** Every preference the user has, by task type (a copy; `{}` when none). */
  async list(userId: string): Promise<Partial<Record<TaskType, ModelPreference>>> {
    return structuredClone(this.#byUser.get(userId) ?? {})
  }
}
