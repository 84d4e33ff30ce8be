/**
 * Turns the size a create asked for into picture dimensions: first the
 * nominal ones (what the real service would produce), then the ones actually
 * served (scaled down so tests stay fast).
 */

/** Width and height in pixels. */
export interface Dimensions {
  width: number
  height: number
}

const LONG_SIDES: Record<string, number> = { '512px': 512, '1K': 1024, '2K': 2048, '4K': 4096 }
const SQUARE_SIDES: Record<string, number> = { '2k': 2048, '4k': 4096 }
const MAX_NOMINAL_SIDE = 16384

function parseRatio(value: unknown): [number, number] | undefined {
  if (typeof value !== 'string') return undefined
  const match = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(value.trim())
  if (!match) return undefined
  const w = Number(match[1])
  const h = Number(match[2])
  return w > 0 && h > 0 ? [w, h] : undefined
}

/**
 * Nominal dimensions for the nested create parameters: '1K'-style sizes are
 * the long side (shaped by `aspect_ratio`), SeeDream's '2k'/'4k' are square,
 * 'WxH' is literal, and anything else (Midjourney's '480p'…) is 1024².
 */
export function nominalDimensions(parameters: Record<string, unknown>): Dimensions {
  const size = typeof parameters.size === 'string' ? parameters.size : ''
  const longSide = LONG_SIDES[size]
  if (longSide !== undefined) {
    const ratio = parseRatio(parameters.aspect_ratio)
    if (!ratio) return { width: longSide, height: longSide }
    const [w, h] = ratio
    return w >= h
      ? { width: longSide, height: Math.max(1, Math.round((longSide * h) / w)) }
      : { width: Math.max(1, Math.round((longSide * w) / h)), height: longSide }
  }
  const square = SQUARE_SIDES[size]
  if (square !== undefined) return { width: square, height: square }
  const literal = /^(\d+)x(\d+)$/.exec(size)
  if (literal) {
    const width = Number(literal[1])
    const height = Number(literal[2])
    if (width >= 1 && height >= 1 && width <= MAX_NOMINAL_SIDE && height <= MAX_NOMINAL_SIDE) return { width, height }
  }
  return { width: 1024, height: 1024 }
}

/** Scales down (never up) so the longest side is at most `maxSide`, keeping the ratio. */
export function fitWithin(dimensions: Dimensions, maxSide: number): Dimensions {
  const longest = Math.max(dimensions.width, dimensions.height)
  if (longest <= maxSide) return { ...dimensions }
  const factor = maxSide / longest
  return {
    width: Math.max(1, Math.round(dimensions.width * factor)),
    height: Math.max(1, Math.round(dimensions.height * factor)),
  }
}

/** Longest side of a cover (thumbnail) image. */
export const COVER_SIDE = 256
