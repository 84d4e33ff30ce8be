/**
 * `ima prefs get|set|clear`: the model each user gets when none is named, in
 * the skills' preferences file (shared with the Python script).
 */
import type { ArgsDef, CommandDef } from 'citty'
import type { ModelPreference } from '../../stores/preferences.js'
import { TASK_TYPES, type TaskType } from '../../schemas/tasks.js'
import { CONNECTION_ARGS, createClient, readCommon } from '../common.js'
import { imaCommand, type CliEnv } from '../command.js'
import { CliUsageError } from '../errors.js'
import { renderTable } from '../format.js'
import { out, say } from '../io.js'
import { createPreferenceStore, PREFS_ARGS } from '../preferences.js'

const USER_ARGS = {
  'user-id': { type: 'string', default: 'default', description: 'Whose preference' },
  'task-type': { type: 'enum', options: ['text_to_image', 'image_to_image'], description: 'One task type (default: both for get/clear, text_to_image for set)' },
  ...PREFS_ARGS,
} satisfies ArgsDef

function preferenceJson(preference: ModelPreference): Record<string, unknown> {
  // The file's own spelling, so the output reads like the file.
  return { model_id: preference.modelId, model_name: preference.modelName, credit: preference.credit, last_used: preference.lastUsed }
}

/** `ima prefs`: a group of three commands over the preference file. */
export function prefsCommand(env: CliEnv): CommandDef {
  const get = imaCommand(env, {
    meta: { name: 'prefs get', description: 'Show the saved models' },
    args: { ...USER_ARGS, json: { type: 'boolean', description: 'Print one JSON object on stdout' } },
    async run({ args }) {
      const store = createPreferenceStore(args, env.io)
      const userId = args['user-id'] || 'default'
      const types: readonly TaskType[] = args['task-type'] ? [args['task-type'] as TaskType] : TASK_TYPES
      const saved = await store.list(userId)
      const entries = types.flatMap((type) => (saved[type] ? [[type, saved[type]] as const] : []))
      if (args.json) {
        out(env.io, JSON.stringify(Object.fromEntries(entries.map(([type, preference]) => [type, preferenceJson(preference)]))))
        return
      }
      if (entries.length === 0) {
        say(env.io, `No saved model for user "${userId}" in ${store.path}: the default (SeeDream 4.5) is used`)
        return
      }
      out(env.io, renderTable(['Task type', 'Model', 'Model id', 'Points', 'Last used'], entries.map(([type, p]) => [type, p.modelName, p.modelId, String(p.credit), p.lastUsed])))
    },
  })
  const set = imaCommand(env, {
    meta: { name: 'prefs set', description: 'Save a model: ima prefs set "NB Pro" [--task-type image_to_image]' },
    args: { model: { type: 'positional', required: false, description: 'Model id, name, alias or tier' }, ...USER_ARGS, ...CONNECTION_ARGS },
    async run({ args }) {
      const model = args._.join(' ').trim()
      if (!model) throw new CliUsageError('Which model? ima prefs set "Nano Banana Pro"')
      const store = createPreferenceStore(args, env.io)
      // The model is resolved against the live list (aliases, tiers), so this needs the key.
      const ima = createClient(readCommon(args, env.io), { preferences: store })
      const taskType = (args['task-type'] as TaskType | undefined) ?? 'text_to_image'
      const saved = await ima.preferences.remember(args['user-id'] || 'default', taskType, model)
      say(env.io, `Saved in ${store.path}`)
      out(env.io, `${taskType}: ${saved.modelName} (${saved.modelId}) · ${saved.credit} pts`)
    },
  })
  const clear = imaCommand(env, {
    meta: { name: 'prefs clear', description: 'Forget the saved models: the default is used again' },
    args: USER_ARGS,
    async run({ args }) {
      const store = createPreferenceStore(args, env.io)
      const userId = args['user-id'] || 'default'
      const types: readonly TaskType[] = args['task-type'] ? [args['task-type'] as TaskType] : TASK_TYPES
      for (const type of types) await store.delete(userId, type)
      say(env.io, `Cleared ${types.join(' and ')} for user "${userId}" in ${store.path}`)
    },
  })
  return {
    meta: { name: 'prefs', description: 'Show, save or clear the model used when none is named' },
    subCommands: { get, set, clear },
  }
}
