import { ValidationError } from '../../errors.js'
import { requestFields, type RequestOptions } from '../../http/http-client.js'
import { validateInput } from '../../internal/validate.js'
import { inferTaskType, RESERVED_PARAMETER_KEYS } from '../../protocol/create-body.js'
import { createParamsSchema, requestOptionsSchema } from '../../schemas/inputs.js'
import type { CheckedCreateParams } from './preparation.js'
import type { TaskCreateParams } from './types.js'


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

/** Checks create/quote parameters and turns them into a {@link CheckedCreateParams}. */
export function checkCreateParams(params: TaskCreateParams): CheckedCreateParams {
  const input = validateInput(createParamsSchema, params, 'task parameters')
  // Unknown keys are dropped by the schema: a signal left in the parameters (the 0.1 shape) would silently stop cancelling.
  if ((params as { signal?: unknown }).signal !== undefined) {
    throw new ValidationError('signal is not a task parameter: pass it in the options argument, e.g. tasks.create(params, { signal })', [
      { path: 'signal', message: 'belongs in the options argument' },
    ])
  }
  const reserved = Object.keys(input.params ?? {}).filter((key) => (RESERVED_PARAMETER_KEYS as readonly string[]).includes(key))
  if (reserved.length > 0) {
    throw new ValidationError(
      `params cannot set ${reserved.join(', ')}: use the prompt, n and inputImages options instead`,
      reserved.map((key) => ({ path: `params.${key}`, message: 'is set by the SDK' })),
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
