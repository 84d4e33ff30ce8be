/**
 * What `ima mcp` is configured by: the environment an MCP client's config
 * sets (`IMA_API_KEY`, `IMA_MAX_CREDITS`, `IMA_MODELS`, `IMA_OUTPUT_DIR`,
 * `IMA_LANGUAGE`, `IMA_MCP_WAIT_SECONDS`), read once at start. A value that
 * cannot be used stops the server before it answers anything, with the
 * variable named: an agent would otherwise meet the mistake one call later,
 * in words it cannot act on.
 */
import { homedir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import { MODEL_CATALOG } from '../../catalog/models.js'
import { FULL_CATALOG_SCOPE, NANO_BANANA_SCOPE, scopeFromModels, type ModelScope } from '../../catalog/scopes.js'
import { closestName } from '../../internal/did-you-mean.js'
import type { ImaLanguage } from '../../http/transport-options.js'

/** The longest `wait_seconds` a call may ask for: ten minutes, past which no client keeps a call open. */
export const MAX_WAIT_SECONDS = 600

/** The default `wait_seconds`: well under the ~60 s after which MCP clients give up on a call. */
export const DEFAULT_WAIT_SECONDS = 40

/** The settings of one `ima mcp` process. */
export interface McpSettings {
  /** Most points the process may spend in its life; `undefined`: no cap of its own. */
  maxCredits: number | undefined
  /** Which models the agent may use. */
  scope: ModelScope
  /** The absolute folder results are saved in. */
  outputDir: string
  /** Language of the messages in results. */
  language: ImaLanguage
  /** `wait_seconds` when a call gives none. */
  waitSeconds: number
  /** `IMA_REDIS_URL`: where the budget is shared with every other process on it; `undefined`: this process alone. */
  redisURL: string | undefined
}

/** A setting that cannot be used: the variable, and what it should hold. */
export class McpSettingError extends Error {
  override readonly name = 'McpSettingError'
}

function text(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const value = text(env[name])
  if (value === undefined) return undefined
  // Decimal digits only: Number() would read 0x10 as 16 and 1e3 as 1000.
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new McpSettingError(`${name}=${value} is not a whole number from ${min} to ${max}: set it to a number such as ${Math.max(min, 40)}, or leave it out`)
  }
  return number
}

/**
 * `IMA_MODELS`: a scope by name (`nano-banana`, `full-catalog`) or a list of
 * model ids separated by commas or spaces.
 *
 * @example
 * ```ts
 * readModelScope('nano-banana').models // ['gemini-3.1-flash-image', 'gemini-3-pro-image']
 * readModelScope('gemini-3-pro-image, midjourney').defaults.text_to_image // 'gemini-3-pro-image'
 * ```
 */
export function readModelScope(value: string | undefined): ModelScope {
  const given = text(value)
  if (given === undefined) return FULL_CATALOG_SCOPE
  const named = [FULL_CATALOG_SCOPE, NANO_BANANA_SCOPE].find((scope) => scope.name === given.toLowerCase())
  if (named) return named
  const ids = given.split(/[\s,]+/).filter((id) => id !== '')
  // An id no model has would be offered to the agent, and every call on it refused: a typo is refused at start.
  const known = MODEL_CATALOG.map((model) => model.modelId)
  const unknown = ids.find((id) => !known.includes(id))
  if (unknown !== undefined) {
    const near = closestName(unknown, known)
    throw new RangeError(`${unknown} is no model id${near ? ` (did you mean ${near}?)` : ''}; the model ids are ${known.join(', ')}`)
  }
  return scopeFromModels(ids)
}

/**
 * `IMA_OUTPUT_DIR` as an absolute folder: `~` is the home folder; a relative
 * path is refused, since it would mean the MCP client's working directory —
 * which for a desktop app is anywhere, often `/`.
 *
 * @example
 * ```ts
 * readOutputDir(undefined, '/home/ana') // '/home/ana/Pictures/ima'
 * readOutputDir('~/art', '/home/ana') // '/home/ana/art'
 * ```
 */
export function readOutputDir(value: string | undefined, home = homedir()): string {
  const given = text(value)
  if (given === undefined) return join(home, 'Pictures', 'ima')
  const expanded = given === '~' ? home : given.startsWith('~/') || given.startsWith('~\\') ? join(home, given.slice(2)) : given
  if (!isAbsolute(expanded)) {
    throw new McpSettingError(
      `IMA_OUTPUT_DIR=${given} is not an absolute path: an MCP server's working directory is wherever the client started it. Set an absolute folder such as ~/Pictures/ima`,
    )
  }
  return resolve(expanded)
}

function readRedisURL(value: string | undefined): string | undefined {
  const given = text(value)
  if (given === undefined) return undefined
  if (!/^rediss?:\/\//.test(given)) throw new McpSettingError('IMA_REDIS_URL is not a redis:// or rediss:// URL: set one such as redis://127.0.0.1:6379, or leave it out')
  return given
}

/**
 * Reads the settings from the environment; `language` is the `--language`
 * flag when one was given (it wins over `IMA_LANGUAGE`).
 *
 * @example
 * ```ts
 * const settings = readMcpSettings(process.env)
 * ```
 */
export function readMcpSettings(env: NodeJS.ProcessEnv, flags: { language?: ImaLanguage | undefined } = {}): McpSettings {
  const language = flags.language ?? text(env.IMA_LANGUAGE)?.toLowerCase()
  if (language !== undefined && language !== 'en' && language !== 'zh') {
    throw new McpSettingError(`IMA_LANGUAGE=${language} is not a language ima speaks: set en or zh`)
  }
  let scope: ModelScope
  try {
    scope = readModelScope(env.IMA_MODELS)
  } catch (error) {
    throw new McpSettingError(`IMA_MODELS=${env.IMA_MODELS ?? ''} names no model: set nano-banana, full-catalog, or model ids separated by commas (${(error as Error).message})`)
  }
  return {
    maxCredits: wholeNumber(env, 'IMA_MAX_CREDITS', 0),
    scope,
    outputDir: readOutputDir(env.IMA_OUTPUT_DIR),
    language: language ?? 'en',
    waitSeconds: wholeNumber(env, 'IMA_MCP_WAIT_SECONDS', 0, MAX_WAIT_SECONDS) ?? DEFAULT_WAIT_SECONDS,
    redisURL: readRedisURL(env.IMA_REDIS_URL),
  }
}
