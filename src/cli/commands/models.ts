/** `ima models`: what each model costs and makes, from the live product list. */
import { TASK_TYPES, type TaskType } from '../../schemas/task-type.js'
import type { CommandInput } from '../command.js'
import { createClient, readCommon } from '../common.js'
import { modelJson, modelsTable } from '../format.js'
import { out } from '../io.js'
import { wordsFor } from '../messages.js'
import type { ModelsOptions } from '../options.js'

/** `ima models`: the live models of one or both task types, as a table or JSON. */
export async function run({ options, io }: CommandInput<ModelsOptions>): Promise<void> {
  const common = readCommon(options, io)
  const ima = createClient(common)
  const types: readonly TaskType[] = options.taskType ? [options.taskType] : TASK_TYPES
  const lists = await Promise.all(types.map(async (type) => ({ type, models: await ima.products.models(type) })))
  if (options.json) {
    out(io, JSON.stringify(lists.flatMap(({ models }) => models.map(modelJson))))
    return
  }
  const words = wordsFor(common.language)
  out(io, lists.map(({ type, models }) => `${words.taskTypeTitle(type)}\n${modelsTable(models, common.language)}`).join('\n\n'))
}
