import { ValidationError } from '../../errors.js'
import { requestFields, type RequestOptions } from '../../http/http-client.js'
import { namesInWords, unknownNames } from '../../internal/did-you-mean.js'
import { validateInput } from '../../internal/validate.js'
import { inferTaskType, RESERVED_PARAMETER_KEYS } from '../../protocol/create-body.js'
import { createParamsSchema, requestOptionsSchema, waitOptionsSchema } from '../../schemas/inputs.js'
import type { CheckedCreateParams } from './preparation.js'
import type { TaskCreateParams, WaitOptions } from './types.js'


/**
 * A call's {@link RequestOptions}, checked before any request (an
 * `AbortSignal`, a `timeout` ≥ 1, a `maxRetries` ≥ 0), as a copy holding only
 * those three fields — so options of another kind riding along (a wait's
 * `timeoutMs`, a product call's `fresh`) never reach the calls they are
 * passed on to.
 *
 * @example
 * ```ts
 * const request = checkRequestOptions(waitOptions) // only its signal, timeout and maxRetries
 * await products.versions('text_to_image', request)
 * ```
 */
export function checkRequestOptions(options: RequestOptions | undefined): RequestOptions {
  if (options === undefined) return {}
  validateInput(requestOptionsSchema, options, 'options')
  // Throws the same ValidationError the HTTP layer would, but before anything is prepared or uploaded.
  requestFields(options)
  const { signal, timeout, maxRetries } = options
  return {
    ...(signal !== undefined ? { signal } : {}),
    ...(timeout !== undefined ? { timeout } : {}),
    ...(maxRetries !== undefined ? { maxRetries } : {}),
  }
}

/** The names of {@link RequestOptions}: what the options argument of every call takes. */
const REQUEST_OPTION_KEYS = ['signal', 'timeout', 'maxRetries'] as const satisfies readonly (keyof RequestOptions)[]

/**
 * Refuses a name the options argument of `call` does not take, before
 * anything is prepared or sent, then checks the options as
 * {@link checkRequestOptions} does. Left alone, `tasks.create(params, { maxCredits: 5 })`
 * dropped the budget and paid whatever the task cost; a name that belongs in
 * the first argument (`paramNames`) says so.
 *
 * @example
 * ```ts
 * checkCallOptions({ maxCredits: 5 }, 'tasks.create', CREATE_PARAMETER_KEYS)
 * // throws ValidationError: Unknown option maxCredits of tasks.create — nothing was sent; maxCredits is a parameter: pass it in the first argument, tasks.create({ …, maxCredits }). The options are signal, timeout, maxRetries
 * ```
 */
export function checkCallOptions(options: RequestOptions | undefined, call: string, paramNames: readonly string[]): RequestOptions {
  if (options !== null && typeof options === 'object' && !Array.isArray(options)) {
    const unknown = unknownNames(options, REQUEST_OPTION_KEYS)
    if (unknown.length > 0) {
      const params = unknown.filter(({ name }) => paramNames.includes(name)).map(({ name }) => name)
      const where = params.length > 0 ? `; ${params.join(', ')} ${params.length === 1 ? 'is a parameter' : 'are parameters'}: pass ${params.length === 1 ? 'it' : 'them'} in the first argument, ${call}({ …, ${params.join(', ')} })` : ''
      throw new ValidationError(
        `Unknown option ${namesInWords(unknown.map((u) => (params.includes(u.name) ? { name: u.name, meant: undefined } : u)))} of ${call} — nothing was sent${where}. The options are ${REQUEST_OPTION_KEYS.join(', ')}`,
        unknown.map(({ name }) => ({ path: `options.${name}`, message: params.includes(name) ? 'is a parameter, not an option' : 'is not an option of this call' })),
      )
    }
  }
  return checkRequestOptions(options)
}

/** The names `tasks.create` and `tasks.quote` take, read from their schema so the two cannot drift apart. */
export const CREATE_PARAMETER_KEYS: readonly string[] = Object.keys(createParamsSchema.def.shape)

/** The wait's own names, which `generate` and a generation job take beside those of the create. */
export const WAIT_PARAMETER_KEYS = ['intervalMs', 'timeoutMs', 'estimatedMaxMs', 'maxPollFailures'] as const

/**
 * A wait's options, checked — its own (`intervalMs`, `timeoutMs`,
 * `estimatedMaxMs`, `maxPollFailures`) and the call's — and the call's
 * {@link RequestOptions} it holds. `generate` and the queue run it before the
 * create: a wait that could not start must not follow a paid create.
 *
 * @example
 * ```ts
 * const { timeout, maxRetries } = checkWaitOptions({ timeoutMs: 300_000, timeout: 10_000 })
 * ```
 */
export function checkWaitOptions(options: WaitOptions): RequestOptions {
  validateInput(waitOptionsSchema, options, 'wait options')
  return checkRequestOptions(options)
}

/**
 * Refuses a name the call does not take. Left alone, a typo (`sise`) or the
 * service's spelling (`aspect_ratio`) would be dropped without a word and
 * the create would pay for a picture nobody asked for. A key set to
 * `undefined` is no value, so it passes.
 */
function refuseUnknownNames(params: object, known: readonly string[]): void {
  const issues = unknownNames(params, known).map(({ name, meant }) => ({
    path: name,
    message: meant ? `did you mean ${meant}?` : `a parameter of the service? put it in params: { ${name}: … }`,
  }))
  if (issues.length === 0) return
  throw new ValidationError(
    `Unknown task parameter ${issues.map((issue) => `${issue.path} (${issue.message})`).join(', ')} — nothing was sent; the task parameters are ${known.join(', ')}`,
    issues,
  )
}

/** Nested parameters that have an option of their own, which the credit rule is chosen from. */
const RULE_PARAMETER_OPTIONS: Readonly<Record<string, string>> = { size: 'size', aspect_ratio: 'aspectRatio' }

/**
 * Checks create/quote parameters and turns them into a {@link CheckedCreateParams}.
 * `alsoTaken`: names the caller handles itself (a generation job's wait options).
 */
export function checkCreateParams(params: TaskCreateParams, alsoTaken: readonly string[] = []): CheckedCreateParams {
  // Names are checked on an object only; anything else is the schema's to refuse.
  if (typeof params === 'object' && params !== null && !Array.isArray(params)) {
    // A signal left in the parameters (the 0.1 shape) has a message of its own: it would silently stop cancelling.
    if ((params as { signal?: unknown }).signal !== undefined) {
      throw new ValidationError('signal is not a task parameter: pass it in the options argument, e.g. tasks.create(params, { signal })', [
        { path: 'signal', message: 'belongs in the options argument' },
      ])
    }
    refuseUnknownNames(params, [...CREATE_PARAMETER_KEYS, ...alsoTaken])
  }
  const input = validateInput(createParamsSchema, params, 'task parameters')
  const reserved = Object.keys(input.params ?? {}).filter((key) => (RESERVED_PARAMETER_KEYS as readonly string[]).includes(key))
  if (reserved.length > 0) {
    throw new ValidationError(
      `params cannot set ${reserved.join(', ')}: use the prompt, n and inputImages options instead`,
      reserved.map((key) => ({ path: `params.${key}`, message: 'is set by the SDK' })),
    )
  }
  // The size and the ratio choose the credit rule: in params they would be overwritten by the default, without a word.
  const ruled = Object.keys(input.params ?? {}).filter((key) => Object.hasOwn(RULE_PARAMETER_OPTIONS, key))
  if (ruled.length > 0) {
    const options = ruled.map((key) => RULE_PARAMETER_OPTIONS[key] as string)
    throw new ValidationError(
      `params cannot set ${ruled.join(', ')}: use the ${options.join(' and ')} option${options.length > 1 ? 's' : ''} instead — ${options.length > 1 ? 'they choose' : 'it chooses'} the credit rule`,
      ruled.map((key, index) => ({ path: `params.${key}`, message: `is the ${options[index]} option` })),
    )
  }
  const inputImages = input.inputImages ?? []
  const taskType = inferTaskType(input.taskType, inputImages)
  if (taskType === 'image_to_image' && inputImages.length === 0) {
    throw new ValidationError('image_to_image needs at least one input image: pass inputImages: [url]', [
      { path: 'inputImages', message: 'needs at least one image' },
    ])
  }
  if (taskType === 'text_to_image' && inputImages.length > 0) {
    throw new ValidationError('text_to_image takes no input images: use taskType image_to_image, or leave taskType out', [
      { path: 'inputImages', message: 'must be empty for text_to_image' },
    ])
  }
  return {
    taskType,
    model: input.model,
    versionId: input.versionId,
    userId: input.userId,
    chatId: input.chatId,
    ref: input.ref,
    size: input.size,
    aspectRatio: input.aspectRatio,
    params: input.params,
    n: input.n ?? 1,
  }
}
