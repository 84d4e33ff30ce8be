/**
 * `--extra-params`, the reference script's JSON escape hatch, mapped onto the
 * SDK's parameters: `aspect_ratio` → `aspectRatio` (so SeeDream's virtual
 * ratio field is resolved), `size` → `size` (so the credit rule is chosen for
 * it), `n` → `n`; every other key goes into the nested `params` as is.
 */
import { CliError } from './errors.js'

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
export function parseExtraParams(text: string | undefined): ExtraParams {
  if (text === undefined || text.trim() === '') return { params: {} }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new CliError(`--extra-params is not valid JSON (${(error as Error).message})`, { hint: `Pass a JSON object in single quotes, e.g. ${EXAMPLE}` })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError(`--extra-params must be a JSON object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`, {
      hint: `Pass a JSON object, e.g. ${EXAMPLE}`,
    })
  }
  const { aspect_ratio: ratio, size, n, ...params } = value as Record<string, unknown>
  const extra: ExtraParams = { params }
  if (ratio !== undefined && ratio !== null) {
    if (typeof ratio !== 'string') throw new CliError(`--extra-params aspect_ratio must be a string like "16:9", got ${JSON.stringify(ratio)}`)
    extra.aspectRatio = ratio
  }
  if (size !== undefined && size !== null) {
    if (typeof size !== 'string' && typeof size !== 'number') throw new CliError(`--extra-params size must be a string like "2K", got ${JSON.stringify(size)}`)
    extra.size = String(size)
  }
  if (n !== undefined && n !== null) {
    if (typeof n !== 'number' || !Number.isInteger(n)) throw new CliError(`--extra-params n must be a whole number, got ${JSON.stringify(n)}`)
    extra.n = n
  }
  return extra
}
