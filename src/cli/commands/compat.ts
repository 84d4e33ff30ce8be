/**
 * The reference script's command line, flag for flag, so a skill switches
 * from `python3 ima_image_create.py …` to `npx ima …` by changing one line.
 * `ima --task-type text_to_image --prompt "…" --output-json` prints the
 * same JSON object on stdout; everything else goes to stderr.
 */
import type { GenerateParams } from '../../client.js'
import type { CommandInput } from '../command.js'
import { createClient, readCommon, readTimeoutMs } from '../common.js'
import { CliUsageError } from '../errors.js'
import { parseExtraParams } from '../extra-params.js'
import { modelJson, modelsTable, referenceJson } from '../format.js'
import { runGeneration } from '../generation.js'
import { out } from '../io.js'
import { wordsFor } from '../messages.js'
import type { ReferenceOptions } from '../options.js'
import { createPreferenceStore } from '../preferences.js'

/** `ima` with no command name: `--list-models`, or one generation printed as the reference JSON with `--output-json`. */
export async function run({ options, io }: CommandInput<ReferenceOptions>): Promise<void> {
  const common = readCommon(options, io)
  const words = wordsFor(common.language)
  const taskType = options.taskType
  if (options.listModels) {
    const ima = createClient(common)
    const models = await ima.products.models(taskType ?? 'text_to_image')
    if (options.outputJson) out(io, JSON.stringify(models.map(modelJson)))
    else out(io, modelsTable(models, common.language))
    return
  }
  const prompt = options.prompt?.trim()
  if (!prompt) throw new CliUsageError(words.noPromptReference.message, words.noPromptReference.hint)
  const extra = parseExtraParams(options.extraParams, common.language)
  const size = options.size?.trim() || undefined
  if (size !== undefined && extra.size !== undefined && size.toLowerCase() !== extra.size.toLowerCase()) {
    const { message, hint } = words.sizesDisagree(size, extra.size)
    throw new CliUsageError(message, hint)
  }
  const images = options.inputImages ?? []
  const params: Omit<GenerateParams, 'intervalMs' | 'timeoutMs' | 'estimatedMaxMs' | 'maxPollFailures'> = {
    prompt,
    userId: options.userId || 'default',
    ...(taskType ? { taskType } : {}),
    ...(options.modelId ? { model: options.modelId } : {}),
    ...(options.versionId ? { versionId: options.versionId } : {}),
    ...((size ?? extra.size) !== undefined ? { size: size ?? extra.size } : {}),
    ...(extra.aspectRatio !== undefined ? { aspectRatio: extra.aspectRatio } : {}),
    ...(extra.n !== undefined ? { n: extra.n } : {}),
    ...(Object.keys(extra.params).length > 0 ? { params: extra.params } : {}),
    ...(images.length > 0 ? { inputImages: images } : {}),
  }
  const ima = createClient(common, { preferences: createPreferenceStore(options, io) })
  const result = await runGeneration(ima, io, params, {
    intervalMs: common.intervalMs,
    timeoutMs: readTimeoutMs(options),
    quiet: options.quiet === true,
    language: common.language,
  })
  if (options.outputJson) out(io, JSON.stringify(referenceJson(result)))
  else out(io, result.url)
}
