/**
 * A minimal PNG encoder (8-bit RGB, Sub filter, optional tEXt chunks),
 * enough for any viewer to open the results without a dependency.
 */
import { crc32, deflateSync } from 'node:zlib'

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
/** Filter type 1 (Sub): each byte minus the one a pixel to its left; smooth pictures compress far better. */
const SUB_FILTER = 1
const BYTES_PER_PIXEL = 3
/** Level 3 of 9: a 1024² picture deflates in a few milliseconds, a little larger than at the default 6. */
const DEFLATE_LEVEL = 3

function chunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const out = Buffer.alloc(8 + data.length + 4)
  out.writeUInt32BE(data.length, 0)
  typeAndData.copy(out, 4)
  // The CRC covers the type and the data, not the length.
  out.writeUInt32BE(crc32(typeAndData) >>> 0, 8 + data.length)
  return out
}

/** PNG keywords: 1–79 printable Latin-1 characters, no leading, trailing or double spaces. */
function checkKeyword(keyword: string): void {
  const printable = /^[\x21-\x7e\xa1-\xff]+(?: [\x21-\x7e\xa1-\xff]+)*$/.test(keyword)
  if (!printable || keyword.length > 79) {
    throw new RangeError(`PNG tEXt keyword ${JSON.stringify(keyword)} must be 1-79 printable Latin-1 characters`)
  }
}

/** A tEXt chunk; text outside Latin-1 (which tEXt cannot hold) becomes '?'. */
function textChunk(keyword: string, text: string): Buffer {
  checkKeyword(keyword)
  const latin1 = text.replace(/[^\x20-\x7e\xa0-\xff\n]/g, '?')
  return chunk('tEXt', Buffer.from(`${keyword}\0${latin1}`, 'latin1'))
}

/**
 * Encodes `rgb` (width × height × 3 bytes, row by row) as a PNG file, with
 * one tEXt chunk per entry of `text`, in order, before the image data.
 *
 * @example
 * ```ts
 * import { encodePng } from './png.js'
 * const red = new Uint8Array([255, 0, 0])
 * const png = encodePng(1, 1, red, { Software: 'ima-open-sdk local server' })
 * ```
 */
export function encodePng(width: number, height: number, rgb: Uint8Array, text: Readonly<Record<string, string>> = {}): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`PNG dimensions must be positive integers, got ${width}x${height}`)
  }
  const rowBytes = width * BYTES_PER_PIXEL
  if (rgb.length !== rowBytes * height) throw new RangeError('PNG pixel buffer has the wrong length')
  const raw = Buffer.alloc((rowBytes + 1) * height)
  for (let y = 0; y < height; y++) {
    const source = y * rowBytes
    const target = y * (rowBytes + 1) + 1
    raw[target - 1] = SUB_FILTER
    raw.set(rgb.subarray(source, source + BYTES_PER_PIXEL), target)
    // Byte arrays wrap on store, so the difference needs no `& 0xff`.
    for (let i = BYTES_PER_PIXEL; i < rowBytes; i++) raw[target + i] = (rgb[source + i] as number) - (rgb[source + i - BYTES_PER_PIXEL] as number)
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8 // bit depth
  header[9] = 2 // colour type: RGB
  header[10] = 0 // compression: deflate
  header[11] = 0 // filter method
  header[12] = 0 // no interlace
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    ...Object.entries(text).map(([keyword, value]) => textChunk(keyword, value)),
    chunk('IDAT', deflateSync(raw, { level: DEFLATE_LEVEL })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}
