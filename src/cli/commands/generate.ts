/** `ima generate "prompt"`: one picture, for a person at a terminal. */
import type { ArgsDef } from 'citty'
import type { GenerateParams } from '../../client.js'
import type { TaskType } from '../../schemas/tasks.js'
import { CONNECTION_ARGS, createClient, integerFlag, readCommon, readTimeoutMs, WAIT_ARGS } from '../common.js'
import { imaCommand, type CliEnv } from '../command.js'
import { CliUsageError } from '../errors.js'
import { referenceJson } from '../format.js'
import { runGeneration, saveResult } from '../generation.js'
import { out, say } from '../io.js'
import { createPreferenceStore, PREFS_ARGS } from '../preferences.js'

/** Options of generating commands that describe the picture (shared with `ima quote`). */
export const PICTURE_ARGS = {
  prompt: { type: 'positional', required: false, description: 'What to draw (several words are joined)' },
  model: { type: 'string', description: 'Model id, name, alias (NB Pro, MJ…) or tier (budget, premium…)', valueHint: 'model' },
  size: { type: 'string', description: 'Size, e.g. 1K 2K 4K 512px', valueHint: 'size' },
  ratio: { type: 'string', description: 'Aspect ratio, e.g. 16:9', valueHint: 'w:h' },
  image: { type: 'string', description: 'Input image, path or https URL (repeat for several): image to image', valueHint: 'path|url' },
  n: { type: 'string', description: 'Number of images (each is charged; default 1)', valueHint: 'count' },
  'task-type': { type: 'enum', options: ['text_to_image', 'image_to_image'], description: 'Task type (default: image_to_image with --image)' },
  'max-credits': { type: 'string', description: 'Refuse, before sending, a task that costs more points', valueHint: 'points' },
} satisfies ArgsDef

/** The create parameters the picture options describe. */
export function pictureParams(args: Record<string, unknown>, images: readonly string[], prompt: string): Omit<GenerateParams, 'signal'> {
  const text = (name: string) => (typeof args[name] === 'string' && (args[name] as string).trim() !== '' ? (args[name] as string).trim() : undefined)
  const n = integerFlag(text('n'), '--n', 1)
  const maxCredits = integerFlag(text('max-credits'), '--max-credits', 0)
  const taskType = text('task-type') as TaskType | undefined
  return {
    prompt,
    ...(taskType ? { taskType } : {}),
    ...(text('model') ? { model: text('model') } : {}),
    ...(text('size') ? { size: text('size') } : {}),
    ...(text('ratio') ? { aspectRatio: text('ratio') } : {}),
    ...(n !== undefined ? { n } : {}),
    ...(maxCredits !== undefined ? { maxCredits } : {}),
    ...(images.length > 0 ? { inputImages: [...images] } : {}),
  }
}

/** The prompt: every positional word, joined, so quotes are optional. */
export function promptOf(args: { _: string[] }): string {
  return args._.join(' ').trim()
}

/** `ima generate`: create, wait with progress, optionally save and open the picture. */
export function generateCommand(env: CliEnv) {
  return imaCommand(env, {
    meta: { name: 'generate', description: 'Generate an image: ima generate "a lighthouse at dusk" --ratio 16:9 --out' },
    args: {
      ...PICTURE_ARGS,
      out: { type: 'string', description: 'Save the image: a file, a folder, or nothing for <prompt>-<task id>.png here', valueHint: 'file' },
      open: { type: 'boolean', description: 'Open the result when done' },
      json: { type: 'boolean', description: 'Print one JSON object on stdout (task_id, url, cover_url, model_id, model_name, credit, path)' },
      'user-id': { type: 'string', default: 'default', description: 'Whose saved model to use when --model is left out, and to update' },
      ...WAIT_ARGS,
      ...PREFS_ARGS,
      ...CONNECTION_ARGS,
    },
    images: 'image',
    async run({ args, images }) {
      const common = readCommon(args, env.io)
      const prompt = promptOf(args)
      if (!prompt) throw new CliUsageError('Say what to draw: ima generate "a red fox in the snow"')
      const params = { ...pictureParams(args, images, prompt), userId: args['user-id'] || 'default' }
      const ima = createClient(common, { preferences: createPreferenceStore(args, env.io) })
      const result = await runGeneration(ima, env.io, params, { intervalMs: common.intervalMs, timeoutMs: readTimeoutMs(args), quiet: args.quiet === true })
      const path = await saveResult(env.io, result, { out: args.out, open: args.open === true, prompt })
      if (args.json) {
        out(env.io, JSON.stringify({ ...referenceJson(result), ...(path ? { path } : {}) }))
        return
      }
      if (path && !args.quiet) say(env.io, `Saved ${path}`)
      out(env.io, path ?? result.url)
    },
  })
}
