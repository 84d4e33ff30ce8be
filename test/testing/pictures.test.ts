/**
 * The result pictures say what arrived: their size follows the request, the
 * model, size, index and input change them, and the same request gives the
 * same bytes. The PNGs are decoded by a decoder written here, independent of
 * the server's own.
 */
import { createHash, randomBytes } from 'node:crypto'
import { deflateSync, inflateSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startImaServer } from '../../src/testing/index.js'
import { PICTURE_CACHE_BYTES, PictureCache } from '../../src/testing/picture-cache.js'
import type { ImaServer, ServerProductNode, TaskCategory } from '../../src/testing/index.js'
import { create, createBodyFor, pollMedias } from './local-http.js'

/** A decoded result: RGB(A) bytes row by row, and the tEXt chunks by keyword. */
interface Decoded {
  width: number
  height: number
  channels: number
  pixels: Buffer
  text: Record<string, string>
}

/** Decodes an 8-bit RGB or RGBA, non-interlaced PNG, undoing all five row filters. */
function decodeTestPng(png: Buffer): Decoded {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  let width = 0
  let height = 0
  let channels = 0
  const data: Buffer[] = []
  const text: Record<string, string> = {}
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset)
    const type = png.toString('latin1', offset + 4, offset + 8)
    const body = png.subarray(offset + 8, offset + 8 + length)
    offset += 12 + length
    if (type === 'IHDR') {
      width = body.readUInt32BE(0)
      height = body.readUInt32BE(4)
      expect(body[8]).toBe(8)
      expect([2, 6]).toContain(body[9])
      expect(body[12]).toBe(0)
      channels = body[9] === 6 ? 4 : 3
    } else if (type === 'IDAT') data.push(body)
    else if (type === 'tEXt') {
      const zero = body.indexOf(0)
      text[body.toString('latin1', 0, zero)] = body.toString('latin1', zero + 1)
    }
  }
  const stride = width * channels
  const raw = inflateSync(Buffer.concat(data))
  expect(raw.length).toBe((stride + 1) * height)
  const pixels = Buffer.alloc(stride * height)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    for (let i = 0; i < stride; i++) {
      const value = raw[y * (stride + 1) + 1 + i] ?? 0
      const left = i >= channels ? (pixels[y * stride + i - channels] ?? 0) : 0
      const up = y > 0 ? (pixels[(y - 1) * stride + i] ?? 0) : 0
      const upLeft = y > 0 && i >= channels ? (pixels[(y - 1) * stride + i - channels] ?? 0) : 0
      let predictor: number
      if (filter === 0) predictor = 0
      else if (filter === 1) predictor = left
      else if (filter === 2) predictor = up
      else if (filter === 3) predictor = (left + up) >> 1
      else if (filter === 4) {
        const p = left + up - upLeft
        const [a, b, c] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)]
        predictor = a <= b && a <= c ? left : b <= c ? up : upLeft
      } else throw new Error(`row ${y}: unknown filter ${filter}`)
      pixels[y * stride + i] = (value + predictor) & 0xff
    }
  }
  return { width, height, channels, pixels, text }
}

type Rgba = [number, number, number, number]

/** Filters one row the way an encoder may (types 0-4); `previous` is the unfiltered row above, zeros on the first. */
function filterRow(row: Buffer, previous: Buffer, filter: number, bytesPerPixel: number): Buffer {
  const out = Buffer.alloc(row.length + 1)
  out[0] = filter
  for (let i = 0; i < row.length; i++) {
    const left = i >= bytesPerPixel ? (row[i - bytesPerPixel] ?? 0) : 0
    const up = previous[i] ?? 0
    const upLeft = i >= bytesPerPixel ? (previous[i - bytesPerPixel] ?? 0) : 0
    const p = left + up - upLeft
    const paeth = Math.abs(p - left) <= Math.abs(p - up) && Math.abs(p - left) <= Math.abs(p - upLeft) ? left : Math.abs(p - up) <= Math.abs(p - upLeft) ? up : upLeft
    const predictor = [0, left, up, (left + up) >> 1, paeth][filter] ?? 0
    out[i + 1] = ((row[i] ?? 0) - predictor) & 0xff
  }
  return out
}

/**
 * A PNG to upload as an input, in any 8-bit colour type (0 grey, 2 RGB, 3
 * palette, 4 grey + alpha, 6 RGBA) with every row filtered by `filter`.
 */
function encodeTestPng(
  width: number,
  height: number,
  colourAt: (x: number, y: number) => Rgba,
  options: { colourType?: 0 | 2 | 3 | 4 | 6; filter?: number; bitDepth?: number } = {},
): Buffer {
  const { colourType = 2, filter = 0, bitDepth = 8 } = options
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colourType]
  const palette: Rgba[] = []
  const rows: Buffer[] = []
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(width * channels)
    for (let x = 0; x < width; x++) {
      const [r, g, b, a] = colourAt(x, y)
      let values: number[]
      if (colourType === 0) values = [r]
      else if (colourType === 2) values = [r, g, b]
      else if (colourType === 4) values = [r, a]
      else if (colourType === 6) values = [r, g, b, a]
      else {
        let index = palette.findIndex((entry) => entry.every((value, i) => value === [r, g, b, a][i]))
        if (index < 0) index = palette.push([r, g, b, a]) - 1
        values = [index]
      }
      row.set(values, x * channels)
    }
    rows.push(row)
  }
  const raw = Buffer.concat(rows.map((row, y) => filterRow(row, rows[y - 1] ?? Buffer.alloc(row.length), filter, channels)))
  const chunk = (type: string, body: Buffer): Buffer => {
    const head = Buffer.alloc(4)
    head.writeUInt32BE(body.length)
    const typed = Buffer.concat([Buffer.from(type, 'latin1'), body])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(typed))
    return Buffer.concat([head, typed, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = bitDepth
  ihdr[9] = colourType
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...(colourType === 3
      ? [chunk('PLTE', Buffer.from(palette.flatMap(([r, g, b]) => [r, g, b]))), chunk('tRNS', Buffer.from(palette.map(([, , , a]) => a)))]
      : []),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/** CRC-32 as PNG defines it, written out so the test needs nothing from the server. */
function crc32(bytes: Buffer): number {
  let crc = 0xffffffff
  for (const byte of bytes) {
    crc ^= byte
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1
  }
  return (crc ^ 0xffffffff) >>> 0
}

/** Share of pixels that differ between two decoded pictures of the same dimensions. */
function differingShare(a: Decoded, b: Decoded): number {
  expect([a.width, a.height]).toEqual([b.width, b.height])
  let differing = 0
  for (let i = 0; i < a.pixels.length; i += a.channels) {
    if (a.pixels[i] !== b.pixels[i] || a.pixels[i + 1] !== b.pixels[i + 1] || a.pixels[i + 2] !== b.pixels[i + 2]) differing++
  }
  return differing / (a.width * a.height)
}

/** Pixels of exactly this colour. */
function countColour(picture: Decoded, [r, g, b]: [number, number, number]): number {
  let count = 0
  for (let i = 0; i < picture.pixels.length; i += picture.channels) {
    if (picture.pixels[i] === r && picture.pixels[i + 1] === g && picture.pixels[i + 2] === b) count++
  }
  return count
}

function findLeaf(nodes: readonly ServerProductNode[], id: string): ServerProductNode | undefined {
  for (const node of nodes) {
    if (node.type === '3' && node.id === id) return node
    const found = findLeaf(node.children ?? [], id)
    if (found) return found
  }
  return undefined
}

interface Ask {
  version: string
  size?: string
  ratio?: string
  prompt?: string
  n?: number
  inputs?: string[]
}

/** A create body shaped like the protocol's §2, with the rule read from the server's own list. */
function bodyFor(server: ImaServer, ask: Ask): unknown {
  const category: TaskCategory = ask.inputs ? 'image_to_image' : 'text_to_image'
  const leaf = findLeaf(server.catalog(category), ask.version)
  if (!leaf) throw new Error(`no leaf ${ask.version}`)
  const rules = leaf.credit_rules ?? []
  const rule = rules.find((r) => r.attributes.size === ask.size) ?? rules[0]
  if (!rule) throw new Error(`no rule on ${ask.version}`)
  return createBodyFor(
    category,
    leaf,
    rule,
    {
      ...(ask.size === undefined ? {} : { size: ask.size }),
      ...(ask.ratio === undefined ? {} : { aspect_ratio: ask.ratio }),
      prompt: ask.prompt ?? 'a lighthouse at dusk',
      n: ask.n ?? 1,
    },
    ask.inputs ?? [],
  )
}

async function download(url: string): Promise<Buffer> {
  const res = await fetch(url)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toBe('image/png')
  return Buffer.from(await res.arrayBuffer())
}

/** Creates a task, polls it to the end ('polls' progression) and returns its finished medias. */
async function finished(server: ImaServer, ask: Ask): Promise<any[]> {
  const answer = await create(server, bodyFor(server, ask))
  expect(answer.json).toMatchObject({ code: 0 })
  const seen = await pollMedias(server, answer.json.data.id, 4)
  const medias = seen[3] ?? []
  expect(medias.length).toBe(ask.n ?? 1)
  return medias
}

/** The first picture of a finished task: the raw bytes and the decoded picture. */
async function picture(server: ImaServer, ask: Ask): Promise<{ bytes: Buffer; decoded: Decoded; media: any }> {
  const [media] = await finished(server, ask)
  const bytes = await download(media.url)
  return { bytes, decoded: decodeTestPng(bytes), media }
}

/** Uploads bytes the way the reference client does (token, then PUT) and returns the CDN URL. */
async function upload(server: ImaServer, bytes: Buffer, suffix: string, contentType: string): Promise<string> {
  const timestamp = String(Math.floor(Date.now() / 1000))
  const nonce = randomBytes(11).toString('hex').slice(0, 21)
  const sign = createHash('sha1').update(`webAgent|32jdskjdk320eew|${timestamp}|${nonce}`).digest('hex').toUpperCase()
  const fields = {
    appUid: server.apiKey,
    appId: 'webAgent',
    appKey: '32jdskjdk320eew',
    cmimToken: server.apiKey,
    timestamp,
    nonce,
    sign,
    fService: 'privite',
    fType: 'picture',
    fSuffix: suffix,
    fContentType: contentType,
  }
  const token = await fetch(`${server.uploadURL}/api/rest/oss/getuploadtoken`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  })
  const { data } = (await token.json()) as { data: { ful: string; fdl: string } }
  const put = await fetch(data.ful, { method: 'PUT', headers: { 'content-type': contentType }, body: new Uint8Array(bytes) })
  expect(put.status).toBe(200)
  return data.fdl
}

const MAGENTA: [number, number, number] = [255, 0, 255]
const GREEN: [number, number, number] = [0, 255, 0]
const TIMEOUT_MS = 30_000

describe('local IMA server: result pictures', () => {
  let server: ImaServer
  beforeAll(async () => {
    server = await startImaServer({ progression: 'polls' })
  })
  afterAll(() => server.close())

  // [version, size, ratio, requested width × height, served width × height (maxImageSide 1024), scale]
  const sizes: [string, string, string | undefined, [number, number], [number, number], string][] = [
    ['gemini-3.1-flash-image-preview', '512px', '4:3', [512, 384], [512, 384], '1'],
    ['gemini-3.1-flash-image-preview', '1K', '16:9', [1024, 576], [1024, 576], '1'],
    ['gemini-3.1-flash-image-preview', '4K', '9:16', [2304, 4096], [576, 1024], '1/4'],
    ['gemini-3-pro-image-preview', '2K', '3:4', [1536, 2048], [768, 1024], '1/2'],
    ['gemini-3-pro-image-preview', '1K', undefined, [1024, 1024], [1024, 1024], '1'],
    ['doubao-seedream-4-5-251128', '2560x1440', undefined, [2560, 1440], [1024, 576], '1/2.5'],
    ['doubao-seedream-4-5-251128', '3024x1296', undefined, [3024, 1296], [1024, 439], '1/2.95'],
    ['doubao-seedream-4-5-251128', '4k', undefined, [4096, 4096], [1024, 1024], '1/4'],
    ['v6', '720p', undefined, [1024, 1024], [1024, 1024], '1'],
  ]
  it.each(sizes)(
    '%s at size %s, ratio %s: requested %j, served %j at %s',
    async (version, size, ratio, [requestedWidth, requestedHeight], [width, height], scale) => {
      const { decoded, media } = await picture(server, { version, size, ...(ratio ? { ratio } : {}) })
      expect([decoded.width, decoded.height]).toEqual([width, height])
      // The task detail reports the served file's real dimensions, so a download agrees with it.
      expect([media.width, media.height]).toEqual([width, height])
      expect(decoded.text).toMatchObject({
        Software: 'ima-open-sdk local server',
        'ima:size': size,
        'ima:requested-width': String(requestedWidth),
        'ima:requested-height': String(requestedHeight),
        'ima:scale': scale,
      })
      expect(decoded.text.Comment).toMatch(/^LOCAL TEST IMAGE/)
      expect(decoded.text['ima:model']).toBe(findLeaf(server.catalog('text_to_image'), version)?.name)
      const cover = decodeTestPng(await download(media.cover_url))
      expect(Math.max(cover.width, cover.height)).toBe(Math.min(256, Math.max(width, height)))
    },
    TIMEOUT_MS,
  )

  it(
    'names a catalog ratio even when the pixels reduce to another (3024x1296 is 21:9)',
    async () => {
      const { decoded } = await picture(server, { version: 'doubao-seedream-4-5-251128', size: '3024x1296' })
      expect(decoded.text['ima:ratio']).toBe('21:9')
    },
    TIMEOUT_MS,
  )

  it(
    'draws a different picture for another model or another size, at the same served dimensions',
    async () => {
      const banana2 = await picture(server, { version: 'gemini-3.1-flash-image-preview', size: '1K', ratio: '1:1' })
      const pro1k = await picture(server, { version: 'gemini-3-pro-image-preview', size: '1K', ratio: '1:1' })
      const pro2k = await picture(server, { version: 'gemini-3-pro-image-preview', size: '2K', ratio: '1:1' })
      expect(differingShare(banana2.decoded, pro1k.decoded)).toBeGreaterThan(0.5)
      expect(differingShare(pro1k.decoded, pro2k.decoded)).toBeGreaterThan(0.5)
    },
    TIMEOUT_MS,
  )

  it(
    'gives the same bytes for the same request and different ones for another prompt',
    async () => {
      const ask: Ask = { version: 'gemini-3-pro-image-preview', size: '1K', ratio: '16:9', prompt: 'same prompt' }
      const first = await picture(server, ask)
      const again = await picture(server, ask)
      const other = await picture(server, { ...ask, prompt: 'another prompt' })
      expect(again.bytes.equals(first.bytes)).toBe(true)
      expect(differingShare(first.decoded, other.decoded)).toBeGreaterThan(0.5)
    },
    TIMEOUT_MS,
  )

  it(
    'draws n = 2 pictures that differ from each other',
    async () => {
      const medias = await finished(server, { version: 'gemini-3.1-flash-image-preview', size: '1K', ratio: '4:3', n: 2 })
      const [a, b] = await Promise.all(medias.map(async (media) => decodeTestPng(await download(media.url))))
      expect(a?.text['ima:index']).toBe('0')
      expect(b?.text['ima:index']).toBe('1')
      expect(differingShare(a!, b!)).toBeGreaterThan(0.5)
    },
    TIMEOUT_MS,
  )

  it(
    'image_to_image shows a thumbnail of an uploaded PNG: another input, another picture; the same bytes, the same picture',
    async () => {
      const magenta = encodeTestPng(64, 48, () => [...MAGENTA, 255])
      const green = encodeTestPng(64, 48, () => [...GREEN, 255])
      const ask = (url: string): Ask => ({ version: 'gemini-3.1-flash-image-preview', size: '1K', ratio: '1:1', inputs: [url] })
      const fromMagenta = await picture(server, ask(await upload(server, magenta, 'png', 'image/png')))
      const fromGreen = await picture(server, ask(await upload(server, green, 'png', 'image/png')))
      // A fresh upload of the same bytes has another URL, but it is the same input.
      const fromMagentaAgain = await picture(server, ask(await upload(server, magenta, 'png', 'image/png')))
      expect(fromMagenta.decoded.text['ima:inputs']).toMatch(/^PNG 64×48 /)
      // The thumbnail is a large block of the input's own colour.
      expect(countColour(fromMagenta.decoded, MAGENTA)).toBeGreaterThan(10_000)
      expect(countColour(fromMagenta.decoded, GREEN)).toBe(0)
      expect(countColour(fromGreen.decoded, GREEN)).toBeGreaterThan(10_000)
      expect(differingShare(fromMagenta.decoded, fromGreen.decoded)).toBeGreaterThan(0.05)
      expect(fromMagentaAgain.bytes.equals(fromMagenta.bytes)).toBe(true)
    },
    TIMEOUT_MS,
  )

  it.each([
    [0, 0],
    [2, 1],
    [3, 2],
    [4, 3],
    [6, 4],
  ] as const)(
    'reads an uploaded PNG of colour type %i with filter %i and shows its pixels',
    async (colourType, filter) => {
      // A gradient except the bottom-right quadrant, which every row filter reaches only through the pixels before it.
      const solid: Rgba = colourType === 0 || colourType === 4 ? [77, 77, 77, 255] : [10, 200, 30, 255]
      const input = encodeTestPng(
        40,
        30,
        // 100 colours at most, so the palette variant fits in 256 entries.
        (x, y) => (x >= 20 && y >= 15 ? solid : [(x % 10) * 25, (y % 10) * 25, ((x + y) % 10) * 25, 255]),
        { colourType, filter },
      )
      const url = await upload(server, input, 'png', 'image/png')
      const { decoded } = await picture(server, { version: 'gemini-3.1-flash-image-preview', size: '1K', ratio: '1:1', inputs: [url] })
      expect(decoded.text['ima:inputs']).toMatch(/^PNG 40×30 /)
      expect(countColour(decoded, [solid[0], solid[1], solid[2]])).toBeGreaterThan(10_000)
    },
    TIMEOUT_MS,
  )

  it(
    'falls back to the input colours for a PNG it does not decode (16-bit)',
    async () => {
      const deep = encodeTestPng(8, 8, () => [1, 2, 3, 255], { bitDepth: 16 })
      const url = await upload(server, deep, 'png', 'image/png')
      const { decoded } = await picture(server, { version: 'gemini-3.1-flash-image-preview', size: '1K', ratio: '1:1', inputs: [url] })
      expect(decoded.text['ima:inputs']).toMatch(/^PNG, NOT DECODED /)
    },
    TIMEOUT_MS,
  )

  it(
    'image_to_image still depends on inputs it cannot decode: JPEG bytes, and URLs it does not host',
    async () => {
      const jpeg = (fill: number): Buffer => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(256, fill)])
      const ask = (url: string): Ask => ({ version: 'doubao-seedream-4-5-251128', size: '2048x2048', inputs: [url] })
      const jpegA = await picture(server, ask(await upload(server, jpeg(1), 'jpeg', 'image/jpeg')))
      const jpegB = await picture(server, ask(await upload(server, jpeg(2), 'jpeg', 'image/jpeg')))
      expect(jpegA.decoded.text['ima:inputs']).toMatch(/^JPEG, NOT DECODED /)
      expect(differingShare(jpegA.decoded, jpegB.decoded)).toBeGreaterThan(0.5)
      const remoteA = await picture(server, ask('https://images.example.com/a.jpg'))
      const remoteB = await picture(server, ask('https://images.example.com/b.jpg'))
      const remoteAAgain = await picture(server, ask('https://images.example.com/a.jpg'))
      expect(remoteA.decoded.text['ima:inputs']).toMatch(/^URL NOT HOSTED HERE /)
      expect(differingShare(remoteA.decoded, remoteB.decoded)).toBeGreaterThan(0.5)
      expect(remoteAAgain.bytes.equals(remoteA.bytes)).toBe(true)
    },
    TIMEOUT_MS,
  )

  it(
    'a result fed back as an input is read back as a picture',
    async () => {
      const first = await picture(server, { version: 'gemini-3.1-flash-image-preview', size: '1K', ratio: '16:9' })
      const derived = await picture(server, { version: 'gemini-3-pro-image-preview', size: '1K', ratio: '16:9', inputs: [first.media.url] })
      expect(derived.decoded.text['ima:inputs']).toMatch(/^PNG 1024×576 /)
      expect(derived.decoded.text['ima:task-type']).toBe('image_to_image')
    },
    TIMEOUT_MS,
  )
})

// A long-running `ima serve` kept every picture it ever drew (a few hundred kB each): the cache now has a byte budget,
// and a picture dropped from it is drawn again byte for byte, since drawing has no clock and no randomness.
describe('local IMA server: the drawn pictures kept', () => {
  const png = (bytes: number, fill: number) => Buffer.alloc(bytes, fill)

  it('drops the least recently used past its byte budget, never the picture just drawn', () => {
    const cache = new PictureCache(250)
    cache.set('/a', png(100, 1))
    cache.set('/b', png(100, 2))
    expect(cache.get('/a')?.[0]).toBe(1) // now the newest: /b is dropped first
    cache.set('/c', png(100, 3))
    expect(cache.get('/b')).toBeUndefined()
    expect([cache.get('/a')?.[0], cache.get('/c')?.[0]]).toEqual([1, 3])
    expect(cache.bytes).toBe(200)
    cache.set('/huge', png(400, 4))
    expect(cache.get('/huge')?.[0]).toBe(4)
    expect([cache.get('/a'), cache.get('/c')]).toEqual([undefined, undefined])
    expect(cache.bytes).toBe(400)
    cache.set('/huge', png(50, 5))
    expect(cache.bytes).toBe(50)
    cache.clear()
    expect(cache.bytes).toBe(0)
  })

  it('keeps 64 MiB by default', () => {
    expect(PICTURE_CACHE_BYTES).toBe(64 * 2 ** 20)
    const cache = new PictureCache()
    for (let index = 0; index < 65; index += 1) cache.set(`/files/t/${index}.png`, png(2 ** 20, index))
    expect(cache.bytes).toBe(64 * 2 ** 20)
    expect(cache.get('/files/t/0.png')).toBeUndefined()
    expect(cache.get('/files/t/64.png')?.[0]).toBe(64)
  })
})
