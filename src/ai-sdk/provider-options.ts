/** `providerOptions.ima` of `generateImage`: checked with zod before anything is sent. */
import * as z from 'zod/mini'
import { validateInput } from '../internal/validate.js'

const positive = (what: string) => z.number().check(z.gt(0, `${what} must be a positive number`))

const providerOptionsSchema = z.strictObject({
  size: z.optional(z.string().check(z.minLength(1, 'must not be empty'))),
  versionId: z.optional(z.string().check(z.minLength(1, 'must not be empty'))),
  userId: z.optional(z.string().check(z.minLength(1, 'must not be empty'))),
  params: z.optional(z.record(z.string(), z.unknown())),
  maxCredits: z.optional(z.number().check(z.gte(0, 'must be at least 0'))),
  intervalMs: z.optional(positive('intervalMs')),
  timeoutMs: z.optional(positive('timeoutMs')),
  maxPollFailures: z.optional(z.int('must be a whole number').check(z.gte(0, 'must be at least 0'))),
  estimatedMaxMs: z.optional(positive('estimatedMaxMs')),
})

/**
 * What `providerOptions: { ima: { … } }` may hold in `generateImage`. Every
 * field is optional; unknown fields are refused (a typo would otherwise be
 * ignored silently).
 *
 * @example
 * ```ts
 * const options = { ima: { size: '4K', maxCredits: 40, timeoutMs: 300_000 } satisfies ImaImageProviderOptions }
 * await generateImage({ model: ima.image('NB Pro'), prompt: 'a fox', providerOptions: options })
 * ```
 * @public
 */
export interface ImaImageProviderOptions {
  /** The size as IMA names it (`'2K'`, `'4k'`, `'512px'`, `'720p'`); wins over `generateImage`'s `size`. */
  size?: string
  /** A specific version id of the model; the newest otherwise. */
  versionId?: string
  /** Whose saved model preference applies and is updated after a success (see `ima.generate`). */
  userId?: string
  /** More nested parameters by their wire names, as `tasks.create`'s `params`. */
  params?: Record<string, unknown>
  /** Refuse, before sending, a task (one `doGenerate`) costing more than this many points. A client's `maxCredits` caps them all. */
  maxCredits?: number
  /** Time between polls, in ms. @defaultValue the model's schedule, or the provider's `pollIntervalMs` */
  intervalMs?: number
  /** Overall deadline of the wait, in ms (the task may still finish afterwards). @defaultValue 600000 */
  timeoutMs?: number
  /** Failed polls in a row to wait through. @defaultValue 3 */
  maxPollFailures?: number
  /** The slowest expected time, in ms, for progress percentages. @defaultValue the model's estimate */
  estimatedMaxMs?: number
}

/**
 * Reads `providerOptions.ima`, refusing wrong types and unknown keys with a
 * `ValidationError` that names each field.
 *
 * @example
 * ```ts
 * parseProviderOptions({ ima: { size: '4K' } }) // { size: '4K' }
 * ```
 */
export function parseProviderOptions(providerOptions: Record<string, unknown> | undefined): ImaImageProviderOptions {
  const raw = providerOptions?.ima
  if (raw === undefined) return {}
  return validateInput(providerOptionsSchema, raw, 'providerOptions.ima') as ImaImageProviderOptions
}
