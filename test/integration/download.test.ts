import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer as createNetServer, type AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { ConnectionError, ImaAbortError, ImaError, RequestTimeoutError, ResponseTooLargeError, ResponseValidationError, ValidationError } from 'ima-open-sdk'
import { downloadResult, type DownloadOptions } from 'ima-open-sdk/node'
import { readResultBytes, withDownloadRetries } from '../../src/http/result-download.js'
import { startPlainServer, type PlainServer } from '../support/plain-server.js'
import { rejectionOf, useImaServer } from './harness.js'

const ima = useImaServer({ progression: 'polls' })

describe('a generated image end to end', () => {
  it('downloads a real PNG of the requested shape, atomically', async () => {
    const result = await ima.client().generate({ model: 'doubao-seedream-4.5', prompt: 'a wide valley', aspectRatio: '16:9', intervalMs: 1 })
    const dir = await mkdtemp(join(tmpdir(), 'ima-download-'))
    const saved = await downloadResult(result.url, join(dir, 'valley.png'))
    const bytes = await readFile(saved.path)
    expect(saved.bytes).toBe(bytes.length)
    expect(saved.contentType).toBe('image/png')
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    const width = bytes.readUInt32BE(16)
    const height = bytes.readUInt32BE(20)
    expect(width / height).toBeCloseTo(2560 / 1440, 2)
    expect({ width, height }).toEqual({ width: result.medias[0]!.width, height: result.medias[0]!.height })
    expect(await readdir(dir)).toEqual(['valley.png'])
  })

  it('leaves no file behind when the download is over the cap', async () => {
    const result = await ima.client().generate({ model: 'gemini-3-pro-image', prompt: 'a fox', intervalMs: 1 })
    const dir = await mkdtemp(join(tmpdir(), 'ima-download-'))
    const error = await rejectionOf(downloadResult(result.url, join(dir, 'fox.png'), { maxBytes: 100 }))
    // The same class as an API answer over maxResponseBytes, with the limit and the request (never a query string).
    expect(error).toBeInstanceOf(ResponseTooLargeError)
    expect(error).toMatchObject({ limitBytes: 100, request: { method: 'GET', path: new URL(result.url).pathname } })
    expect((error as Error).message).toMatch(/^\[GET \S+\] the result is (\d+ bytes, )?more than maxBytes \(100\) — raise maxBytes to save it$/)
    expect(await readdir(dir)).toEqual([])
  })

  it('keepExisting: a file already there is kept, and saves at the same time never replace each other', async () => {
    const result = await ima.client().generate({ model: 'gemini-3-pro-image', prompt: 'a kept fox', intervalMs: 1 })
    const dir = await mkdtemp(join(tmpdir(), 'ima-download-'))
    await writeFile(join(dir, 'fox.png'), 'an earlier picture')
    const saves = await Promise.all([1, 2, 3].map(() => downloadResult(result.url, join(dir, 'fox.png'), { keepExisting: true })))
    expect(saves.map((saved) => saved.path).sort()).toEqual(['fox-2.png', 'fox-3.png', 'fox-4.png'].map((name) => join(dir, name)))
    expect(await readFile(join(dir, 'fox.png'), 'utf8')).toBe('an earlier picture')
    expect((await readdir(dir)).sort()).toEqual(['fox-2.png', 'fox-3.png', 'fox-4.png', 'fox.png'])
    // Without it, the file is replaced, as before.
    await downloadResult(result.url, join(dir, 'fox.png'))
    expect((await readFile(join(dir, 'fox.png'))).subarray(1, 4).toString()).toBe('PNG')
  })

  it('refuses plain http outside loopback', async () => {
    expect(await rejectionOf(downloadResult('http://example.com/a.png', '/tmp/never.png'))).toBeInstanceOf(ValidationError)
  })
})

describe('redirects of a download', () => {
  const servers: PlainServer[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()))
  })
  const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])

  /** A host that redirects `/hop/<n>` to `/hop/<n-1>` (or to `location(…)`), and serves a PNG at `/hop/0`. */
  async function hopping(location?: (url: string) => string): Promise<PlainServer> {
    const server = await startPlainServer((request, response) => {
      const hops = Number(/^\/hop\/(\d+)/.exec(request.url ?? '')?.[1] ?? 0)
      if (hops === 0) return void response.writeHead(200, { 'content-type': 'image/png' }).end(PNG)
      response.writeHead(302, { location: location ? location(request.url ?? '/') : `/hop/${hops - 1}` }).end()
    })
    servers.push(server)
    return server
  }

  it('follows plain-http hops on the same origin, up to 5', async () => {
    const server = await hopping()
    const dir = await mkdtemp(join(tmpdir(), 'ima-download-'))
    const saved = await downloadResult(`${server.url}/hop/5`, join(dir, 'a.png'))
    expect(await readFile(saved.path)).toEqual(PNG)
    expect(server.requests.map((request) => request.url)).toEqual(['/hop/5', '/hop/4', '/hop/3', '/hop/2', '/hop/1', '/hop/0'])
  })

  it('refuses a sixth hop', async () => {
    const server = await hopping()
    const dir = await mkdtemp(join(tmpdir(), 'ima-download-'))
    const error = await rejectionOf(downloadResult(`${server.url}/hop/6`, join(dir, 'a.png')))
    expect(error).toBeInstanceOf(ResponseValidationError)
    expect(error.message).toContain('redirected more than 5 times')
    expect(server.requests).toHaveLength(6)
    expect(await readdir(dir)).toEqual([])
  })

  it('refuses a plain-http hop to another loopback service, which gets nothing', async () => {
    // Another service on this machine: a redirect must never reach it, http on loopback is for the local server itself.
    const other = await startPlainServer((_request, response) => response.writeHead(200, { 'content-type': 'image/png' }).end(PNG))
    servers.push(other)
    const server = await hopping(() => `${other.url}/secret-admin`)
    const dir = await mkdtemp(join(tmpdir(), 'ima-download-'))
    const error = await rejectionOf(downloadResult(`${server.url}/hop/1`, join(dir, 'a.png')))
    expect(error).toBeInstanceOf(ResponseValidationError)
    expect(error.message).toContain(`to ${other.url}: plain http is followed only on the same origin (${server.url})`)
    expect(other.requests).toEqual([])
    expect(await readdir(dir)).toEqual([])
  })

  it('refuses a hop the URL rule refuses: plain http elsewhere, a user name in the URL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ima-download-'))
    for (const location of ['http://cdn.example.com/a.png', 'https://user:pw@cdn.example.com/a.png']) {
      const server = await hopping(() => location)
      const error = await rejectionOf(downloadResult(`${server.url}/hop/1`, join(dir, 'a.png')))
      expect(error).toBeInstanceOf(ResponseValidationError)
      expect(error.message).not.toContain('pw@')
      expect(server.requests).toHaveLength(1)
    }
  })
})

describe('downloadResult: every failure is typed and says what to do', () => {
  const servers: PlainServer[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()))
  })
  const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])
  const serve = async (answer: Parameters<typeof startPlainServer>[0]) => {
    const server = await startPlainServer(answer)
    servers.push(server)
    return server
  }

  it('refuses an https hop to another service on this machine, which gets no connection', async () => {
    let connected = false
    const other = createNetServer((socket) => {
      connected = true
      socket.destroy()
    })
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve))
    const port = (other.address() as AddressInfo).port
    const server = await serve((_request, response) => response.writeHead(302, { location: `https://127.0.0.1:${port}/admin/delete` }).end())
    const dir = await mkdtemp(join(tmpdir(), 'ima-download-'))
    const error = await rejectionOf(downloadResult(`${server.url}/r.png`, join(dir, 'a.png')))
    other.close()
    expect(error).toBeInstanceOf(ResponseValidationError)
    expect(error.message).toContain(`to https://127.0.0.1:${port}: a redirect to this machine is followed only on the same origin (${server.url})`)
    expect(connected).toBe(false)
  })

  it('a connection cut mid-body is a ConnectionError; a target that is a folder names it, not the temporary file', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'image/png', 'content-length': '100000' })
      response.write(PNG)
      setImmediate(() => response.destroy())
    })
    const dir = await mkdtemp(join(tmpdir(), 'ima-download-'))
    const cut = await rejectionOf(downloadResult(`${server.url}/r.png?sig=SECRET123`, join(dir, 'a.png')))
    expect(cut).toBeInstanceOf(ConnectionError)
    expect(cut.message).toMatch(new RegExp(`^\\[GET ${server.url}/r\\.png\\] network error: .* — check the network connection and try again \\(the picture is not lost`))
    expect(cut.message).not.toContain('SECRET123')
    const whole = await serve((_request, response) => response.writeHead(200, { 'content-type': 'image/png' }).end(PNG))
    const folder = await rejectionOf(downloadResult(`${whole.url}/r.png`, dir))
    expect(folder).toBeInstanceOf(ImaError)
    expect(folder).toMatchObject({ code: 'file_write_failed', message: `Cannot save ${dir}: it is a folder — choose a file name` })
    expect(await readdir(dir)).toEqual([])
  })

  it('a name near the longest allowed saves (the temporary file is short), and an abort is an ImaAbortError', async () => {
    const server = await serve((_request, response) => response.writeHead(200, { 'content-type': 'image/png' }).end(PNG))
    const dir = await mkdtemp(join(tmpdir(), 'ima-download-'))
    const long = `${'f'.repeat(246)}.png`
    expect((await downloadResult(`${server.url}/r.png`, join(dir, long))).path).toBe(join(dir, long))
    const controller = new AbortController()
    controller.abort(new Error('user left'))
    const aborted = await rejectionOf(downloadResult(`${server.url}/r.png`, join(dir, 'b.png'), { signal: controller.signal }))
    expect(aborted).toBeInstanceOf(ImaAbortError)
    expect(aborted.message).toBe('The operation was aborted: user left')
    expect(await readdir(dir)).toEqual([long])
  })

  it('a download that stalls mid-body ends after timeout ms with a RequestTimeoutError and leaves nothing', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'image/png', 'content-length': '100000' })
      response.write(PNG)
    })
    const dir = await mkdtemp(join(tmpdir(), 'ima-download-'))
    const error = await rejectionOf(downloadResult(`${server.url}/r.png`, join(dir, 'a.png'), { timeout: 100 }))
    expect(error).toBeInstanceOf(RequestTimeoutError)
    expect(error.message).toBe(`[GET ${server.url}/r.png] the download got no bytes for 100 ms — try again (the picture is not lost: the URL still serves it), or raise the timeout option`)
    expect(await readdir(dir)).toEqual([])
  })

  it.each([
    [{ maxBytes: Number.NaN }, 'downloadResult option maxBytes must be a positive whole number of bytes, got NaN'],
    [{ maxBytes: 0 }, 'downloadResult option maxBytes must be a positive whole number of bytes, got 0'],
    [{ maxBytes: '1000' }, 'downloadResult option maxBytes must be a positive whole number of bytes, got 1000'],
    [{ keepExisting: 'false' }, 'downloadResult option keepExisting must be true or false, got "false"'],
    [{ timeoutMs: 5 }, /^Unknown downloadResult option timeoutMs \(did you mean timeout\?\) — the options are signal, maxBytes, timeout, fetch, keepExisting, maxRetries$/],
    [{ signal: 'stop' }, 'downloadResult option signal must be an AbortSignal'],
    [{ maxRetries: -1 }, 'downloadResult option maxRetries must be a whole number from 0 to 10, got -1'],
    [{ maxRetries: 1.5 }, 'downloadResult option maxRetries must be a whole number from 0 to 10, got 1.5'],
    // A longer timer fires at once: every download would fail as "stalled".
    [{ timeout: 2 ** 31 }, 'downloadResult option timeout must be a whole number of milliseconds from 1 to 2147483647 (24.8 days, the longest a timer waits), got 2147483648'],
  ])('refuses the option %o before anything is sent', async (options, message) => {
    const server = await serve((_request, response) => response.writeHead(200, { 'content-type': 'image/png' }).end(PNG))
    const error = await rejectionOf(downloadResult(`${server.url}/r.png`, join(tmpdir(), 'never.png'), options as DownloadOptions))
    expect(error).toBeInstanceOf(ValidationError)
    if (typeof message === 'string') expect(error.message).toBe(message)
    else expect(error.message).toMatch(message)
    expect(server.requests).toEqual([])
  })

  it('never shows a signed query string, and names what is wrong with a URL', async () => {
    const relative = await rejectionOf(downloadResult('/files/x.png?X-Amz-Signature=SECRET456', join(tmpdir(), 'never.png')))
    expect(relative.message).toBe('Expected an absolute https result URL, got "/files/x.png" — pass the URL a task answered (result.url)')
    const userinfo = await rejectionOf(downloadResult('https://user:pw@cdn.example.com/a.png', join(tmpdir(), 'never.png')))
    expect(userinfo.message).toBe('Refusing to download https://cdn.example.com/a.png: a result URL must not carry a user name or password')
    const file = await rejectionOf(downloadResult('file:///etc/passwd', join(tmpdir(), 'never.png')))
    expect(file.message).toBe('Refusing to download file:…: a result URL must be an https URL')
  })

  it('a 5xx says to try again, not that the link expired', async () => {
    const server = await serve((_request, response) => response.writeHead(503).end())
    const error = await rejectionOf(downloadResult(`${server.url}/r.png`, join(tmpdir(), 'never.png')))
    expect(error).toMatchObject({ status: 503, code: 'download_failed' })
    expect(error.message).toBe(`Download of ${server.url}/r.png failed with HTTP 503 — the server failed or is busy; try again in a moment (the picture is not lost)`)
  })
})

describe('a download that fails in passing is tried again, from the first byte', () => {
  const servers: PlainServer[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()))
  })
  const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...Array.from({ length: 40 }, (_, index) => index)])
  /** A CDN whose first answers are `failures` (a status, or `'cut'`: the connection dropped mid-body), then the picture. */
  const flakyCdn = async (failures: (number | 'cut')[]) => {
    let answered = 0
    const server = await startPlainServer((_request, response) => {
      const failure = failures[answered]
      answered += 1
      if (failure === undefined) return response.writeHead(200, { 'content-type': 'image/png' }).end(PNG)
      if (failure !== 'cut') return response.writeHead(failure).end('busy')
      response.writeHead(200, { 'content-type': 'image/png', 'content-length': String(PNG.length * 10) })
      response.write(PNG.subarray(0, 20))
      setImmediate(() => response.destroy())
    })
    servers.push(server)
    return server
  }

  it('a 503, then a connection cut mid-body, then the picture: saved whole, nothing else left', async () => {
    const cdn = await flakyCdn([503, 'cut'])
    const dir = await mkdtemp(join(tmpdir(), 'ima-download-retry-'))
    const saved = await downloadResult(`${cdn.url}/r.png`, join(dir, 'fox.png'))
    expect(saved).toMatchObject({ path: join(dir, 'fox.png'), bytes: PNG.length })
    expect(await readFile(saved.path)).toEqual(PNG)
    expect(await readdir(dir)).toEqual(['fox.png'])
    expect(cdn.requests).toHaveLength(3)
  })

  it('readResultBytes (the AI SDK, ima mcp) tries again too, and a network failure there is a ConnectionError', async () => {
    const cdn = await flakyCdn([502])
    const read = await readResultBytes(`${cdn.url}/r.png`, { fetch: globalThis.fetch, maxBytes: 1_000_000, limitHint: '' })
    expect(Buffer.from(read.bytes)).toEqual(PNG)
    expect(cdn.requests).toHaveLength(2)
    const cut = await flakyCdn(['cut', 'cut'])
    const error = await rejectionOf(readResultBytes(`${cut.url}/r.png?sig=SECRET9`, { fetch: globalThis.fetch, maxBytes: 1_000_000, limitHint: '', maxRetries: 1 }))
    expect(error).toBeInstanceOf(ConnectionError)
    expect(error.message).toMatch(new RegExp(`^\\[GET ${cut.url}/r\\.png\\] network error: .* — check the network connection and try again`))
    expect(error.message).not.toContain('SECRET9')
    expect(cut.requests).toHaveLength(2)
  })

  it.each([
    ['a 404 (the link expired)', [404], {}, 1],
    ['maxRetries: 0', [503], { maxRetries: 0 }, 1],
    ['a 503 every time, maxRetries: 1', [503, 503, 503], { maxRetries: 1 }, 2],
  ] as const)('%s is not tried more than it may', async (_name, failures, options, requests) => {
    const cdn = await flakyCdn([...failures])
    const dir = await mkdtemp(join(tmpdir(), 'ima-download-retry-'))
    const error = await rejectionOf(downloadResult(`${cdn.url}/r.png`, join(dir, 'fox.png'), options))
    expect(error).toMatchObject({ code: 'download_failed', status: failures[0] })
    expect(cdn.requests).toHaveLength(requests)
    expect(await readdir(dir)).toEqual([])
  })

  it('a stall is not tried again: the timeout is the limit the caller set on waiting', async () => {
    const server = await startPlainServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'image/png', 'content-length': '100000' })
      response.write(PNG)
    })
    servers.push(server)
    const dir = await mkdtemp(join(tmpdir(), 'ima-download-retry-'))
    expect(await rejectionOf(downloadResult(`${server.url}/r.png`, join(dir, 'a.png'), { timeout: 100 }))).toBeInstanceOf(RequestTimeoutError)
    expect(server.requests).toHaveLength(1)
  })

  it('an abort ends the tries at once: during the wait between them, or while a try fails', async () => {
    let tries = 0
    const busy = async () => {
      tries += 1
      throw new ImaError('Download of https://cdn.example.com/r.png failed with HTTP 503', { status: 503, code: 'download_failed' })
    }
    const waiting = new AbortController()
    // The longest jitter: the wait after the first try is about half a second, and the abort lands inside it.
    const pending = rejectionOf(withDownloadRetries(busy, { signal: waiting.signal, maxRetries: 10, random: () => 0.999 }))
    await new Promise((resolve) => setTimeout(resolve, 20))
    const started = Date.now()
    waiting.abort(new Error('user left'))
    const error = await pending
    expect(error).toBeInstanceOf(ImaAbortError)
    expect(error.message).toBe('The operation was aborted: user left')
    expect(Date.now() - started).toBeLessThan(200)
    expect(tries).toBe(1)

    const failing = new AbortController()
    const stopped = rejectionOf(withDownloadRetries(async () => {
      failing.abort(new Error('user left'))
      return busy()
    }, { signal: failing.signal }))
    expect(await stopped).toBeInstanceOf(ImaAbortError)
    expect(tries).toBe(2)
  })
})

describe('a result that is no image', () => {
  let page: PlainServer | undefined
  afterEach(async () => {
    await page?.close()
    page = undefined
  })

  it('a CDN page answered 200 is refused, never saved or handed back as a picture', async () => {
    const html = '<!doctype html><html><body>Access denied by the CDN, please log in</body></html>'
    page = await startPlainServer((_request, response) => response.writeHead(200, { 'content-type': 'image/png' }).end(html))
    const dir = await mkdtemp(join(tmpdir(), 'ima-not-image-'))
    const saved = await rejectionOf(downloadResult(`${page.url}/r/0.png`, join(dir, 'fox.png')))
    expect(saved).toBeInstanceOf(ResponseValidationError)
    expect(saved.message).toContain('the result is not an image (it starts with "<!doctype html><html><body>Acces")')
    expect(await readdir(dir)).toEqual([])
    const read = await rejectionOf(readResultBytes(`${page.url}/r/0.png`, { fetch: globalThis.fetch, maxBytes: 1_000_000, limitHint: '' }))
    expect(read).toBeInstanceOf(ResponseValidationError)
    // A short answer (under the bytes the check reads) is checked at its end.
    await page.close()
    page = await startPlainServer((_request, response) => response.writeHead(200).end('denied'))
    expect(await rejectionOf(downloadResult(`${page.url}/r/0.png`, join(dir, 'short.png')))).toBeInstanceOf(ResponseValidationError)
    expect(await readdir(dir)).toEqual([])
  })
})
