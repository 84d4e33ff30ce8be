import { describe, expect, it } from 'vitest'
import { sniffImageType } from 'ima-open-sdk/protocol'
import { contentTypeMatches, normaliseMime } from '../../src/protocol/image-type.js'

const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0))
const bytes = (...parts: Array<number[] | string>) => new Uint8Array(parts.flatMap((part) => (typeof part === 'string' ? ascii(part) : part)))
const u32be = (value: number) => [(value >>> 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255]
const u32le = (value: number) => [value & 255, (value >>> 8) & 255, (value >>> 16) & 255, (value >>> 24) & 255]
/** An ISO-BMFF `ftyp` box with a major brand and compatible brands. */
const ftyp = (major: string, ...compatible: string[]) => bytes(u32be(16 + 4 * compatible.length), 'ftyp', major, [0, 0, 0, 0], ...compatible)

describe('sniffImageType', () => {
  it.each([
    ['JPEG', bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10], 'JFIF'), 'image/jpeg', 'jpeg'],
    ['PNG', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], 'IHDR'), 'image/png', 'png'],
    ['WebP', bytes('RIFF', u32le(1000), 'WEBPVP8 '), 'image/webp', 'webp'],
    ['GIF87a', bytes('GIF87a', [1, 0, 1, 0]), 'image/gif', 'gif'],
    ['GIF89a', bytes('GIF89a', [1, 0, 1, 0]), 'image/gif', 'gif'],
    ['BMP', bytes('BM', u32le(70), [0, 0, 0, 0], u32le(54), u32le(40), u32le(1), u32le(1)), 'image/bmp', 'bmp'],
    ['HEIC', ftyp('heic', 'mif1', 'heic'), 'image/heic', 'heic'],
    ['HEIC under a generic major brand', ftyp('mif1', 'mif1', 'heic'), 'image/heic', 'heic'],
    ['HEIF (generic brands only)', ftyp('mif1', 'mif1', 'miaf'), 'image/heif', 'heif'],
    ['AVIF', ftyp('avif', 'avif', 'mif1', 'miaf'), 'image/avif', 'avif'],
    ['AVIF sequence', ftyp('avis', 'avis', 'msf1'), 'image/avif', 'avif'],
  ])('recognises %s', (_name, head, mime, extension) => {
    expect(sniffImageType(head)).toEqual({ mime, extension })
  })

  it.each([
    ['empty input', new Uint8Array()],
    ['text', bytes('hello, this is not an image')],
    ['a PDF', bytes('%PDF-1.7\n')],
    ['a ZIP', bytes([0x50, 0x4b, 0x03, 0x04])],
    ['an MP4 video (ftyp isom)', ftyp('isom', 'isom', 'iso2', 'mp41')],
    ['a QuickTime movie', ftyp('qt  ', 'qt  ')],
    ['RIFF that is not WebP (WAV)', bytes('RIFF', u32le(1000), 'WAVEfmt ')],
    ['"BM" text without a BMP header', bytes('BMW is a car brand, not a bitmap')],
    ['a truncated PNG signature', bytes([0x89, 0x50, 0x4e, 0x47])],
    ['two JPEG bytes', bytes([0xff, 0xd8])],
  ])('refuses %s', (_name, head) => {
    expect(sniffImageType(head)).toBeUndefined()
  })

  it('ignores everything after the signature (a PNG is a PNG whatever follows)', () => {
    const png = new Uint8Array(4096).fill(0x41)
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    expect(sniffImageType(png)?.mime).toBe('image/png')
  })
})

describe('content type agreement', () => {
  it('normalises case, parameters and aliases', () => {
    expect(normaliseMime(' Image/JPG; q=1')).toBe('image/jpeg')
    expect(normaliseMime('image/x-png')).toBe('image/png')
  })

  it('accepts the same type, and HEIC/HEIF for each other', () => {
    expect(contentTypeMatches('image/jpg', 'image/jpeg')).toBe(true)
    expect(contentTypeMatches('image/heif', 'image/heic')).toBe(true)
    expect(contentTypeMatches('image/heic', 'image/heif')).toBe(true)
    expect(contentTypeMatches('image/jpeg', 'image/png')).toBe(false)
    expect(contentTypeMatches('application/octet-stream', 'image/png')).toBe(false)
  })
})
