/**
 * A ratio as typed, in the spelling the models use: `7:3` is `21:9`,
 * `32:18` is `16:9`. The product list's rule values are spelled one way, so
 * the CLI sends that spelling; a shape no model has is passed on as typed,
 * for the SDK to refuse with the model's real ratios and the nearest one.
 */
import { offeredAspectRatio } from '../catalog/capabilities.js'
import { MODEL_CATALOG } from '../catalog/models.js'

/** Every ratio some model offers, in the catalog's spelling. */
const CATALOG_RATIOS = [...new Set(MODEL_CATALOG.flatMap((model) => model.aspectRatios))]

/**
 * The catalog's spelling of the same shape, or the ratio as typed (spaces removed).
 *
 * @example
 * ```ts
 * canonicalAspectRatio('7:3') // '21:9'
 * canonicalAspectRatio('5:4') // '5:4' (no model has it: the SDK refuses it with the nearest)
 * ```
 */
export function canonicalAspectRatio(ratio: string): string {
  const typed = ratio.replace(/\s+/g, '')
  return offeredAspectRatio(typed, CATALOG_RATIOS) ?? typed
}
