/** `ima generate "prompt"`: one picture, for a person at a terminal. */
import type { GenerateParams } from '../../client.js'
import type { CommandInput } from '../command.js'
import { createClient, readCommon, readTimeoutMs } from '../common.js'
import { CliUsageError } from '../errors.js'
import { referenceJson } from '../format.js'
import { printResult, runGeneration, saveResult } from '../generation.js'
import { wordsFor } from '../messages.js'
import type { GenerateOptions, PictureOptions } from '../options.js'
import { createPreferenceStore } from '../preferences.js'

function text(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined
}

/** The create parameters the picture options describe (shared with `ima quote`). */
export function pictureParams(options: PictureOptions, prompt: string): GenerateParams {
  const model = text(options.model)
  const size = text(options.size)
  // Sent as typed: the SDK takes 7:3 as the model's 21:9 (and names the model's ratios when it has no such shape).
  const ratio = text(options.ratio)
  const images = options.image ?? []
  return {
    prompt,
    ...(options.taskType ? { taskType: options.taskType } : {}),
    ...(model ? { model } : {}),
    ...(size ? { size } : {}),
    ...(ratio ? { aspectRatio: ratio } : {}),
    ...(options.n !== undefined ? { n: options.n } : {}),
    ...(options.maxCredits !== undefined ? { maxCredits: options.maxCredits } : {}),
    ...(images.length > 0 ? { inputImages: [...images] } : {}),
  }
}

/** The prompt: every positional word, joined, so quotes are optional. */
export function promptOf(words: readonly string[]): string {
  return words.join(' ').trim()
}

/** `ima generate`: create, wait with progress, optionally save and open the picture. */
export async function run({ options, words, io }: CommandInput<GenerateOptions>): Promise<void> {
  const common = readCommon(options, io)
  const messages = wordsFor(common.language)
  const prompt = promptOf(words)
  if (!prompt) throw new CliUsageError(messages.noPromptGenerate)
  const params = { ...pictureParams(options, prompt), userId: options.userId || 'default' }
  const ima = createClient(common, { preferences: createPreferenceStore(options, io) })
  const result = await runGeneration(ima, io, params, {
    intervalMs: common.intervalMs,
    timeoutMs: readTimeoutMs(options),
    quiet: options.quiet === true,
    language: common.language,
  })
  const paths = await saveResult(io, result, { out: options.out, open: options.open === true, prompt, language: common.language })
  printResult(io, result, paths, { json: options.json === true, quiet: options.quiet === true, language: common.language }, referenceJson(result))
}
