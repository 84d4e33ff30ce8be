import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { ImaClient, type ImaEvents, type ImaLogger } from 'ima-open-sdk'
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

  it('is sent only to the API host: never with result downloads', async () => {
    const result = await ima.client({ apiKey: KEY }).generate({ model: 'MJ', prompt: 'a castle', intervalMs: 1 })
    await downloadResult(result.url, join(await mkdtemp(join(tmpdir(), 'ima-secrets-')), 'castle.png'))
    const toFiles = ima.server.requests.filter((request) => request.path.startsWith('/files/'))
    expect(toFiles.length).toBeGreaterThan(0)
    for (const request of toFiles) expect(request.headers.authorization).toBeUndefined()
    for (const request of ima.server.requests) expect(JSON.stringify(request)).not.toContain(KEY)
  })
})
