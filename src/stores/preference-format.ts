/**
 * The skills' preference format (protocol §7), shared by the file and the
 * unstorage stores:
 *
 * ```
 * { "user_<id>": { "<task_type>": { "model_id", "model_name", "credit", "last_used" } } }
 * ```
 *
 * Readers keep everything they do not understand (other task types, extra
 * keys in an entry, other top-level keys) so a store never loses data
 * written by the skills or by a newer SDK.
 */
import { TASK_TYPES, type TaskType } from '../schemas/task-type.js'
import type { ModelPreference } from './preferences.js'

/** One entry as the skills write it. */
export interface WirePreference {
  model_id: string
  model_name: string
  credit: number
  last_used: string
  [extra: string]: unknown
}

/** A user's map of task type → entry, with whatever else it holds. */
export type WireUserEntry = Record<string, unknown>

/** The key of a user in the skills' file: `user_<id>`. */
export function userKey(userId: string): string {
  return `user_${userId}`
}

/** Whether a value is a plain JSON object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** An entry in camelCase, or `undefined` when it lacks a model id (kept in the file, but not understood). */
export function fromWire(value: unknown): ModelPreference | undefined {
  if (!isPlainObject(value) || typeof value.model_id !== 'string' || value.model_id === '') return undefined
  const credit = typeof value.credit === 'number' ? value.credit : Number(value.credit)
  return {
    modelId: value.model_id,
    modelName: typeof value.model_name === 'string' ? value.model_name : value.model_id,
    credit: Number.isFinite(credit) ? credit : 0,
    lastUsed: typeof value.last_used === 'string' ? value.last_used : '',
  }
}

/** The entry to write: the old entry's unknown keys kept, the four known ones replaced. */
export function toWire(preference: ModelPreference, previous?: unknown): WirePreference {
  return {
    ...(isPlainObject(previous) ? previous : {}),
    model_id: preference.modelId,
    model_name: preference.modelName,
    credit: preference.credit,
    last_used: preference.lastUsed,
  }
}

/** The task types of a user's entry that this SDK understands. */
export function readUserEntry(entry: unknown): Partial<Record<TaskType, ModelPreference>> {
  const out: Partial<Record<TaskType, ModelPreference>> = {}
  if (!isPlainObject(entry)) return out
  for (const taskType of TASK_TYPES) {
    const preference = fromWire(entry[taskType])
    if (preference) out[taskType] = preference
  }
  return out
}

/** The user's entry with one task type set (everything else kept). */
export function withPreference(entry: unknown, taskType: TaskType, preference: ModelPreference): WireUserEntry {
  const base = isPlainObject(entry) ? entry : {}
  return { ...base, [taskType]: toWire(preference, base[taskType]) }
}

/** The user's entry without one task type (everything else kept); `undefined` when nothing is left. */
export function withoutPreference(entry: unknown, taskType: TaskType): WireUserEntry | undefined {
  if (!isPlainObject(entry)) return undefined
  const { [taskType]: _removed, ...rest } = entry
  return Object.keys(rest).length > 0 ? rest : undefined
}

/** Throws a `TypeError` for a user id or task type a store cannot key. */
export function checkStoreKey(userId: unknown, taskType?: unknown): void {
  if (typeof userId !== 'string' || userId === '') {
    throw new TypeError(`Expected userId to be a non-empty string, got ${JSON.stringify(userId)}`)
  }
  if (taskType !== undefined && !TASK_TYPES.includes(taskType as TaskType)) {
    throw new TypeError(`Expected taskType to be ${TASK_TYPES.join(' or ')}, got ${JSON.stringify(taskType)}`)
  }
}

/** Throws a `TypeError` for a preference a store cannot write in the skills' format. */
export function checkPreference(preference: unknown): asserts preference is ModelPreference {
  const p = preference as Partial<ModelPreference> | undefined
  if (
    !isPlainObject(p) ||
    typeof p.modelId !== 'string' ||
    p.modelId === '' ||
    typeof p.modelName !== 'string' ||
    typeof p.credit !== 'number' ||
    !Number.isFinite(p.credit) ||
    typeof p.lastUsed !== 'string'
  ) {
    throw new TypeError('Expected a preference { modelId: string, modelName: string, credit: number, lastUsed: ISO-8601 string }')
  }
}
