/**
 * Image type sniffing from magic numbers. The upload host stores whatever it
 * is sent under the type it is told, so the type must come from the bytes —
 * never from a file name or extension, which are easily wrong (a PNG saved as
 * `photo.jpg` is common). Written here rather than taken from `file-type`
 * because that package is ESM-only and pulls in Node-only code, and the core
 * must stay importable in browsers and workers.
 */

/** An image type the SDK recognises. @public */
export interface ImageType {
  /** MIME type sent as `Content-Type` and `fContentType`, e.g. `image/png`. */
  mime: ImageMime
  /** Extension sent as `fSuffix`, e.g. `png`. */
  extension: string
}

/** The MIME types {@link sniffImageType} can return. @public */
export type ImageMime = 'image/jpeg' | 'image/png' | 'image/webp' | 'image/gif' | 'image/bmp' | 'image/heic' | 'image/heif' | 'image/avif'

/** How many leading bytes {@link sniffImageType} looks at; fewer are fine for most types. */
export const IMAGE_SNIFF_BYTES = 64

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
// BITMAPINFOHEADER and its relatives, by header size: 'BM' alone is too weak a signature.
const BMP_DIB_HEADER_SIZES = new Set([12, 16, 40, 52, 56, 64, 108, 124])
const AVIF_BRANDS = new Set(['avif', 'avis'])
const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs'])
// Generic HEIF brands: the image may be HEVC, AV1 or something else inside.
const HEIF_BRANDS = new Set(['mif1', 'msf1', 'mif2'])

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false
  return signature.every((byte, index) => bytes[offset + index] === byte)
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  if (bytes.length < end) return ''
  return String.fromCharCode(...bytes.subarray(start, end))
}

function uint32BE(bytes: Uint8Array, offset: number): number {
  return (((bytes[offset] ?? 0) << 24) | ((bytes[offset + 1] ?? 0) << 16) | ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0)) >>> 0
}

function uint32LE(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) | ((bytes[offset + 1] ?? 0) << 8) | ((bytes[offset + 2] ?? 0) << 16) | ((bytes[offset + 3] ?? 0) << 24)) >>> 0
}

/** Reads an ISO-BMFF `ftyp` box: the major brand, then the compatible brands that fit in `bytes`. */
function ftypBrands(bytes: Uint8Array): string[] {
  if (ascii(bytes, 4, 8) !== 'ftyp') return []
  const boxSize = uint32BE(bytes, 0)
  const end = Math.min(bytes.length, boxSize >= 16 ? boxSize : bytes.length)
  const brands = [ascii(bytes, 8, 12)]
  // Bytes 12–16 are the minor version; compatible brands follow, four bytes each.
  for (let offset = 16; offset + 4 <= end; offset += 4) brands.push(ascii(bytes, offset, offset + 4))
  return brands.filter((brand) => brand !== '')
}

function sniffFtyp(bytes: Uint8Array): ImageType | undefined {
  const brands = ftypBrands(bytes)
  // The major brand decides when it is specific; otherwise the first specific compatible brand.
  for (const brand of brands) {
    if (AVIF_BRANDS.has(brand)) return { mime: 'image/avif', extension: 'avif' }
    if (HEIC_BRANDS.has(brand)) return { mime: 'image/heic', extension: 'heic' }
  }
  if (brands.some((brand) => HEIF_BRANDS.has(brand))) return { mime: 'image/heif', extension: 'heif' }
  return undefined
}

/**
 * The image type of `bytes`, from their first bytes (pass at least
 * {@link IMAGE_SNIFF_BYTES} when you have them), or `undefined` when they are
 * not a JPEG, PNG, WebP, GIF, BMP, HEIC/HEIF or AVIF image.
 *
 * @example
 * ```ts
 * sniffImageType(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) // { mime: 'image/png', extension: 'png' }
 * ```
 * @public
 */
export function sniffImageType(bytes: Uint8Array): ImageType | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { mime: 'image/jpeg', extension: 'jpeg' }
  if (startsWith(bytes, PNG_SIGNATURE)) return { mime: 'image/png', extension: 'png' }
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return { mime: 'image/webp', extension: 'webp' }
  const gif = ascii(bytes, 0, 6)
  if (gif === 'GIF87a' || gif === 'GIF89a') return { mime: 'image/gif', extension: 'gif' }
  if (ascii(bytes, 0, 2) === 'BM' && BMP_DIB_HEADER_SIZES.has(uint32LE(bytes, 14))) return { mime: 'image/bmp', extension: 'bmp' }
  return sniffFtyp(bytes)
}

// Spellings callers use for the same type.
const MIME_ALIASES: Record<string, ImageMime> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/x-png': 'image/png',
  'image/x-ms-bmp': 'image/bmp',
  'image/x-bmp': 'image/bmp',
  'image/heic-sequence': 'image/heic',
  'image/heif-sequence': 'image/heif',
}

/** `image/HEIC; charset=…` → `image/heic`, aliases (`image/jpg`) → their usual spelling. */
export function normaliseMime(contentType: string): string {
  const bare = contentType.split(';')[0]?.trim().toLowerCase() ?? ''
  return MIME_ALIASES[bare] ?? bare
}

/**
 * Whether a caller's `contentType` agrees with the sniffed type. HEIC is a
 * kind of HEIF, so `image/heif` is accepted for HEIC bytes and the reverse.
 */
export function contentTypeMatches(declared: string, sniffed: ImageMime): boolean {
  const mime = normaliseMime(declared)
  if (mime === sniffed) return true
  const heifFamily = new Set(['image/heic', 'image/heif'])
  return heifFamily.has(mime) && heifFamily.has(sniffed)
}
