/**
 * Turns the size a create asked for into picture dimensions: first the
 * nominal ones (what the real service would produce), then the ones actually
 * served (scaled down so tests stay fast).
 *
 * How a size reads (case-insensitive, as the service compares sizes):
 * - a pixel size `WxH` (SeeDream's mapped sizes, e.g. `2560x1440`) is literal;
 * - `512px`, `1K`, `2K`, `4K` give the long side (512, 1024, 2048, 4096), shaped
 *   by `aspect_ratio` when the model takes one (Nano Banana), square otherwise
 *   (SeeDream's `2k`/`4k`);
 * - anything else (`480p`, `720p`, `adaptive`, none) gives a long side of 1024:
 *   Midjourney always makes 1024×1024, as its documents say.
 * A model "takes" `aspect_ratio` when its version leaf has a real (not
 * virtual) `aspect_ratio` field; otherwise the service ignores the ratio.
 */
import type { ServerProductNode } from './catalog.js'

/** Width and height in pixels. */
export interface Dimensions {
  width: number
  height: number
}

const LONG_SIDE_UNITS: Record<string, number> = { k: 1024, px: 1 }
const DEFAULT_LONG_SIDE = 1024
const MAX_NOMINAL_SIDE = 16384
/** Ratio names the catalogs use, so 3024×1296 reads '21:9' and not '7:3'. */
const NAMED_RATIOS = ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3', '21:9', '9:21', '5:4', '4:5']

function parseRatio(value: unknown): [number, number] | undefined {
  if (typeof value !== 'string') return undefined
  const match = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(value.trim())
  if (!match) return undefined
  const w = Number(match[1])
  const h = Number(match[2])
  return w > 0 && h > 0 ? [w, h] : undefined
}

/**
 * Whether a version leaf takes `aspect_ratio` as a real parameter. SeeDream's
 * ratio is only a virtual field that picks a pixel size; Midjourney has none.
 *
 * @example
 * ```ts
 * import { buildDefaultCatalog, findVersionLeaf } from './catalog.js'
 * import { takesAspectRatio } from './image-dimensions.js'
 * takesAspectRatio(findVersionLeaf(buildDefaultCatalog('text_to_image'), 'v6')) // false
 * ```
 */
export function takesAspectRatio(leaf: ServerProductNode | undefined): boolean {
  if (!leaf) return true
  return (leaf.form_config ?? []).some((field) => field.field === 'aspect_ratio' && !field.is_ui_virtual)
}

function shapedBy(longSide: number, ratio: [number, number] | undefined): Dimensions {
  if (!ratio) return { width: longSide, height: longSide }
  const [w, h] = ratio
  return w >= h
    ? { width: longSide, height: Math.max(1, Math.round((longSide * h) / w)) }
    : { width: Math.max(1, Math.round((longSide * w) / h)), height: longSide }
}

/**
 * Nominal dimensions for the nested create parameters of a version leaf (see
 * the module comment for the rules). Without a leaf the ratio is honoured.
 *
 * @example
 * ```ts
 * import { nominalDimensions } from './image-dimensions.js'
 * nominalDimensions({ size: '2K', aspect_ratio: '16:9' }) // { width: 2048, height: 1152 }
 * nominalDimensions({ size: '2560x1440' }) // { width: 2560, height: 1440 }
 * ```
 */
export function nominalDimensions(parameters: Record<string, unknown>, leaf?: ServerProductNode): Dimensions {
  const size = typeof parameters.size === 'string' ? parameters.size.trim().toLowerCase() : ''
  const literal = /^(\d+)\s*[x×*]\s*(\d+)$/.exec(size)
  if (literal) {
    const width = Number(literal[1])
    const height = Number(literal[2])
    if (width >= 1 && height >= 1 && width <= MAX_NOMINAL_SIDE && height <= MAX_NOMINAL_SIDE) return { width, height }
  }
  const ratio = takesAspectRatio(leaf) ? parseRatio(parameters.aspect_ratio) : undefined
  const sided = /^(\d+(?:\.\d+)?)(k|px)$/.exec(size)
  if (sided) {
    const longSide = Math.round(Number(sided[1]) * (LONG_SIDE_UNITS[sided[2] ?? ''] ?? 1))
    if (longSide >= 1 && longSide <= MAX_NOMINAL_SIDE) return shapedBy(longSide, ratio)
  }
  return shapedBy(DEFAULT_LONG_SIDE, ratio)
}

function greatestCommonDivisor(a: number, b: number): number {
  return b === 0 ? a : greatestCommonDivisor(b, a % b)
}

/**
 * The ratio a picture of these dimensions has: the name of the nearest
 * catalog ratio within 1% (rounding makes 4K 16:9 not exactly 16:9), or the
 * reduced `w:h`.
 *
 * @example
 * ```ts
 * import { ratioOf } from './image-dimensions.js'
 * ratioOf({ width: 3024, height: 1296 }) // '21:9'
 * ratioOf({ width: 1000, height: 300 }) // '10:3'
 * ```
 */
export function ratioOf(dimensions: Dimensions): string {
  const value = dimensions.width / dimensions.height
  for (const name of NAMED_RATIOS) {
    const [w, h] = parseRatio(name) ?? [1, 1]
    if (Math.abs(value / (w / h) - 1) < 0.01) return name
  }
  const divisor = greatestCommonDivisor(dimensions.width, dimensions.height)
  return `${dimensions.width / divisor}:${dimensions.height / divisor}`
}

/**
 * An `aspect_ratio` sent that the picture does not have: the service ignored
 * it (Midjourney, SeeDream next to a pixel size). Undefined when none was
 * sent or the picture has it.
 *
 * @example
 * ```ts
 * import { ignoredRatio } from './image-dimensions.js'
 * ignoredRatio({ aspect_ratio: '16:9' }, { width: 1024, height: 1024 }) // '16:9'
 * ```
 */
export function ignoredRatio(parameters: Record<string, unknown>, nominal: Dimensions): string | undefined {
  const asked = parseRatio(parameters.aspect_ratio)
  if (!asked) return undefined
  const [w, h] = asked
  return Math.abs(nominal.width / nominal.height / (w / h) - 1) < 0.01 ? undefined : String(parameters.aspect_ratio).trim()
}

/**
 * Scales down (never up) so the longest side is at most `maxSide`, keeping the ratio.
 *
 * @example
 * ```ts
 * import { fitWithin } from './image-dimensions.js'
 * fitWithin({ width: 2560, height: 1440 }, 1024) // { width: 1024, height: 576 }
 * ```
 */
export function fitWithin(dimensions: Dimensions, maxSide: number): Dimensions {
  const longest = Math.max(dimensions.width, dimensions.height)
  if (longest <= maxSide) return { width: dimensions.width, height: dimensions.height }
  const factor = maxSide / longest
  return {
    width: Math.max(1, Math.round(dimensions.width * factor)),
    height: Math.max(1, Math.round(dimensions.height * factor)),
  }
}

/**
 * The scale a picture is shown at, as written on it: '1' at full size, else
 * '1/<factor>' with at most two decimals ('1/2.5', '1/2.95', '1/4').
 *
 * @example
 * ```ts
 * import { scaleLabel } from './image-dimensions.js'
 * scaleLabel({ width: 2560, height: 1440 }, { width: 1024, height: 576 }) // '1/2.5'
 * ```
 */
export function scaleLabel(nominal: Dimensions, shown: Dimensions): string {
  const factor = Math.max(nominal.width, nominal.height) / Math.max(shown.width, shown.height)
  if (factor <= 1) return '1'
  return `1/${Number(factor.toFixed(2))}`
}

/** Longest side of a cover (thumbnail) image. */
export const COVER_SIDE = 256
