import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ApiError, ImaConfigError, ResponseValidationError, ServerError, type ImaEvents } from 'ima-open-sdk'
import { resolveConfig, type ImaClientOptions } from '../../src/core/config.js'
import type { ClientContext } from '../../src/core/context.js'
import type { EmitEvent } from '../../src/core/events.js'
import { HttpClient } from '../../src/core/http.js'
import { nodeLocalSourceReader } from '../../src/node/local-source.js'
import { attachLocalSourceReader, Uploads } from '../../src/resources/uploads.js'

const KEY = 'ima_unit_upload_key_0123456789'
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

function png(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size).map((_, index) => index % 251)
  bytes.set(PNG)
  return bytes
}

interface SeenPut {
  url: string
  headers: Headers
  body: Uint8Array
}

/**
 * A fetch standing in for the upload host: the token request gets `token`,
 * each PUT is read whole (as a server would) and answered with the next status.
 */
function uploadHost(putStatuses: number[], token = { ful: 'https://up.example.com/put/1?sig=abc', fdl: 'https://cdn.example.com/1.png' }) {
  const puts: SeenPut[] = []
  let tokens = 0
  const fetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
    if (init.method === 'PUT') {
      const body = new Uint8Array(await new Response(init.body).arrayBuffer())
      puts.push({ url: String(input), headers: new Headers(init.headers), body })
      const status = putStatuses[Math.min(puts.length - 1, putStatuses.length - 1)] ?? 200
      return new Response(status === 200 ? '' : 'failed', { status })
    }
    tokens += 1
    return new Response(JSON.stringify({ code: 0, message: 'ok', data: token }), { headers: { 'content-type': 'application/json' } })
  }) as typeof globalThis.fetch
  return { fetch, puts, tokens: () => tokens }
}

/** Uploads on a context whose retries wait 0 ms, so retry tests never sleep. */
function uploadsWith(options: ImaClientOptions) {
  const config = resolveConfig({ apiKey: KEY, uploadBaseURL: 'https://up.example.com', ...options })
  const events: Array<[keyof ImaEvents, unknown]> = []
  const emit: EmitEvent = (event, ...args) => {
    events.push([event, args[0]])
  }
  const http = new HttpClient(config, emit, { baseDelayMs: 1, random: () => 0 })
  const uploads = new Uploads({ http, config, emit } as unknown as ClientContext)
  attachLocalSourceReader(uploads, nodeLocalSourceReader)
  return { uploads, events }
}

describe('the upload PUT', () => {
  it('retries bytes after a 503 and sends them whole again, without any key', async () => {
    const host = uploadHost([503, 200])
    const { uploads, events } = uploadsWith({ fetch: host.fetch })
    const bytes = png(10_000)
    expect(await uploads.put(bytes)).toEqual({ url: 'https://cdn.example.com/1.png', contentType: 'image/png', bytes: 10_000 })
    expect(host.tokens()).toBe(1)
    expect(host.puts).toHaveLength(2)
    for (const put of host.puts) {
      expect(Buffer.compare(put.body, bytes)).toBe(0)
      expect(put.headers.get('content-type')).toBe('image/png')
      expect(put.headers.has('authorization')).toBe(false)
      expect(JSON.stringify([...put.headers])).not.toContain(KEY)
    }
    const retry = events.find(([name]) => name === 'retry')?.[1]
    expect(retry).toMatchObject({ method: 'PUT', path: '/put/1', attempt: 2, reason: 'service unavailable (503)' })
    // The signed query string stays out of events.
    expect(JSON.stringify(events.map(([name, payload]) => [name, name === 'retry' ? { ...(payload as object), error: undefined } : payload]))).not.toContain('sig=abc')
  })

  it('reopens a file for the retry', async () => {
    const host = uploadHost([500, 200])
    const { uploads } = uploadsWith({ fetch: host.fetch })
    const bytes = png(200_000)
    const dir = await mkdtemp(join(tmpdir(), 'ima-unit-upload-'))
    await writeFile(join(dir, 'a.png'), bytes)
    await uploads.put(join(dir, 'a.png'))
    expect(host.puts).toHaveLength(2)
    for (const put of host.puts) {
      // Buffer.compare: a deep toEqual over 200 000 elements takes seconds.
      expect(Buffer.compare(put.body, bytes)).toBe(0)
      expect(put.headers.get('content-length')).toBe('200000')
    }
  })

  it('does not retry a one-shot stream', async () => {
    const host = uploadHost([503, 200])
    const { uploads } = uploadsWith({ fetch: host.fetch })
    const error = await uploads.put(new Blob([png(5_000)]).stream()).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ServerError)
    expect(host.puts).toHaveLength(1)
  })

  it('does not retry a refusal (403)', async () => {
    const host = uploadHost([403])
    const { uploads } = uploadsWith({ fetch: host.fetch })
    const error = await uploads.put(png(1_000)).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).status).toBe(403)
    expect((error as Error).message).not.toContain('sig=abc')
    expect(host.puts).toHaveLength(1)
  })

  it('refuses an fdl that is not https before sending the bytes', async () => {
    const host = uploadHost([200], { ful: 'https://up.example.com/put/1', fdl: 'http://cdn.example.com/1.png' })
    const { uploads } = uploadsWith({ fetch: host.fetch })
    const error = await uploads.put(png(1_000)).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ResponseValidationError)
    expect((error as Error).message).toMatch(/fdl that is not https/)
    expect(host.puts).toHaveLength(0)
  })

  it('without an API key fails with ImaConfigError before any request', async () => {
    const host = uploadHost([200])
    const config = resolveConfig({ uploadBaseURL: 'https://up.example.com', fetch: host.fetch })
    config.apiKey = undefined
    const emit: EmitEvent = () => {}
    const uploads = new Uploads({ http: new HttpClient(config, emit), config, emit } as unknown as ClientContext)
    expect(await uploads.put(png(1_000)).catch((caught: unknown) => caught)).toBeInstanceOf(ImaConfigError)
    expect(host.tokens()).toBe(0)
    // A URL needs no key at all.
    expect((await uploads.put('https://cdn.example.com/x.png')).url).toBe('https://cdn.example.com/x.png')
  })
})
