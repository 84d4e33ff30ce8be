/**
 * `--extra-params`, the reference script's JSON escape hatch, mapped onto the
 * SDK's parameters: `aspect_ratio` → `aspectRatio` (so SeeDream's virtual
 * ratio field is resolved), `size` → `size` (so the credit rule is chosen for
 * it), `n` → `n`; every other key goes into the nested `params` as is.
 */
import type { ImaLanguage } from '../http/transport-options.js'
import { CliError } from './errors.js'
import { wordsFor } from './messages.js'

/** What `--extra-params` contributes to a create. */
export interface ExtraParams {
  size?: string
  aspectRatio?: string
  n?: number
  params: Record<string, unknown>
}

const EXAMPLE = `--extra-params '{"aspect_ratio":"16:9"}'`

/**
 * Parses `--extra-params`. Invalid JSON, or JSON that is not an object, is a
 * failure (exit 1, as the reference script) with a message saying what to pass.
 */
export function parseExtraParams(text: string | undefined, language: ImaLanguage = 'en'): ExtraParams {
  if (text === undefined || text.trim() === '') return { params: {} }
  const words = wordsFor(language)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    const { message, hint } = words.extraParamsNotJson((error as Error).message, EXAMPLE)
    throw new CliError(message, { hint })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const { message, hint } = words.extraParamsNotObject(Array.isArray(value) ? (language === 'zh' ? '数组' : 'an array') : JSON.stringify(value), EXAMPLE)
    throw new CliError(message, { hint })
  }
  const { aspect_ratio: ratio, size, n, ...params } = value as Record<string, unknown>
  const extra: ExtraParams = { params }
  if (ratio !== undefined && ratio !== null) {
    if (typeof ratio !== 'string') throw new CliError(words.extraParamsField('aspect_ratio', JSON.stringify(ratio)))
    extra.aspectRatio = ratio
  }
  if (size !== undefined && size !== null) {
    if (typeof size !== 'string' && typeof size !== 'number') throw new CliError(words.extraParamsField('size', JSON.stringify(size)))
    extra.size = String(size)
  }
  if (n !== undefined && n !== null) {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new CliError(words.extraParamsField('n', JSON.stringify(n)))
    extra.n = n
  }
  return extra
}
