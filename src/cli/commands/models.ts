/** `ima models`: what each model costs and makes, from the live product list. */
import { TASK_TYPES, type TaskType } from '../../schemas/tasks.js'
import { CONNECTION_ARGS, createClient, readCommon } from '../common.js'
import { imaCommand, type CliEnv } from '../command.js'
import { modelJson, modelsTable } from '../format.js'
import { out } from '../io.js'

/** `ima models`: the live models of one or both task types, as a table or JSON. */
export function modelsCommand(env: CliEnv) {
  return imaCommand(env, {
    meta: { name: 'models', description: 'List models: sizes with points, ratios, usual time' },
    args: {
      'task-type': { type: 'enum', options: ['text_to_image', 'image_to_image'], description: 'Only this task type (default: both)' },
      json: { type: 'boolean', description: 'Print a JSON array on stdout' },
      ...CONNECTION_ARGS,
    },
    async run({ args }) {
      const ima = createClient(readCommon(args, env.io))
      const types: readonly TaskType[] = args['task-type'] ? [args['task-type'] as TaskType] : TASK_TYPES
      const lists = await Promise.all(types.map(async (type) => ({ type, models: await ima.products.models(type) })))
      if (args.json) {
        out(env.io, JSON.stringify(lists.flatMap(({ models }) => models.map(modelJson))))
        return
      }
      out(env.io, lists.map(({ type, models }) => `${type}\n${modelsTable(models)}`).join('\n\n'))
    },
  })
}
