import { randomFillSync } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { utimesSync, writeFileSync } from 'node:fs'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pathToFileURL } from 'node:url'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import {
  ImaClient as CoreImaClient,
  ResponseValidationError,
  ValidationError,
  type ImaClientOptions,
  type UploadProgressEvent,
  type UploadSource,
} from 'ima-open-sdk'
import { ImaClient } from 'ima-open-sdk/node'
import { encodePng } from '../../src/testing/png.js'
import { rejectionOf, useImaServer } from './harness.js'

const ima = useImaServer({ progression: 'polls' })
const TOKEN_PATH = '/api/rest/oss/getuploadtoken'
const SMALL_LIMIT = 64 * 1024
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

/** `size` bytes that start like a PNG: the type is judged from the first bytes only, and random content defeats the cache between tests. */
function pngBytes(size: number): Buffer<ArrayBuffer> {
  const bytes = randomFillSync(Buffer.alloc(size))
  bytes.set(PNG_SIGNATURE)
  return bytes
}

/** A real, viewable PNG. */
function realPng(): Buffer<ArrayBuffer> {
  const rgb = new Uint8Array(16 * 16 * 3).map((_, index) => (index * 37) % 256)
  return Buffer.from(new Uint8Array(encodePng(16, 16, rgb)))
}

/** A web stream that yields `bytes` in slices of `chunk` bytes. */
function webStream(bytes: Uint8Array, chunk = 7_000): ReadableStream<Uint8Array> {
  let offset = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close()
      controller.enqueue(bytes.slice(offset, offset + chunk))
      offset += chunk
    },
  })
}

/** Every request the client really sent (URL and headers), passed on unchanged to the real server. */
function recordingFetch() {
  const sent: Array<{ method: string; url: string; headers: Record<string, string> }> = []
  const fetch: typeof globalThis.fetch = (input, init) => {
    sent.push({
      method: init?.method ?? 'GET',
      url: String(input),
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
    })
    return globalThis.fetch(input, init)
  }
  return { fetch, sent }
}

function nodeClient(extra: ImaClientOptions = {}): ImaClient {
  const { server } = ima
  return new ImaClient({ apiKey: server.apiKey, baseURL: server.url, uploadBaseURL: server.uploadURL, ...extra })
}

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url)
  expect(response.status).toBe(200)
  return Buffer.from(await response.arrayBuffer())
}

const tokenRequests = () => ima.server.requests.filter((request) => request.path === TOKEN_PATH)
const putRequests = () => ima.server.requests.filter((request) => request.method === 'PUT')

async function tempFile(name: string, bytes: Uint8Array): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ima-upload-'))
  const path = join(dir, name)
  await writeFile(path, bytes)
  return path
}

beforeEach(() => ima.server.reset())

describe('uploads.put: every source kind, bytes checked at fdl', () => {
  it.each([
    ['Uint8Array', (bytes) => new Uint8Array(bytes)],
    ['Buffer', (bytes) => bytes],
    ['ArrayBuffer', (bytes) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)],
    ['Blob', (bytes) => new Blob([bytes])],
    ['File', (bytes) => new File([bytes], 'picture.png')],
    ['web ReadableStream', (bytes) => webStream(bytes)],
    ['Node Readable', (bytes) => Readable.from([bytes.subarray(0, 10), bytes.subarray(10, 50_000), bytes.subarray(50_000)])],
    ['async iterable', (bytes) => (async function* () { yield bytes.subarray(0, 3); yield bytes.subarray(3) })()],
  ] satisfies Array<[string, (bytes: Buffer<ArrayBuffer>) => UploadSource]>)('%s', async (_kind, make) => {
    const bytes = pngBytes(120_000)
    const result = await nodeClient().uploads.put(make(bytes))
    expect(result).toEqual({ url: expect.stringMatching(/\/cdn\/[0-9a-f]+\.png$/), contentType: 'image/png', bytes: bytes.length })
    expect(Buffer.compare(await download(result.url), bytes)).toBe(0)
    expect(ima.server.uploads).toHaveLength(1)
    expect(ima.server.uploads[0]).toMatchObject({ contentType: 'image/png', fdl: result.url })
  })

  it('a file path and a file: URL with the Node client', async () => {
    const bytes = pngBytes(90_000)
    const path = await tempFile('picture.png', bytes)
    const client = nodeClient({ uploadCache: false })
    for (const source of [path, pathToFileURL(path)]) {
      const result = await client.uploads.put(source)
      expect(result.bytes).toBe(bytes.length)
      expect(Buffer.compare(await download(result.url), bytes)).toBe(0)
    }
    expect(ima.server.uploads).toHaveLength(2)
  })

  it('the core client (in Node) takes a Node Readable too, as an async iterable of bytes', async () => {
    const bytes = pngBytes(30_000)
    const result = await ima.client().uploads.put(Readable.from([bytes]))
    expect(Buffer.compare(await download(result.url), bytes)).toBe(0)
  })

  it('passes https URLs (string or URL) through with no request at all', async () => {
    const { fetch, sent } = recordingFetch()
    const client = nodeClient({ fetch })
    expect(await client.uploads.put('https://cdn.example.com/a.png')).toEqual({ url: 'https://cdn.example.com/a.png', contentType: undefined, bytes: undefined })
    expect((await client.uploads.put(new URL('https://cdn.example.com/b.png'))).url).toBe('https://cdn.example.com/b.png')
    expect(sent).toEqual([])
    expect(ima.server.requests).toEqual([])
  })

  it('refuses plain http outside loopback, and other schemes, before any request', async () => {
    const client = nodeClient()
    const http = await rejectionOf(client.uploads.put('http://cdn.example.com/a.png'))
    expect(http).toBeInstanceOf(ValidationError)
    expect(http.message).toMatch(/https/)
    expect(await rejectionOf(client.uploads.put('ftp://example.com/a.png'))).toBeInstanceOf(ValidationError)
    expect(ima.server.requests).toEqual([])
  })

  it('tells the core client that local paths need the Node entry, and the Node client that the file does not exist', async () => {
    const core = await rejectionOf(ima.client().uploads.put('./cat.png'))
    expect(core).toBeInstanceOf(ValidationError)
    expect(core.message).toContain("import { ImaClient } from 'ima-open-sdk/node'")
    const missing = await rejectionOf(nodeClient().uploads.put(join(tmpdir(), 'no-such-dir-ima', 'cat.png')))
    expect(missing).toBeInstanceOf(ValidationError)
    expect(missing.message).toMatch(/No file at .*cat\.png/)
    expect(ima.server.requests).toEqual([])
  })
})

describe('uploads.put: what is checked before anything is sent', () => {
  it('a file 1 byte under the limit passes; 1 byte over is refused before any request', async () => {
    const client = nodeClient({ maxUploadBytes: SMALL_LIMIT })
    const under = pngBytes(SMALL_LIMIT - 1)
    const result = await client.uploads.put(await tempFile('under.png', under))
    expect(Buffer.compare(await download(result.url), under)).toBe(0)

    ima.server.reset()
    const error = await rejectionOf(client.uploads.put(await tempFile('over.png', pngBytes(SMALL_LIMIT + 1))))
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.message).toContain(`maxUploadBytes (${SMALL_LIMIT} bytes)`)
    expect(error.message).toContain('over.png')
    expect(ima.server.requests).toEqual([])
  })

  it('bytes over the limit are refused before any request', async () => {
    const error = await rejectionOf(nodeClient({ maxUploadBytes: SMALL_LIMIT }).uploads.put(pngBytes(SMALL_LIMIT + 1)))
    expect(error).toBeInstanceOf(ValidationError)
    expect(ima.server.requests).toEqual([])
  })

  it('a stream over the limit is stopped while it is sent, and nothing is stored', async () => {
    const error = await rejectionOf(nodeClient({ maxUploadBytes: SMALL_LIMIT }).uploads.put(webStream(pngBytes(SMALL_LIMIT * 3), 8_192)))
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.message).toMatch(new RegExp(`passed ${SMALL_LIMIT} bytes while being sent.*maxUploadBytes`))
    expect(tokenRequests()).toHaveLength(1)
    // The server sees the cut PUT a moment later; wait for it so it does not land in the next test.
    await vi.waitFor(() => expect(putRequests()[0]?.status).toBeGreaterThan(0))
    expect(ima.server.uploads).toEqual([])
  })

  it('a non-image is refused before any request, whatever its name or source', async () => {
    const text = Buffer.from('just some text, certainly not a picture '.repeat(50))
    const client = nodeClient()
    for (const source of [text, new File([text], 'photo.png'), webStream(text), await tempFile('photo.jpg', text)]) {
      const error = await rejectionOf(client.uploads.put(source))
      expect(error).toBeInstanceOf(ValidationError)
      expect(error.message).toMatch(/not a JPEG, PNG, WebP, GIF, BMP, HEIC or AVIF image/)
    }
    expect(ima.server.requests).toEqual([])
  })

  it('a PNG named .jpg is sent as image/png', async () => {
    const bytes = realPng()
    const result = await nodeClient().uploads.put(await tempFile('holiday.jpg', bytes), { filename: 'holiday.jpg' })
    expect(result.contentType).toBe('image/png')
    expect(result.url).toMatch(/\.png$/)
    expect(ima.server.uploads[0]?.contentType).toBe('image/png')
    expect(tokenRequests()[0]?.body).toMatchObject({ fSuffix: 'png', fContentType: 'image/png' })
    expect(putRequests()[0]?.headers['content-type']).toBe('image/png')
  })

  it('a contentType that contradicts the bytes is refused; one that agrees is accepted', async () => {
    const client = nodeClient()
    const error = await rejectionOf(client.uploads.put(realPng(), { contentType: 'image/jpeg' }))
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.message).toMatch(/contradicts the bytes, which are image\/png/)
    expect(ima.server.requests).toEqual([])
    expect((await client.uploads.put(realPng(), { contentType: 'IMAGE/PNG' })).contentType).toBe('image/png')
  })
})

describe('uploads.put: the protocol', () => {
  it('asks for the token by form POST by default, without an Authorization header', async () => {
    await nodeClient().uploads.put(pngBytes(1_000))
    const [token] = tokenRequests()
    expect(token).toMatchObject({ method: 'POST', authorized: true, status: 200 })
    expect(token?.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(token?.headers.authorization).toBeUndefined()
    expect(Object.keys(token?.body as object).sort()).toEqual(
      ['appId', 'appKey', 'appUid', 'cmimToken', 'fContentType', 'fService', 'fSuffix', 'fType', 'nonce', 'sign', 'timestamp'],
    )
  })

  it("asks by GET with query parameters under uploadTokenMethod: 'GET'", async () => {
    const bytes = pngBytes(2_000)
    const result = await nodeClient({ uploadTokenMethod: 'GET' }).uploads.put(bytes)
    const [token] = tokenRequests()
    expect(token).toMatchObject({ method: 'GET', authorized: true, status: 200 })
    expect(token?.query).toMatchObject({ appUid: '[redacted]', cmimToken: '[redacted]', appId: 'webAgent', fService: 'privite', fType: 'picture', fSuffix: 'png' })
    expect(Buffer.compare(await download(result.url), bytes)).toBe(0)
  })

  // The reset came after the storage took the bytes: the retry found the one-use URL used (409) and the upload failed.
  it.each([
    ['bytes', (bytes: Buffer) => new Uint8Array(bytes)],
    ['a file', async (bytes: Buffer) => tempFile('reset.png', bytes)],
  ] as const)('a PUT whose answer was lost after the bytes were stored (%s) is sent again to a fresh URL', async (_kind, make) => {
    const bytes = pngBytes(3_000)
    ima.server.injectFault({ method: 'PUT', kind: 'reset-after', times: 1 })
    const result = await nodeClient().uploads.put(await make(bytes))
    expect(Buffer.compare(await download(result.url), bytes)).toBe(0)
    // The first PUT's answer was reset (the server records no status for it), its retry found the URL used.
    expect(putRequests().map((request) => request.status).slice(1)).toEqual([409, 200])
    expect(ima.server.uploads).toHaveLength(2)
    expect(tokenRequests()).toHaveLength(2)
  })

  it('uploads the same bytes once per client: one token request and one PUT', async () => {
    const bytes = pngBytes(5_000)
    const client = nodeClient()
    const completed: boolean[] = []
    client.on('upload.completed', (event) => completed.push(event.cached))
    const first = await client.uploads.put(bytes)
    const second = await client.uploads.put(new Blob([bytes]))
    expect(second).toEqual(first)
    expect(completed).toEqual([false, true])
    expect(tokenRequests()).toHaveLength(1)
    expect(putRequests()).toHaveLength(1)
    // Opt-out: every put is a real upload.
    await nodeClient({ uploadCache: false }).uploads.put(bytes)
    await nodeClient({ uploadCache: false }).uploads.put(bytes)
    expect(putRequests()).toHaveLength(3)
  })

  it('uploads identical input sent at the same time once', async () => {
    const bytes = pngBytes(6_000)
    const client = nodeClient()
    const results = await Promise.all([client.uploads.put(bytes), client.uploads.put(bytes), client.uploads.put(new Blob([bytes]))])
    expect(new Set(results.map((result) => result.url)).size).toBe(1)
    expect(tokenRequests()).toHaveLength(1)
    expect(putRequests()).toHaveLength(1)
  })

  it('caches a file by path, size and mtime, and uploads it again once it changed', async () => {
    const path = await tempFile('cat.png', pngBytes(4_000))
    const client = nodeClient()
    const first = await client.uploads.put(path)
    expect(await client.uploads.put(path)).toEqual(first)
    expect(putRequests()).toHaveLength(1)
    const changed = pngBytes(4_001)
    await writeFile(path, changed)
    const second = await client.uploads.put(path)
    expect(second.url).not.toBe(first.url)
    expect(Buffer.compare(await download(second.url), changed)).toBe(0)
  })

  it('never sends the key to ful or fdl: the PUT has no Authorization header and no key anywhere', async () => {
    const { fetch, sent } = recordingFetch()
    const client = nodeClient({ fetch })
    const result = await client.uploads.put(pngBytes(3_000))
    await fetch(result.url)
    const key = ima.server.apiKey
    const others = sent.filter((request) => !request.url.includes(TOKEN_PATH))
    expect(others.map((request) => request.method)).toEqual(['PUT', 'GET'])
    for (const request of others) {
      expect(request.headers.authorization).toBeUndefined()
      expect(JSON.stringify(request)).not.toContain(key)
    }
    for (const record of ima.server.requests.filter((request) => request.path !== TOKEN_PATH)) {
      expect(record.headers.authorization).toBeUndefined()
      expect(record.authorized).toBe(false)
      expect(record.query).toEqual({})
    }
    // The key goes to the upload host inside the token fields only.
    const token = sent.find((request) => request.url.includes(TOKEN_PATH))
    expect(token?.headers.authorization).toBeUndefined()
  })

  it('refuses a ful that is not https, before sending any byte', async () => {
    const { server } = ima
    const rewrite: typeof globalThis.fetch = async (input, init) => {
      const response = await globalThis.fetch(input, init)
      if (!String(input).includes(TOKEN_PATH)) return response
      const envelope = (await response.json()) as { code: number; data: { ful: string; fdl: string } }
      const data = { ...envelope.data, ful: envelope.data.ful.replace(/^http:\/\/[^/]+/, 'http://uploads.example.com') }
      return new Response(JSON.stringify({ ...envelope, data }), { status: 200, headers: { 'content-type': 'application/json' } })
    }
    const error = await rejectionOf(nodeClient({ fetch: rewrite }).uploads.put(pngBytes(1_000)))
    expect(error).toBeInstanceOf(ResponseValidationError)
    expect(error.message).toMatch(/ful that is not https \(http:\/\/uploads\.example\.com\)/)
    expect(putRequests()).toEqual([])
    expect(server.uploads).toEqual([])
  })

  it('a 200 PUT answer that is a web page (a captive portal) is not taken as stored: no create is sent', async () => {
    ima.server.injectFault({ method: 'PUT', kind: 'malformed', body: '<html><body>Welcome to the hotel Wi-Fi</body></html>', contentType: 'text/html; charset=utf-8' })
    const error = await rejectionOf(nodeClient().generate({ model: 'doubao-seedream-4.5', prompt: 'a fox', inputImages: [realPng()] }))
    expect(error).toBeInstanceOf(ResponseValidationError)
    expect(error.message).toMatch(/^\[PUT \/\S+\] 200 answered the upload with a web page, not the storage: the image may not be stored, and nothing was created: <html><body>Welcome/)
    expect(putRequests()).toHaveLength(1)
    expect(ima.server.tasks).toEqual([])
  })

  it('does not follow a redirect on the PUT', async () => {
    // A second loopback host that answers every PUT with a redirect to the real upload URL.
    const { server } = ima
    const redirector = createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        res.writeHead(307, { location: `${server.uploadURL}${req.url ?? '/'}` })
        res.end()
      })
    })
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve))
    const port = (redirector.address() as AddressInfo).port
    try {
      const rewrite: typeof globalThis.fetch = async (input, init) => {
        const response = await globalThis.fetch(input, init)
        if (!String(input).includes(TOKEN_PATH)) return response
        const envelope = (await response.json()) as { code: number; data: { ful: string; fdl: string } }
        const data = { ...envelope.data, ful: envelope.data.ful.replace(server.uploadURL, `http://127.0.0.1:${port}`) }
        return new Response(JSON.stringify({ ...envelope, data }), { status: 200, headers: { 'content-type': 'application/json' } })
      }
      const client = nodeClient({ fetch: rewrite, maxRetries: 0 })
      const error = await rejectionOf(client.uploads.put(pngBytes(1_000)))
      expect(error).toBeInstanceOf(ResponseValidationError)
      expect(error.message).toMatch(/redirect \(307\).*not followed/)
      // A streamed body (file, stream) is sent with redirect: 'error': refused the same way.
      const streamed = await rejectionOf(client.uploads.put(await tempFile('redirected.png', pngBytes(70_000))))
      expect(streamed).toBeInstanceOf(ResponseValidationError)
      expect(streamed.message).toMatch(/redirect.*not followed/)
      expect(putRequests()).toEqual([])
      expect(server.uploads).toEqual([])
    } finally {
      redirector.closeAllConnections()
      await new Promise((resolve) => redirector.close(resolve))
    }
  })
})

describe('uploads.put: abort and progress', () => {
  it('an aborted upload rejects with AbortError, and the same bytes upload for real afterwards', async () => {
    const bytes = pngBytes(20_000)
    const client = nodeClient()
    const controller = new AbortController()
    client.on('request', ({ method }) => {
      if (method === 'PUT') controller.abort()
    })
    const error = await rejectionOf(client.uploads.put(bytes, { signal: controller.signal }))
    expect(error.name).toBe('AbortError')
    expect(ima.server.uploads).toEqual([])

    const result = await client.uploads.put(bytes)
    expect(tokenRequests()).toHaveLength(2)
    expect(Buffer.compare(await download(result.url), bytes)).toBe(0)
  })

  it('an abort in the middle of a streamed upload rejects promptly', async () => {
    const controller = new AbortController()
    let pulls = 0
    const stalling = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls += 1
        // The first chunk, then nothing more: only the abort can end this upload.
        if (pulls === 1) controller.enqueue(pngBytes(10_000))
        else return new Promise<void>(() => {})
      },
    })
    const client = nodeClient()
    // Abort once the server is receiving the PUT, so the cut really happens mid-upload.
    client.on('upload.progress', () => {
      void vi.waitFor(() => expect(putRequests()).toHaveLength(1)).then(() => controller.abort(new Error('user cancelled')))
    })
    const started = Date.now()
    const error = await rejectionOf(client.uploads.put(stalling, { signal: controller.signal }))
    expect(error.name).toBe('AbortError')
    expect(error.message).toContain('user cancelled')
    expect(Date.now() - started).toBeLessThan(5_000)
    // The server answers the cut PUT a moment later; wait so it does not land in the next test.
    await vi.waitFor(() => expect(putRequests()[0]?.status).toBeGreaterThan(0))
    expect(ima.server.uploads).toEqual([])
  })

  it('an already aborted signal sends nothing', async () => {
    const error = await rejectionOf(nodeClient().uploads.put(pngBytes(1_000), { signal: AbortSignal.abort() }))
    expect(error.name).toBe('AbortError')
    expect(ima.server.requests).toEqual([])
  })

  it('reports upload.progress with growing bytesSent and the total when known', async () => {
    const bytes = pngBytes(300_000)
    const path = await tempFile('big.png', bytes)
    const client = nodeClient({ maxUploadBytes: 1024 * 1024 })
    const events: UploadProgressEvent[] = []
    client.on('upload.progress', (event) => events.push(event))
    await client.uploads.put(path)
    expect(events.length).toBeGreaterThan(2)
    for (let index = 1; index < events.length; index += 1) expect(events[index]!.bytesSent).toBeGreaterThan(events[index - 1]!.bytesSent)
    expect(events.at(-1)).toEqual({ bytesSent: bytes.length, totalBytes: bytes.length, filename: 'big.png' })
  })
})

/** A few turns of the event loop: a stream adapter's late `data` (the crash these tests guard against) lands within them. */
async function afterLateEvents(): Promise<void> {
  for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve))
}

describe("uploads.put: the caller's Node source fails, stops or was used", () => {
  const png = () => pngBytes(40_000)

  it.each([
    ['Readable.from', () => Readable.from((function* () { yield png(); for (let index = 0; index < 8; index += 1) yield pngBytes(SMALL_LIMIT / 2) })())],
    ['a Readable that pushes in read()', () => {
      let pushed = 0
      return new Readable({ read() { pushed += 1; this.push(pushed > 8 ? null : pngBytes(SMALL_LIMIT / 2)) } })
    }],
  ])('%s over maxUploadBytes is refused, destroyed, and the process goes on (no late enqueue on a closed stream)', async (_name, make) => {
    const source = make()
    const error = await rejectionOf(nodeClient({ maxUploadBytes: SMALL_LIMIT }).uploads.put(source))
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.message).toMatch(/while being sent/)
    await afterLateEvents()
    await vi.waitFor(() => expect(source.destroyed).toBe(true))
    await vi.waitFor(() => expect(putRequests()[0]?.status).toBeGreaterThan(0))
    expect(ima.server.uploads).toEqual([])
  })

  it('a Readable.from aborted mid-upload rejects with AbortError and is destroyed', async () => {
    const controller = new AbortController()
    const source = Readable.from((function* () { yield png(); for (let index = 0; index < 400; index += 1) yield pngBytes(32 * 1024) })())
    const client = nodeClient()
    client.on('upload.progress', (event) => {
      if (event.bytesSent > 200_000) controller.abort(new Error('user cancelled'))
    })
    const error = await rejectionOf(client.uploads.put(source, { signal: controller.signal }))
    expect(error.name).toBe('AbortError')
    await afterLateEvents()
    await vi.waitFor(() => expect(source.destroyed).toBe(true))
    await vi.waitFor(() => expect(putRequests()[0]?.status).toBeGreaterThan(0))
    expect(ima.server.uploads).toEqual([])
  })

  it.each([
    ['before its first bytes', () => new Readable({ read() { this.destroy(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' })) } }), 0],
    ['midway', () => {
      let pushed = 0
      return new Readable({
        read() {
          pushed += 1
          if (pushed < 4) this.push(pushed === 1 ? png() : pngBytes(20_000))
          else this.destroy(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }))
        },
      })
    }, 1],
  ])("a source that fails %s is the caller's ValidationError with the cause, not a network error", async (_when, make, puts) => {
    const error = await rejectionOf(nodeClient().uploads.put(make()))
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.message).toMatch(/^Reading the image source failed \(EIO: i\/o error, read\) — nothing was created; check the file or stream/)
    expect((error.cause as Error).message).toBe('EIO: i/o error, read')
    expect((error as ValidationError).fieldErrors('source')).toEqual(['could not be read'])
    // The server records the cut PUT a moment later; wait so it does not land in the next test.
    await vi.waitFor(() => expect(putRequests().filter((request) => request.status > 0)).toHaveLength(puts))
    expect(ima.server.uploads).toEqual([])
  })

  // Cancelled while the file was being checked, the stream then opened the file anyway and left it open (a descriptor per aborted upload).
  it.skipIf(process.platform !== 'linux')('a file upload stopped while the file is checked leaves the file closed', async () => {
    const { nodeLocalSourceReader } = await import('../../src/node/local-source.js')
    const { readdirSync, readlinkSync } = await import('node:fs')
    // Larger than one read (64 KiB): a stream left after its first chunk keeps the file open.
    const path = await tempFile('checked.png', pngBytes(300_000))
    const openOnIt = () => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === path
      } catch {
        return false
      }
    }).length
    const source = await nodeLocalSourceReader.resolve(path)
    if (source?.kind !== 'file') throw new Error('expected a file source')
    for (let index = 0; index < 20; index += 1) {
      const reader = source.open().getReader()
      const first = reader.read()
      // A few microtasks: the first pull has started (the stream's start settled) and is still checking the file's size and mtime.
      for (let turn = 0; turn < 5; turn += 1) await Promise.resolve()
      await reader.cancel(new Error('stopped'))
      await first
    }
    await afterLateEvents()
    await vi.waitFor(() => expect(openOnIt()).toBe(0))
    // Read whole, it is the file's bytes, and closed after.
    const whole = await new Response(source.open()).arrayBuffer()
    expect(Buffer.from(whole).equals(await readFile(path))).toBe(true)
    await vi.waitFor(() => expect(openOnIt()).toBe(0))
  })

  it('a read stream of a missing file is a ValidationError naming the file, with nothing sent', async () => {
    const { createReadStream } = await import('node:fs')
    const error = await rejectionOf(nodeClient().uploads.put(createReadStream(join(tmpdir(), 'no-such-dir-ima', 'cat.png'))))
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.message).toMatch(/Reading the image source failed \(ENOENT: no such file or directory, open '.*cat\.png'\)/)
    expect(ima.server.requests).toEqual([])
  })

  it('a Readable that was read already, and a generator given twice, say so instead of "not an image"', async () => {
    const used = Readable.from([png()])
    for await (const _chunk of used) void _chunk
    await expect(nodeClient().uploads.put(used)).rejects.toThrow(/^The stream was read already \(it has ended or was destroyed\) — pass a fresh stream$/)
    const once = (async function* () { yield png() })()
    const client = nodeClient()
    await client.uploads.put(once)
    const error = await rejectionOf(client.uploads.put(once))
    expect(error.message).toBe('The source is empty — pass an image; a stream or generator that was read already is empty too, so pass a fresh one')
    expect((error as ValidationError).fieldErrors('source')).toEqual(['is empty'])
    expect(tokenRequests()).toHaveLength(1)
  })

  it.each([
    ['other bytes of the same size', (bytes: Buffer) => Buffer.alloc(bytes.length, 0x41)],
    ['a longer file', (bytes: Buffer) => Buffer.concat([bytes, bytes])],
  ])('a file changed before a retried PUT (%s) is refused, with nothing stored and no create', async (_change, changed) => {
    const bytes = png()
    const path = await tempFile('changing.png', bytes)
    ima.server.injectFault({ method: 'PUT', kind: 'status', status: 503, retryAfter: '0' })
    const client = nodeClient()
    client.on('retry', () => {
      writeFileSync(path, changed(bytes))
      // Same-second writes may keep the mtime on coarse clocks: move it so the change is visible.
      utimesSync(path, new Date(), new Date(Date.now() + 5_000))
    })
    const error = await rejectionOf(client.generate({ model: 'doubao-seedream-4.5', prompt: 'a fox', inputImages: [path] }))
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.message).toContain(`${path} changed (or was removed) while it was being uploaded — nothing was created`)
    expect(ima.server.uploads).toEqual([])
    expect(ima.server.tasks).toEqual([])
  })
})

describe('uploads.putAll and tasks', () => {
  it('putAll keeps the order and passes URLs through', async () => {
    const sources = [pngBytes(1_000), 'https://cdn.example.com/x.png', pngBytes(1_001), new Blob([pngBytes(1_002)]), pngBytes(1_003)]
    const urls = await nodeClient().uploads.putAll(sources)
    expect(urls[1]).toBe('https://cdn.example.com/x.png')
    expect(ima.server.uploads).toHaveLength(4)
    for (const [index, source] of sources.entries()) {
      if (typeof source === 'string') continue
      const expected = source instanceof Blob ? Buffer.from(await source.arrayBuffer()) : source
      expect(Buffer.compare(await download(urls[index]!), expected)).toBe(0)
    }
  })

  it('image_to_image with no input image fails before any request', async () => {
    const error = await rejectionOf(nodeClient().tasks.create({ taskType: 'image_to_image', model: 'doubao-seedream-4.5', prompt: 'x', inputImages: [] }))
    expect(error).toBeInstanceOf(ValidationError)
    expect(ima.server.requests).toEqual([])
  })

  it('a bad input image (not an image) fails before any upload or create', async () => {
    const error = await rejectionOf(
      nodeClient().tasks.create({ model: 'doubao-seedream-4.5', prompt: 'x', inputImages: [Buffer.from('not an image at all, only text')] }),
    )
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).issues).toEqual([{ path: 'inputImages.0', message: 'is not a recognised image' }])
    expect(error.message).toMatch(/^inputImages\[0\]: /)
    // The model is checked first (a product-list read); no upload and no create follow.
    expect(ima.server.requests.filter((request) => request.path !== '/open/v1/product/list')).toEqual([])
    expect(ima.server.tasks).toEqual([])
  })

  it('generate image_to_image from a local file, end to end', async () => {
    const bytes = realPng()
    const path = await tempFile('input.png', bytes)
    const client = nodeClient()
    const result = await client.generate({ model: 'doubao-seedream-4.5', prompt: 'as a watercolour', inputImages: [path], intervalMs: 1 })
    expect(result.task.taskType).toBe('image_to_image')
    const [upload] = ima.server.uploads
    expect(upload).toBeDefined()
    const [task] = ima.server.tasks
    expect(task?.inputImages).toEqual([upload!.fdl])
    expect(task?.body).toMatchObject({ src_img_url: [upload!.fdl] })
    expect(Buffer.compare(await download(task!.inputImages[0]!), bytes)).toBe(0)
    expect(result.url).toMatch(/^http:\/\/127\.0\.0\.1:/)
  })

  it('the core client uploads bytes given as input images', async () => {
    const bytes = realPng()
    const core: CoreImaClient = ima.client()
    const task = await core.tasks.create({ model: 'doubao-seedream-4.5', prompt: 'as a watercolour', inputImages: [bytes, 'https://cdn.example.com/y.png'] })
    expect(task.body.src_img_url).toEqual([ima.server.uploads[0]!.fdl, 'https://cdn.example.com/y.png'])
  })
})
