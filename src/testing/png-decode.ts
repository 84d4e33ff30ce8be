/**
 * A small PNG decoder, enough to draw a thumbnail of an input image the
 * server can read: uploads it stored and results it drew itself. 8-bit
 * grey, grey + alpha, RGB, RGBA and palette, not interlaced, all five row
 * filters. Anything else throws {@link PngDecodeError}, and the caller falls
 * back to colours from a hash of the bytes.
 */
import { crc32, inflateSync } from 'node:zlib'

/** A decoded picture: 4 bytes (RGBA) per pixel, row by row. */
export interface DecodedPng {
  width: number
  height: number
  rgba: Uint8Array
}

/**
 * Why a PNG could not be decoded; the message names the cause (16-bit,
 * interlaced, damaged…), and the caller draws a fallback.
 *
 * @example
 * ```ts
 * import { PngDecodeError } from './png-decode.js'
 * new PngDecodeError('PNG decode: interlaced PNGs are not supported').name // 'PngDecodeError'
 * ```
 */
export class PngDecodeError extends Error {
  override readonly name = 'PngDecodeError'
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
/** Larger inputs are not decoded: a thumbnail does not need 64 MB of pixels. */
export const MAX_DECODED_PIXELS = 4096 * 4096
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }

/**
 * Whether the bytes start with the PNG signature.
 *
 * @example
 * ```ts
 * import { isPng } from './png-decode.js'
 * isPng(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) // true
 * ```
 */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((value, i) => bytes[i] === value)
}

interface Header {
  width: number
  height: number
  bitDepth: number
  colourType: number
  interlace: number
}

function fail(message: string): never {
  throw new PngDecodeError(`PNG decode: ${message}`)
}

/** Undoes the per-row filters in place; `raw` holds one filter byte then `stride` bytes per row. */
function unfilter(raw: Uint8Array, height: number, stride: number, bytesPerPixel: number): void {
  for (let y = 0; y < height; y++) {
    const start = y * (stride + 1) + 1
    // The row above, or -1 on the first row (where "up" reads as 0).
    const above = y > 0 ? start - (stride + 1) : -1
    const filter = raw[start - 1]
    if (filter === 0) continue
    for (let i = 0; i < stride; i++) {
      const left = i >= bytesPerPixel ? (raw[start + i - bytesPerPixel] ?? 0) : 0
      const up = above >= 0 ? (raw[above + i] ?? 0) : 0
      let predictor: number
      if (filter === 1) predictor = left
      else if (filter === 2) predictor = up
      else if (filter === 3) predictor = (left + up) >> 1
      else if (filter === 4) {
        const upLeft = above >= 0 && i >= bytesPerPixel ? (raw[above + i - bytesPerPixel] ?? 0) : 0
        const estimate = left + up - upLeft
        const toLeft = Math.abs(estimate - left)
        const toUp = Math.abs(estimate - up)
        const toUpLeft = Math.abs(estimate - upLeft)
        predictor = toLeft <= toUp && toLeft <= toUpLeft ? left : toUp <= toUpLeft ? up : upLeft
      } else fail(`row ${y} has unknown filter type ${String(filter)}`)
      raw[start + i] = ((raw[start + i] ?? 0) + predictor) & 0xff
    }
  }
}

/** Expands unfiltered rows of any supported colour type to RGBA. */
function toRgba(raw: Uint8Array, header: Header, channels: number, palette?: Uint8Array, paletteAlpha?: Uint8Array): Uint8Array {
  const { width, height, colourType } = header
  const rgba = new Uint8Array(width * height * 4)
  const stride = width * channels
  let o = 0
  for (let y = 0; y < height; y++) {
    let i = y * (stride + 1) + 1
    for (let x = 0; x < width; x++, i += channels, o += 4) {
      const first = raw[i] ?? 0
      if (colourType === 2 || colourType === 6) {
        rgba[o] = first
        rgba[o + 1] = raw[i + 1] ?? 0
        rgba[o + 2] = raw[i + 2] ?? 0
        rgba[o + 3] = colourType === 6 ? (raw[i + 3] ?? 0) : 255
      } else if (colourType === 3) {
        const entry = first * 3
        rgba[o] = palette?.[entry] ?? 0
        rgba[o + 1] = palette?.[entry + 1] ?? 0
        rgba[o + 2] = palette?.[entry + 2] ?? 0
        rgba[o + 3] = paletteAlpha?.[first] ?? 255
      } else {
        rgba[o] = first
        rgba[o + 1] = first
        rgba[o + 2] = first
        rgba[o + 3] = colourType === 4 ? (raw[i + 1] ?? 0) : 255
      }
    }
  }
  return rgba
}

/**
 * Decodes PNG bytes to RGBA. Checks every chunk's CRC and the inflated size.
 *
 * @example
 * ```ts
 * import { decodePng, PngDecodeError } from './png-decode.js'
 * try {
 *   const { width, height, rgba } = decodePng(bytes)
 * } catch (error) {
 *   if (!(error instanceof PngDecodeError)) throw error // else: draw a fallback
 * }
 * ```
 */
export function decodePng(bytes: Uint8Array): DecodedPng {
  if (!isPng(bytes)) fail('not a PNG file (the signature is missing)')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let header: Header | undefined
  let palette: Uint8Array | undefined
  let paletteAlpha: Uint8Array | undefined
  const data: Uint8Array[] = []
  let offset = 8
  for (;;) {
    if (offset + 12 > bytes.length) fail('the file ends before the IEND chunk')
    const length = view.getUint32(offset)
    const end = offset + 12 + length
    if (end > bytes.length) fail('a chunk runs past the end of the file')
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8))
    const body = bytes.subarray(offset + 8, offset + 8 + length)
    if ((crc32(bytes.subarray(offset + 4, offset + 8 + length)) >>> 0) !== view.getUint32(offset + 8 + length)) {
      fail(`the CRC of the ${type} chunk is wrong (the file is damaged)`)
    }
    offset = end
    if (type === 'IHDR') {
      if (length !== 13) fail('IHDR must be 13 bytes')
      const ihdr = new DataView(body.buffer, body.byteOffset, body.byteLength)
      header = {
        width: ihdr.getUint32(0),
        height: ihdr.getUint32(4),
        bitDepth: body[8] ?? 0,
        colourType: body[9] ?? 0,
        interlace: body[12] ?? 0,
      }
    } else if (type === 'PLTE') palette = body
    else if (type === 'tRNS') paletteAlpha = body
    else if (type === 'IDAT') data.push(body)
    else if (type === 'IEND') break
  }
  if (!header) fail('the IHDR chunk is missing')
  const { width, height, bitDepth, colourType, interlace } = header
  const channels = CHANNELS[colourType]
  if (channels === undefined) fail(`colour type ${colourType} is not a PNG colour type`)
  if (bitDepth !== 8) fail(`bit depth ${bitDepth} is not supported (only 8-bit)`)
  if (interlace !== 0) fail('interlaced PNGs are not supported')
  if (width < 1 || height < 1) fail(`dimensions ${width}x${height} are empty`)
  if (width * height > MAX_DECODED_PIXELS) fail(`${width}x${height} is larger than ${MAX_DECODED_PIXELS} pixels`)
  if (colourType === 3 && !palette) fail('a palette image has no PLTE chunk')
  const stride = width * channels
  const expected = (stride + 1) * height
  let raw: Uint8Array
  try {
    raw = inflateSync(Buffer.concat(data), { maxOutputLength: expected })
  } catch (error) {
    fail(`the image data does not inflate (${error instanceof Error ? error.message : String(error)})`)
  }
  if (raw.length !== expected) fail(`the image data is ${raw.length} bytes, expected ${expected}`)
  unfilter(raw, height, stride, channels)

  const rgba = toRgba(raw, header, channels, palette, colourType === 3 ? paletteAlpha : undefined)
  return { width, height, rgba }
}
