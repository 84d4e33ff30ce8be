import { inflateSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startImaServer } from '../../src/testing/index.js'
import type { ImaServer } from '../../src/testing/index.js'
import { create, nanoBanana1kBody, pollMedias } from './local-http.js'

/** Splits a PNG into its chunks, checking the signature. */
function pngChunks(png: Buffer): { type: string; data: Buffer }[] {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  const chunks: { type: string; data: Buffer }[] = []
  let offset = 8
  while (offset < png.length) {
    const length = png.readUInt32BE(offset)
    chunks.push({ type: png.toString('latin1', offset + 4, offset + 8), data: png.subarray(offset + 8, offset + 8 + length) })
    offset += 12 + length
  }
  return chunks
}

describe('local IMA server: result PNGs', () => {
  let server: ImaServer
  beforeAll(async () => {
    server = await startImaServer({ progression: 'polls', maxImageSide: 300 })
  })
  afterAll(() => server.close())

  async function finishedMedia(prompt: string, extra: Record<string, unknown>): Promise<any> {
    const body = nanoBanana1kBody()
    Object.assign(body.parameters[0].parameters, { prompt, ...extra })
    const answer = await create(server, body)
    expect(answer.json.code).toBe(0)
    const seen = await pollMedias(server, answer.json.data.id, 4)
    return seen[3]?.[0]
  }

  it('serves a valid PNG with the announced dimensions, scaled to maxImageSide', async () => {
    const media = await finishedMedia('a wide sea', { aspect_ratio: '16:9' })
    expect(media).toMatchObject({ width: 300, height: 169 })
    expect(server.tasks.at(-1)).toMatchObject({ width: 1024, height: 576 })
    const res = await fetch(media.url)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('image/png')
    const png = Buffer.from(await res.arrayBuffer())
    const chunks = pngChunks(png)
    // tEXt chunks carry the picture's metadata (see pictures.test.ts).
    expect(chunks.map((c) => c.type).filter((type) => type !== 'tEXt')).toEqual(['IHDR', 'IDAT', 'IEND'])
    const ihdr = chunks[0]!.data
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9]]).toEqual([300, 169, 8, 2])
    const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)))
    expect(raw.length).toBe(169 * (1 + 3 * 300))
    // Every row starts with a valid filter type (0-4).
    for (let row = 0; row < 169; row++) expect(raw[row * (1 + 3 * 300)]).toBeLessThanOrEqual(4)
  })

  it('serves a cover at most 256 px and answers 404 for unknown files', async () => {
    const media = await finishedMedia('a tall tree', { aspect_ratio: '9:16' })
    const cover = Buffer.from(await (await fetch(media.cover_url)).arrayBuffer())
    const ihdr = pngChunks(cover)[0]!.data
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4)]).toEqual([144, 256])
    const id = server.tasks.at(-1)!.id
    expect((await fetch(`${server.url}/files/${id}/1.png`)).status).toBe(404)
    expect((await fetch(`${server.url}/files/task_nope/0.png`)).status).toBe(404)
  })

  // HEAD answered 404 for a file GET serves, so a link checker or `curl -I` saw "not found".
  it('answers HEAD on a result file as GET does, without a body', async () => {
    const media = await finishedMedia('a checked link', {})
    const got = await fetch(media.url)
    const head = await fetch(media.url, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-type')).toBe('image/png')
    expect(head.headers.get('content-length')).toBe(String((await got.arrayBuffer()).byteLength))
    expect((await head.arrayBuffer()).byteLength).toBe(0)
    expect((await fetch(`${server.url}/files/task_nope/0.png`, { method: 'HEAD' })).status).toBe(404)
  })

  it('draws different pictures for different prompts and the same for the same prompt', async () => {
    const a = await finishedMedia('prompt one', {})
    const b = await finishedMedia('prompt two', {})
    const c = await finishedMedia('prompt one', {})
    const bytes = async (url: string): Promise<string> => Buffer.from(await (await fetch(url)).arrayBuffer()).toString('base64')
    expect(await bytes(a.url)).not.toBe(await bytes(b.url))
    expect(await bytes(a.url)).toBe(await bytes(c.url))
  })

  it('derives nominal dimensions from the size', async () => {
    const big = await startImaServer({ progression: 'polls', maxImageSide: 8192 })
    try {
      const cases: [Record<string, unknown>, number, number][] = [
        [{ size: '512px', aspect_ratio: '4:3' }, 512, 384],
        [{ size: '4K', aspect_ratio: '3:4' }, 3072, 4096],
      ]
      for (const [extra, width, height] of cases) {
        const body = nanoBanana1kBody()
        const attribute = extra.size === '512px' ? [4400, 4] : [4403, 13]
        body.parameters[0].attribute_id = attribute[0]
        body.parameters[0].credit = attribute[1]
        Object.assign(body.parameters[0].parameters, extra, { cast: { attribute_id: attribute[0], points: attribute[1] } })
        expect((await create(big, body)).json.code).toBe(0)
        expect(big.tasks.at(-1)).toMatchObject({ width, height })
      }
    } finally {
      await big.close()
    }
  })
})
