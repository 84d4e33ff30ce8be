/**
 * `ima prefs get|set|clear`: the model each user gets when none is named, in
 * the skills' preferences file (shared with the Python script).
 */
import type { ModelPreference } from '../../stores/preferences.js'
import { TASK_TYPES, type TaskType } from '../../schemas/task-type.js'
import type { CommandInput } from '../command.js'
import { createClient, readCommon } from '../common.js'
import { CliUsageError } from '../errors.js'
import { renderTable } from '../format.js'
import { out, say } from '../io.js'
import { wordsFor } from '../messages.js'
import type { PrefsOptions } from '../options.js'
import { createPreferenceStore } from '../preferences.js'

function preferenceJson(preference: ModelPreference): Record<string, unknown> {
  // The file's own spelling, so the output reads like the file.
  return { model_id: preference.modelId, model_name: preference.modelName, credit: preference.credit, last_used: preference.lastUsed }
}

/** The task types an option names: the one given, else both. */
function typesOf(options: PrefsOptions): readonly TaskType[] {
  return options.taskType ? [options.taskType] : TASK_TYPES
}

/** `ima prefs get`: the saved models, as a table or JSON. */
export async function runGet({ options, io }: CommandInput<PrefsOptions>): Promise<void> {
  const words = wordsFor(options.language)
  const store = createPreferenceStore(options, io)
  const userId = options.userId || 'default'
  const saved = await store.list(userId)
  const entries = typesOf(options).flatMap((type) => (saved[type] ? [[type, saved[type]] as const] : []))
  if (options.json) {
    out(io, JSON.stringify(Object.fromEntries(entries.map(([type, preference]) => [type, preferenceJson(preference)]))))
    return
  }
  if (entries.length === 0) {
    say(io, words.noSavedModel(userId, store.path))
    return
  }
  out(io, renderTable(words.prefsHeaders, entries.map(([type, p]) => [type, p.modelName, p.modelId, String(p.credit), p.lastUsed])))
}

/** `ima prefs set <model>`: resolves the model against the live list and saves it. */
export async function runSet({ options, words, io }: CommandInput<PrefsOptions>): Promise<void> {
  const model = words.join(' ').trim()
  const messages = wordsFor(options.language)
  if (!model) throw new CliUsageError(messages.whichModel)
  const store = createPreferenceStore(options, io)
  // The model is resolved against the live list (aliases, tiers), so this needs the key.
  const ima = createClient(readCommon(options, io), { preferences: store })
  const taskType = options.taskType ?? 'text_to_image'
  const saved = await ima.preferences.remember(options.userId || 'default', taskType, model)
  say(io, messages.savedIn(store.path))
  out(io, `${taskType}: ${saved.modelName} (${saved.modelId}) · ${messages.points(saved.credit)}`)
}

/** `ima prefs clear`: forgets the saved models, so the default is used again. */
export async function runClear({ options, io }: CommandInput<PrefsOptions>): Promise<void> {
  const store = createPreferenceStore(options, io)
  const userId = options.userId || 'default'
  const types = typesOf(options)
  for (const type of types) await store.delete(userId, type)
  say(io, wordsFor(options.language).cleared(types, userId, store.path))
}
