/**
 * The reference script's command line, flag for flag, so a skill switches
 * from `python3 ima_image_create.py …` to `npx ima …` by changing one line.
 * `ima --task-type text_to_image --prompt "…" --output-json` prints the
 * same JSON object on stdout; everything else goes to stderr.
 */
import type { ArgsDef } from 'citty'
import type { GenerateParams } from '../../client.js'
import type { TaskType } from '../../schemas/tasks.js'
import { CONNECTION_ARGS, createClient, readCommon, readTimeoutMs, WAIT_ARGS } from '../common.js'
import { imaCommand, type CliEnv } from '../command.js'
import { CliUsageError } from '../errors.js'
import { parseExtraParams } from '../extra-params.js'
import { modelJson, modelsTable, referenceJson } from '../format.js'
import { runGeneration } from '../generation.js'
import { out } from '../io.js'
import { createPreferenceStore, PREFS_ARGS } from '../preferences.js'

/** The reference script's flags (plus the shared connection flags). */
export const COMPAT_ARGS = {
  'task-type': { type: 'enum', options: ['text_to_image', 'image_to_image'], description: 'Task type (default: image_to_image with --input-images, else text_to_image)' },
  'model-id': { type: 'string', description: 'Model id (or name, alias, tier); default: the user\'s saved model, else SeeDream 4.5', valueHint: 'id' },
  'version-id': { type: 'string', description: 'A specific version (default: the newest)', valueHint: 'id' },
  prompt: { type: 'string', description: 'What to draw', valueHint: 'text' },
  'input-images': { type: 'string', description: 'Input images, URLs or local paths (several values, repeatable)', valueHint: 'path|url …' },
  size: { type: 'string', description: 'Size, e.g. 1K 2K 4K 512px', valueHint: 'size' },
  'extra-params': { type: 'string', description: 'JSON object: aspect_ratio, size, n, or any other parameter', valueHint: 'json' },
  'user-id': { type: 'string', default: 'default', description: 'Whose saved model to use and update' },
  'list-models': { type: 'boolean', description: 'List the models of --task-type and exit' },
  'output-json': { type: 'boolean', description: 'Print the result as one JSON object on stdout' },
  ...WAIT_ARGS,
  ...PREFS_ARGS,
  ...CONNECTION_ARGS,
} satisfies ArgsDef

/** The reference-compatible command (what `ima` runs with no command name). */
export function compatCommand(env: CliEnv) {
  return imaCommand(env, {
    meta: { name: 'compat', hidden: true, description: 'The reference script\'s flags' },
    args: COMPAT_ARGS,
    images: 'input-images',
    async run({ args, images }) {
      const common = readCommon(args, env.io)
      const taskType = args['task-type'] as TaskType | undefined
      if (args['list-models']) {
        const ima = createClient(common)
        const models = await ima.products.models(taskType ?? 'text_to_image')
        if (args['output-json']) out(env.io, JSON.stringify(models.map(modelJson)))
        else out(env.io, modelsTable(models))
        return
      }
      const prompt = args.prompt?.trim()
      if (!prompt) throw new CliUsageError('--prompt is required (or --list-models)', 'e.g. ima --task-type text_to_image --prompt "a red fox" --output-json')
      const extra = parseExtraParams(args['extra-params'])
      const size = args.size?.trim() || undefined
      if (size !== undefined && extra.size !== undefined && size.toLowerCase() !== extra.size.toLowerCase()) {
        throw new CliUsageError(`--size ${size} and --extra-params size ${extra.size} disagree`, 'Give the size once')
      }
      const params: Omit<GenerateParams, 'signal' | 'intervalMs' | 'timeoutMs' | 'estimatedMaxMs' | 'maxPollFailures'> = {
        prompt,
        userId: args['user-id'] || 'default',
        ...(taskType ? { taskType } : {}),
        ...(args['model-id'] ? { model: args['model-id'] } : {}),
        ...(args['version-id'] ? { versionId: args['version-id'] } : {}),
        ...((size ?? extra.size) !== undefined ? { size: size ?? extra.size } : {}),
        ...(extra.aspectRatio !== undefined ? { aspectRatio: extra.aspectRatio } : {}),
        ...(extra.n !== undefined ? { n: extra.n } : {}),
        ...(Object.keys(extra.params).length > 0 ? { params: extra.params } : {}),
        ...(images.length > 0 ? { inputImages: images } : {}),
      }
      const ima = createClient(common, { preferences: createPreferenceStore(args, env.io) })
      const result = await runGeneration(ima, env.io, params, {
        intervalMs: common.intervalMs,
        timeoutMs: readTimeoutMs(args),
        quiet: args.quiet === true,
      })
      if (args['output-json']) out(env.io, JSON.stringify(referenceJson(result)))
      else out(env.io, result.url)
    },
  })
}
