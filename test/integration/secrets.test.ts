import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { inspect } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConnectionError, ImaClient, TaskFailedError, type ImaEvents, type ImaLogger } from 'ima-open-sdk'
import { downloadResult } from 'ima-open-sdk/node'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { rejectionOf, useImaServer } from './harness.js'

// Recognisable keys: any trace of them in captured output is a leak.
const KEY = 'ima_CANARY_live_9f3b7c1d5e2a8f6b'
const WRONG_KEY = 'ima_CANARY_wrong_4a6c8e0b2d4f6a8c'
const FINGERPRINTS = [KEY, WRONG_KEY, KEY.slice(4, 16), WRONG_KEY.slice(4, 16)]

const ima = useImaServer({ progression: 'polls', apiKeys: { [KEY]: 10_000 } })

const REDACTED = '[redacted]'
const URL_PASSWORD = 'PASSWORD_CANARY_5d1e'
const URL_SIGNATURE = 'SIGNATURE_CANARY_77ab'

/** Each form of the key in `texts`, in any case: the whole key, its secret part, and a piece of it. */
function expectNoKeyIn(texts: readonly string[]): void {
  const forms = [KEY, KEY.slice(4), KEY.slice(4, 16)].map((form) => form.toLowerCase())
  expect(texts.length).toBeGreaterThan(0)
  for (const text of texts) {
    const lower = text.toLowerCase()
    for (const form of forms) expect(lower).not.toContain(form)
  }
}

/** Failed tasks whose service text quotes the key, by task id: the whole key, upper-cased, without its prefix, and in a remark. */
const ECHOED_FAILURES: Record<string, Record<string, unknown>> = {
  task_full: { resource_status: 2, status: 'failed', url: '', error_msg: `upstream refused key ${KEY}`, remark: `remark ${KEY}` },
  task_upper: { resource_status: 2, status: 'failed', url: '', error_msg: `INVALID KEY ${KEY.toUpperCase()}` },
  task_bare: { resource_status: 2, status: 'failed', url: '', error_msg: `token ${KEY.slice(4)} refused` },
  task_remark: { resource_status: 1, status: 'failed', url: '', remark: `remark quoting ${KEY}, ${KEY.toUpperCase()} and ${KEY.slice(4)}` },
  // Fields the SDK does not know, nested, reach users only through `detail.raw`: clean there too.
  task_nested: { resource_status: 2, status: 'failed', url: '', error_msg: 'refused', provider: { detail: `for ${KEY}`, echoes: [KEY.toUpperCase()] } },
}
/** Top-level fields of a detail's `data` beside `id` and `medias`, by task id. */
const ECHOED_DATA: Record<string, Record<string, unknown>> = { task_nested: { trace: `served for ${KEY}` } }

// The local server's failures carry fixed texts, so this stub plays a service whose failure text quotes the key.
const echoingService = { server: undefined as Server | undefined, url: '' }
beforeAll(async () => {
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      const taskId = String((JSON.parse(body || '{}') as { task_id?: unknown }).task_id)
      const media = ECHOED_FAILURES[taskId]
      res.writeHead(media ? 200 : 404, { 'content-type': 'application/json' })
      res.end(JSON.stringify(media ? { code: 0, message: 'success', data: { id: taskId, medias: [media], ...ECHOED_DATA[taskId] } } : { code: 404, message: 'task not found' }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  echoingService.server = server
  echoingService.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  echoingService.server?.closeAllConnections()
  await new Promise<void>((resolve) => (echoingService.server ? echoingService.server.close(() => resolve()) : resolve()))
})

const EVENT_NAMES: Array<keyof ImaEvents> = ['request', 'response', 'retry', 'task.created', 'task.status', 'task.succeeded', 'task.failed', 'task.poll_failed', 'task.outcome_unknown', 'task.detached_settled']

/** A client whose every log line, event and error is captured as text. */
function capturingClient(apiKey: string, extra: ConstructorParameters<typeof ImaClient>[0] = {}) {
  const captured: string[] = []
  const capture = (value: unknown) => captured.push(typeof value === 'string' ? value : inspect(value, { depth: 12, showHidden: true, getters: true }))
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => capture(`${level} ${message} ${JSON.stringify(fields ?? {})}`)
  const logger: ImaLogger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }
  const client = ima.client({ apiKey, logger, ...extra })
  for (const name of EVENT_NAMES) client.on(name, ((payload: unknown) => capture({ name, payload })) as never)
  const captureError = (error: Error) => {
    capture(error)
    capture(error.message)
    capture(String(error.stack))
    capture(JSON.stringify(error))
  }
  return { client, captured, capture, captureError }
}

describe('the API key never leaks', () => {
  it('appears in no log line, event, error, or inspection across the scenarios', async () => {
    const { client, captured, capture, captureError } = capturingClient(KEY)
    capture(client)
    capture(JSON.stringify(client))

    const ok = await client.generate({ model: 'NB Pro', prompt: 'a fox', intervalMs: 1 })
    capture(ok)
    const dir = await mkdtemp(join(tmpdir(), 'ima-secrets-'))
    capture(await downloadResult(ok.url, join(dir, 'fox.png')))
    captureError(await rejectionOf(client.generate({ model: 'MJ', prompt: 'a cat [fail]', intervalMs: 1 })))
    captureError(await rejectionOf(client.tasks.wait((await client.tasks.create({ model: 'MJ', prompt: 'x [never]' })).id, { intervalMs: 1, timeoutMs: 30 })))
    captureError(await rejectionOf(client.tasks.get('task_missing')))
    captureError(await rejectionOf(client.tasks.create({ model: 'NB Pro', prompt: 'x', size: '8K' })))
    captureError(await rejectionOf(client.products.list('text_to_image', { signal: AbortSignal.abort() })))

    const wrong = capturingClient(WRONG_KEY)
    captureError(await rejectionOf(wrong.client.products.list('text_to_image')))
    captured.push(...wrong.captured)

    // A proxy that echoes the request headers back in an HTML page.
    const echoing = capturingClient(KEY, {
      fetch: async (_input, init) => new Response(`<html>${JSON.stringify(Object.fromEntries(new Headers(init?.headers)))}</html>`, { status: 200, headers: { 'content-type': 'text/html' } }),
      maxRetries: 1,
    })
    captureError(await rejectionOf(echoing.client.tasks.get('task_1')))
    // The same page after a create: an outcome-unknown error, and a journal entry holding the page's excerpt.
    const echoingCreate = capturingClient(KEY, {
      fetch: async (input, init) =>
        String(input).endsWith('/open/v1/tasks/create')
          ? new Response(`<html>${JSON.stringify(Object.fromEntries(new Headers(init?.headers)))}</html>`, { status: 502, headers: { 'content-type': 'text/html' } })
          : globalThis.fetch(input, init),
    })
    captureError(await rejectionOf(echoingCreate.client.tasks.create({ model: 'MJ', prompt: 'x' })))
    capture(await echoingCreate.client.tasks.recent())
    capture(JSON.stringify(await echoingCreate.client.tasks.recent()))
    captured.push(...echoing.captured, ...echoingCreate.captured)

    const poor = capturingClient(KEY, { maxRetries: 0 })
    ima.server.setBalance(KEY, 1)
    captureError(await rejectionOf(poor.client.tasks.create({ model: 'NB Pro', prompt: 'x' })))
    captured.push(...poor.captured)
    ima.server.setBalance(KEY, 10_000)

    capture(JSON.stringify(await client.tasks.recent()))
    expect(captured.length).toBeGreaterThan(30)
    for (const text of captured) {
      for (const fingerprint of FINGERPRINTS) expect(text).not.toContain(fingerprint)
    }
  })

  it('is redacted where a failed task\'s error_msg and remark enter: full, upper-case, or without its prefix', async () => {
    const { client, captured, capture, captureError } = capturingClient(KEY, { baseURL: echoingService.url })
    const failures: Array<[string, string | undefined]> = []
    for (const taskId of Object.keys(ECHOED_FAILURES)) {
      const error = await rejectionOf(client.tasks.wait(taskId, { intervalMs: 1 }))
      expect(error).toBeInstanceOf(TaskFailedError)
      captureError(error)
      capture(inspect(error, { showHidden: true, getters: true, depth: 5 }))
      failures.push([(error as TaskFailedError).failure, (error as TaskFailedError).reason])
      const detail = await client.tasks.get(taskId)
      capture(detail)
      capture(JSON.stringify(detail))
    }
    // The failures are still told apart and keep what is not secret.
    expect(failures).toEqual([
      ['resource', `upstream refused key ${REDACTED}`],
      ['resource', `INVALID KEY ${REDACTED}`],
      ['resource', `token ${REDACTED} refused`],
      ['status', `remark quoting ${REDACTED}, ${REDACTED} and ${REDACTED}`],
      ['resource', 'refused'],
    ])
    expectNoKeyIn(captured)
    // Every path was taken: status and failed events, and log lines.
    expect(captured.some((text) => text.includes("name: 'task.status'") && text.includes("type: 'failed'"))).toBe(true)
    expect(captured.filter((text) => text.includes("name: 'task.failed'"))).toHaveLength(5)
    expect(captured.filter((text) => text.startsWith('warn ima task failed'))).toHaveLength(5)
  })

  it('is cut with the userinfo and query of URLs in connection errors and retry events', async () => {
    // Fetches (a proxy's, an instrumented one) whose errors quote a proxy URL with credentials, or a signed URL.
    const throwing = (message: string) => capturingClient(KEY, {
      maxRetries: 1,
      fetch: async () => {
        throw new TypeError(message)
      },
    })
    const viaProxy = throwing(`connect ECONNREFUSED through proxy http://bob:${URL_PASSWORD}@proxy.example:3128`)
    const signed = throwing(`request to https://cdn.example/open/v1/tasks/detail?X-Amz-Signature=${URL_SIGNATURE}&token=${KEY} failed, reason: socket hang up`)
    const proxyError = await rejectionOf(viaProxy.client.tasks.get('task_1'))
    const signedError = await rejectionOf(signed.client.tasks.get('task_1'))
    expect(proxyError).toBeInstanceOf(ConnectionError)
    expect(proxyError.message).toContain(`through proxy http://${REDACTED}@proxy.example:3128`)
    expect(signedError).toBeInstanceOf(ConnectionError)
    expect(signedError.message).toContain(`https://cdn.example/open/v1/tasks/detail?${REDACTED} failed`)
    for (const [error, from] of [[proxyError, viaProxy], [signedError, signed]] as const) {
      from.captureError(error)
      from.capture(inspect(error, { showHidden: true, getters: true, depth: 5 }))
    }
    const captured = [...viaProxy.captured, ...signed.captured]
    // One retry each, its event holding the error.
    expect(captured.filter((text) => text.includes("name: 'retry'"))).toHaveLength(2)
    expectNoKeyIn(captured)
    for (const text of captured) {
      expect(text).not.toContain(URL_PASSWORD)
      expect(text).not.toContain(URL_SIGNATURE)
    }
  })

  it('is sent only to the API host: never with result downloads', async () => {
    const result = await ima.client({ apiKey: KEY }).generate({ model: 'MJ', prompt: 'a castle', intervalMs: 1 })
    await downloadResult(result.url, join(await mkdtemp(join(tmpdir(), 'ima-secrets-')), 'castle.png'))
    const toFiles = ima.server.requests.filter((request) => request.path.startsWith('/files/'))
    expect(toFiles.length).toBeGreaterThan(0)
    for (const request of toFiles) expect(request.headers.authorization).toBeUndefined()
    for (const request of ima.server.requests) expect(JSON.stringify(request)).not.toContain(KEY)
  })
})

describe('an option quoted in a configuration error', () => {
  it.each([
    ['the key pasted as baseURL', { apiKey: KEY, baseURL: KEY }],
    ['the key pasted as uploadBaseURL, upper case', { apiKey: KEY, uploadBaseURL: KEY.toUpperCase() }],
    ['the key pasted as language', { apiKey: KEY, language: KEY as 'en' }],
    ['the key as a plain-http host', { apiKey: KEY, baseURL: `http://${KEY.slice(4).toLowerCase()}.example.com` }],
  ])('%s is refused without printing the key', (_what, options) => {
    let error: unknown
    try {
      new ImaClient(options)
    } catch (caught) {
      error = caught
    }
    expect((error as Error).name).toBe('ImaConfigError')
    const shown = `${(error as Error).message}\n${(error as Error).stack}\n${inspect(error, { showHidden: true, getters: true, depth: 5 })}\n${JSON.stringify(error)}`
    for (const fingerprint of FINGERPRINTS) expect(shown.toLowerCase()).not.toContain(fingerprint.toLowerCase())
  })
})
