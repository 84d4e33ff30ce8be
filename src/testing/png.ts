/**
 * A minimal PNG encoder (8-bit RGB, no filtering), enough for any viewer to
 * open the results without a dependency.
 */
import { crc32, deflateSync } from 'node:zlib'

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

function chunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const out = Buffer.alloc(8 + data.length + 4)
  out.writeUInt32BE(data.length, 0)
  typeAndData.copy(out, 4)
  // The CRC covers the type and the data, not the length.
  out.writeUInt32BE(crc32(typeAndData) >>> 0, 8 + data.length)
  return out
}

/**
 * Encodes `rgb` (width × height × 3 bytes, row by row) as a PNG file.
 * Each row gets filter byte 0 (none): simple and always valid.
 */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`PNG dimensions must be positive integers, got ${width}x${height}`)
  }
  const rowBytes = width * 3
  if (rgb.length !== rowBytes * height) throw new RangeError('PNG pixel buffer has the wrong length')
  const raw = Buffer.alloc((rowBytes + 1) * height)
  for (let y = 0; y < height; y++) {
    const start = y * (rowBytes + 1)
    raw[start] = 0
    raw.set(rgb.subarray(y * rowBytes, (y + 1) * rowBytes), start + 1)
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
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}
