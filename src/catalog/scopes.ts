import type { TaskType } from '../schemas/task-type.js'
import { MODEL_CATALOG } from './models.js'

/** A named choice users make instead of a model: the scope decides which model it is. @public */
export type ModelTier = 'default' | 'budget' | 'premium' | 'artistic'

/**
 * Which models a client may use, and which one each tier and task type
 * means. `models: null` allows every model the live product list offers.
 * @public
 */
export interface ModelScope {
  /** A name for messages, e.g. `nano-banana`. */
  name: string
  /** Allowed model ids, or `null` for any model of the product list. */
  models: readonly string[] | null
  /** The model used when none is given and the user has no preference. */
  defaults: Readonly<Record<TaskType, string>>
  /** What `budget`, `premium` and `artistic` mean here (a missing tier cannot be used). */
  tiers: Readonly<Partial<Record<Exclude<ModelTier, 'default'>, string>>>
}

const SEEDREAM = 'doubao-seedream-4.5'
const NANO_BANANA_2 = 'gemini-3.1-flash-image'
const NANO_BANANA_PRO = 'gemini-3-pro-image'
const MIDJOURNEY = 'midjourney'

/**
 * The first skill's full catalog: any model; SeeDream 4.5 by default for both
 * task types; budget Nano Banana2, premium Nano Banana Pro, artistic Midjourney.
 * @public
 */
export const FULL_CATALOG_SCOPE: ModelScope = {
  name: 'full-catalog',
  models: null,
  defaults: { text_to_image: SEEDREAM, image_to_image: SEEDREAM },
  tiers: { budget: NANO_BANANA_2, premium: NANO_BANANA_PRO, artistic: MIDJOURNEY },
}

/**
 * The Nano Banana skill's scope: only Nano Banana2 and Nano Banana Pro;
 * Nano Banana2 by default and for budget, Nano Banana Pro for premium.
 * @public
 */
export const NANO_BANANA_SCOPE: ModelScope = {
  name: 'nano-banana',
  models: [NANO_BANANA_2, NANO_BANANA_PRO],
  defaults: { text_to_image: NANO_BANANA_2, image_to_image: NANO_BANANA_2 },
  tiers: { budget: NANO_BANANA_2, premium: NANO_BANANA_PRO },
}

/**
 * A scope from an allowlist of model ids: tiers and defaults of the full
 * catalog where they are allowed, else the first allowed model.
 * @public
 */
export function scopeFromModels(models: readonly string[]): ModelScope {
  if (models.length === 0) throw new RangeError('A model allowlist needs at least one model id')
  const allowed = (id: string | undefined) => (id !== undefined && models.includes(id) ? id : undefined)
  const first = models[0] as string
  const tiers: Partial<Record<Exclude<ModelTier, 'default'>, string>> = {}
  for (const tier of ['budget', 'premium', 'artistic'] as const) {
    const id = allowed(FULL_CATALOG_SCOPE.tiers[tier])
    if (id) tiers[tier] = id
  }
  return {
    name: `models: ${models.join(', ')}`,
    models: [...models],
    defaults: {
      text_to_image: allowed(FULL_CATALOG_SCOPE.defaults.text_to_image) ?? first,
      image_to_image: allowed(FULL_CATALOG_SCOPE.defaults.image_to_image) ?? first,
    },
    tiers,
  }
}

/** Whether the scope allows a model id. */
export function scopeAllows(scope: ModelScope, modelId: string): boolean {
  return scope.models === null || scope.models.includes(modelId)
}

/** The display name of a model id, from the catalog when known. */
export function displayName(modelId: string): string {
  return MODEL_CATALOG.find((model) => model.modelId === modelId)?.name ?? modelId
}
