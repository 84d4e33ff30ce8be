import type { TaskType } from '../schemas/tasks.js'

/**
 * A user's remembered model for one task type (the skills' `ima_prefs.json`
 * entry, in camelCase).
 * @public
 */
export interface ModelPreference {
  modelId: string
  modelName: string
  /** Points the last generation cost. */
  credit: number
  /** ISO-8601 time of the last use. */
  lastUsed: string
}

/**
 * Where each user's preferred model per task type is kept. Implement it to
 * keep preferences in your own storage.
 * @public
 */
export interface PreferenceStore {
  get(userId: string, taskType: TaskType): Promise<ModelPreference | undefined>
  set(userId: string, taskType: TaskType, preference: ModelPreference): Promise<void>
  delete(userId: string, taskType: TaskType): Promise<void>
  list(userId: string): Promise<Partial<Record<TaskType, ModelPreference>>>
}

/**
 * Preferences kept in this process's memory (the default): lost on exit.
 * @public
 */
export class MemoryPreferenceStore implements PreferenceStore {
  readonly #byUser = new Map<string, Partial<Record<TaskType, ModelPreference>>>()

  async get(userId: string, taskType: TaskType): Promise<ModelPreference | undefined> {
    const preference = this.#byUser.get(userId)?.[taskType]
    return preference ? { ...preference } : undefined
  }

  async set(userId: string, taskType: TaskType, preference: ModelPreference): Promise<void> {
    this.#byUser.set(userId, { ...this.#byUser.get(userId), [taskType]: { ...preference } })
  }

  async delete(userId: string, taskType: TaskType): Promise<void> {
    const entry = this.#byUser.get(userId)
    if (entry) delete entry[taskType]
  }

  async list(userId: string): Promise<Partial<Record<TaskType, ModelPreference>>> {
    return structuredClone(this.#byUser.get(userId) ?? {})
  }
}
