import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ApiError, AuthenticationError, ConnectionError, ImaConfigError, RequestTimeoutError, ResponseValidationError, ServerError, type ImaEvents } from 'ima-open-sdk'
import { resolveConfig, type CoreOptions as ImaClientOptions } from '../../src/http/transport-options.js'
import type { ClientContext } from '../../src/resources/context.js'
import type { EmitEvent } from '../../src/http/events.js'
import { HttpClient } from '../../src/http/http-client.js'
import { nodeLocalSourceReader } from '../../src/node/local-source.js'
import { UploadService } from '../../src/resources/uploads/index.js'

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
  const uploads = new UploadService({ http, config, emit, localSources: { reader: nodeLocalSourceReader } } as unknown as ClientContext)
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

  it("streams where fetch has no redirect: 'error' (Cloudflare's workerd): the same body goes with 'manual', and every later stream too", async () => {
    const host = uploadHost([200])
    const modes: Array<RequestRedirect | undefined> = []
    const workerdFetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
      if (init.method === 'PUT') {
        modes.push(init.redirect)
        // workerd's own words, thrown before the body is read.
        if (init.redirect === 'error') throw new TypeError('Invalid redirect value, must be one of "follow" or "manual" ("error" won\'t be implemented since it does more harm than good; use "manual" and check the response status code).')
      }
      return host.fetch(input, init)
    }) as typeof globalThis.fetch
    const { uploads } = uploadsWith({ fetch: workerdFetch })
    const bytes = png(5_000)
    expect(await uploads.put(new Blob([bytes]).stream())).toMatchObject({ url: 'https://cdn.example.com/1.png', bytes: 5_000 })
    expect(Buffer.compare(host.puts[0]?.body ?? new Uint8Array(), bytes)).toBe(0)
    await uploads.put(new Blob([png(6_000)]).stream())
    expect(modes).toEqual(['error', 'manual', 'manual'])
    // Bytes never use 'error' (a redirect is read from the answer instead).
    await uploads.put(png(7_000))
    expect(modes.at(-1)).toBe('manual')
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
    const uploads = new UploadService({ http: new HttpClient(config, emit), config, emit, localSources: {} } as unknown as ClientContext)
    expect(await uploads.put(png(1_000)).catch((caught: unknown) => caught)).toBeInstanceOf(ImaConfigError)
    expect(host.tokens()).toBe(0)
    // A URL needs no key at all.
    expect((await uploads.put('https://cdn.example.com/x.png')).url).toBe('https://cdn.example.com/x.png')
  })

  it('refuses a ful with a user name or password, before sending the bytes', async () => {
    const host = uploadHost([200], { ful: 'https://user:pw@up.example.com/put/1', fdl: 'https://cdn.example.com/1.png' })
    const { uploads } = uploadsWith({ fetch: host.fetch })
    const error = await uploads.put(png(1_000)).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ResponseValidationError)
    expect((error as Error).message).toMatch(/ful that carries a user name or password \(https:\/\/up\.example\.com\)/)
    expect((error as Error).message).not.toContain('pw')
    expect(host.puts).toHaveLength(0)
  })

  it("maps the storage's statuses, not the API's: a 403 is an expired URL, not a bad key", async () => {
    const host = uploadHost([403])
    const { uploads } = uploadsWith({ fetch: host.fetch })
    const error = (await uploads.put(png(1_000)).catch((caught: unknown) => caught)) as ApiError
    expect(error).toBeInstanceOf(ApiError)
    expect(error).not.toBeInstanceOf(AuthenticationError)
    expect(error.message).toBe('[PUT /put/1] 403 the upload host refused the image — the upload URL may have expired; upload again')
    expect(error.responseBody).toBe('failed')
  })

  it('keeps the signature out of errors, events and the kept body, even when the storage echoes it', async () => {
    const signature = 'Signature=8f2b7c1d5e2a8f6b0c9d'
    const token = { ful: `https://up.example.com/put/1?${signature}&Expires=1700000000`, fdl: 'https://cdn.example.com/1.png' }
    const echo = JSON.stringify({ message: `SignatureDoesNotMatch for /put/1?${signature}&Expires=1700000000` })
    const host = uploadHost([503, 503, 503], token)
    const fetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
      if (init.method !== 'PUT') return host.fetch(input, init)
      return new Response(echo, { status: 503 })
    }) as typeof globalThis.fetch
    const { uploads, events } = uploadsWith({ fetch })
    const error = (await uploads.put(png(1_000)).catch((caught: unknown) => caught)) as ApiError
    expect(error.name).toBe('ServiceUnavailableError')
    expect(error.message).toContain('SignatureDoesNotMatch')
    for (const text of [error.message, error.responseBody, error.serviceMessage, JSON.stringify(events), JSON.stringify(error)]) {
      expect(text).not.toContain('8f2b7c1d5e2a8f6b0c9d')
    }
    expect(events.filter(([name]) => name === 'retry')).toHaveLength(2)
  })

  it('keeps the signature out of a ConnectionError', async () => {
    const host = uploadHost([200], { ful: 'https://up.example.com/put/1?sig=abcdef0123456789', fdl: 'https://cdn.example.com/1.png' })
    const fetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
      if (init.method !== 'PUT') return host.fetch(input, init)
      const cause = Object.assign(new Error(`socket hang up talking to ${String(input)}`), { code: 'ECONNRESET' })
      throw new TypeError('fetch failed', { cause })
    }) as typeof globalThis.fetch
    const { uploads } = uploadsWith({ fetch, maxRetries: 0 })
    const error = (await uploads.put(png(1_000)).catch((caught: unknown) => caught)) as ConnectionError
    expect(error).toBeInstanceOf(ConnectionError)
    expect(error.code).toBe('ECONNRESET')
    expect(error.message).toMatch(/^\[PUT \/put\/1\] network error ECONNRESET/)
    expect(JSON.stringify([error.message, (error.cause as Error).message])).not.toContain('abcdef0123456789')
  })
})

describe('the answer of the upload PUT', () => {
  it.each([
    [200, undefined],
    [500, ServerError],
  ] as const)('is read only up to a small cap: a %i with a 1 MiB body', async (status, errorClass) => {
    const host = uploadHost([200])
    let cancelled = false
    const fetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
      if (init.method !== 'PUT') return host.fetch(input, init)
      let sent = 0
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 1024 * 1024) return controller.close()
          sent += 16 * 1024
          controller.enqueue(new Uint8Array(16 * 1024).fill(0x61))
        },
        cancel() {
          cancelled = true
        },
      })
      return new Response(body, { status })
    }) as typeof globalThis.fetch
    const { uploads } = uploadsWith({ fetch, maxRetries: 0 })
    const outcome = await uploads.put(png(1_000)).catch((caught: unknown) => caught)
    expect(cancelled).toBe(true)
    if (errorClass === undefined) return void expect(outcome).toMatchObject({ bytes: 1_000 })
    expect(outcome).toBeInstanceOf(errorClass)
    expect((outcome as ApiError).responseBody).toHaveLength(64 * 1024)
  })
})

describe('timers of the upload PUT', () => {
  const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length
  let restoreTimers: (() => void) | undefined
  afterEach(() => restoreTimers?.())

  /**
   * Counts the timers armed from now on that have neither fired nor been
   * cleared. Exact where `getActiveResourcesInfo()` is not: that counts every
   * timer of the process, the test runner's included.
   */
  function trackTimers(): { pending(): number } {
    const { setTimeout: realSet, clearTimeout: realClear } = globalThis
    const armed = new Set<unknown>()
    globalThis.setTimeout = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      const handle: unknown = realSet(
        (...rest: unknown[]) => {
          armed.delete(handle)
          callback(...rest)
        },
        ms,
        ...args,
      )
      armed.add(handle)
      return handle
    }) as typeof globalThis.setTimeout
    globalThis.clearTimeout = ((handle?: Parameters<typeof realClear>[0]) => {
      armed.delete(handle)
      realClear(handle)
    }) as typeof globalThis.clearTimeout
    restoreTimers = () => {
      globalThis.setTimeout = realSet
      globalThis.clearTimeout = realClear
      restoreTimers = undefined
    }
    return { pending: () => armed.size }
  }

  /** An upload host whose PUT reads the body and then never answers: only an abort ends it, as with a real fetch. */
  function silentPutHost() {
    const host = uploadHost([200])
    let putStarted: () => void = () => {}
    const started = new Promise<void>((resolve) => {
      putStarted = resolve
    })
    const fetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
      if (init.method !== 'PUT') return host.fetch(input, init)
      putStarted()
      return new Promise<Response>((_resolve, reject) => {
        const signal = init.signal as AbortSignal
        signal.addEventListener('abort', () => reject(signal.reason), { once: true })
        // Read the body as a server would, so a stream's pulls happen.
        void new Response(init.body).arrayBuffer().catch(() => {})
      })
    }) as typeof globalThis.fetch
    return { fetch, started }
  }

  it.each([
    ['bytes', () => png(2_000)],
    ['a stream', () => new Blob([png(2_000)]).stream()],
  ])('an aborted upload of %s leaves no timer', async (_kind, source) => {
    const host = silentPutHost()
    const { uploads } = uploadsWith({ fetch: host.fetch })
    const before = timers()
    const tracked = trackTimers()
    const controller = new AbortController()
    const pending = uploads.put(source(), { signal: controller.signal }).catch((caught: unknown) => caught)
    await host.started
    controller.abort(new Error('user cancelled'))
    const error = (await pending) as Error
    expect(error.name).toBe('AbortError')
    expect(tracked.pending()).toBe(0)
    expect(timers()).toBeLessThanOrEqual(before)
  })

  it('an upload aborted during the backoff before its retry leaves no timer', async () => {
    const host = uploadHost([503, 200])
    const config = resolveConfig({ apiKey: KEY, uploadBaseURL: 'https://up.example.com', fetch: host.fetch })
    const controller = new AbortController()
    const emit: EmitEvent = (event, ..._payload) => {
      if (event === 'retry') setTimeout(() => controller.abort(), 1)
    }
    // A backoff of about a minute: only the abort ends it.
    const http = new HttpClient(config, emit, { baseDelayMs: 60_000, maxDelayMs: 60_000, random: () => 0.99 })
    const uploads = new UploadService({ http, config, emit, localSources: {} } as unknown as ClientContext)
    const before = timers()
    const tracked = trackTimers()
    const error = (await uploads.put(png(1_000), { signal: controller.signal }).catch((caught: unknown) => caught)) as Error
    expect(error.name).toBe('AbortError')
    expect(host.puts).toHaveLength(1)
    expect(tracked.pending()).toBe(0)
    expect(timers()).toBeLessThanOrEqual(before)
  })

  it('a streamed upload that stops making progress times out, cancels its source and leaves no timer', async () => {
    let cancelled: unknown
    let pulls = 0
    const stalling = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls += 1
        if (pulls === 1) controller.enqueue(png(4_000))
        else return new Promise<void>(() => {})
      },
      cancel(reason) {
        cancelled = reason
      },
    })
    const host = silentPutHost()
    const { uploads } = uploadsWith({ fetch: host.fetch, timeout: 40 })
    const before = timers()
    const tracked = trackTimers()
    const error = (await uploads.put(stalling).catch((caught: unknown) => caught)) as RequestTimeoutError
    expect(error).toBeInstanceOf(RequestTimeoutError)
    expect(error.message).toBe('[PUT /put/1] the upload made no progress for 40 ms — the upload host may be slow; try again, or raise `timeout`')
    expect(cancelled).toBeDefined()
    expect(tracked.pending()).toBe(0)
    expect(timers()).toBeLessThanOrEqual(before)
  })
})
