/**
 * Model ids the provider takes: IMA's own, the SDK's aliases and tiers, and
 * the ids users already type for these models in other AI SDK providers
 * (`@ai-sdk/bytedance`, `@ai-sdk/google`), mapped to IMA's.
 */
import type { ModelTier } from '../catalog/scopes.js'

/**
 * A model for `ima.image(modelId)`: an IMA model id, an SDK alias or tier
 * (`NB Pro`, `MJ`, `budget`…), or the id another AI SDK provider uses for the
 * same model (`seedream-4-5-251128`, `gemini-3-pro-image-preview`,
 * `gemini-3.1-flash-image-preview`). Any other string is passed to
 * `tasks.create`, which resolves names and version ids or refuses with
 * "did you mean".
 *
 * @example
 * ```ts
 * const id: ImaImageModelId = 'gemini-3-pro-image-preview' // the same model as 'gemini-3-pro-image'
 * const model = ima.image(id)
 * ```
 * @public
 */
export type ImaImageModelId =
  | 'doubao-seedream-4.5'
  | 'gemini-3.1-flash-image'
  | 'gemini-3-pro-image'
  | 'midjourney'
  | 'seedream-4-5-251128'
  | 'gemini-3-pro-image-preview'
  | 'gemini-3.1-flash-image-preview'
  | 'SeeDream'
  | 'Nano Banana2'
  | 'Nano Banana Pro'
  | 'NB2'
  | 'NB Pro'
  | 'MJ'
  | ModelTier
  | (string & {})

/** The AI SDK ids of other providers, lower-cased, with the IMA model id they name. */
const AI_SDK_MODEL_IDS: Readonly<Record<string, string>> = {
  'seedream-4-5-251128': 'doubao-seedream-4.5',
  'gemini-3-pro-image-preview': 'gemini-3-pro-image',
  'gemini-3.1-flash-image-preview': 'gemini-3.1-flash-image',
}

/**
 * The model reference to hand to `tasks.create`: an AI SDK id of another
 * provider becomes IMA's model id (the newest version); anything else is
 * passed on as typed, for the SDK's own resolution.
 *
 * @example
 * ```ts
 * imaModelReference('gemini-3-pro-image-preview') // 'gemini-3-pro-image'
 * imaModelReference('NB Pro') // 'NB Pro'
 * ```
 */
export function imaModelReference(modelId: string): string {
  return AI_SDK_MODEL_IDS[modelId.trim().toLowerCase()] ?? modelId
}
