/**
 * One URL rule, asked by every place that takes or receives a URL: client
 * options, input images (passed through by uploads, or given to a create),
 * task results and downloads. One table; each place must agree with it.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ImaClient, ImaConfigError, ResponseValidationError, ValidationError } from 'ima-open-sdk'
import { downloadResult } from 'ima-open-sdk/node'
import { startPlainServer, type PlainServer } from '../support/plain-server.js'
import { rejectionOf, useImaServer } from './harness.js'

const ima = useImaServer({ taskDurationMs: 0 })

/** The table: a URL and whether the rule takes it. Loopback entries get the local server's port where it matters. */
const URLS: ReadonlyArray<[url: string, accepted: boolean]> = [
  ['https://cdn.example.com/a.png', true],
  ['HTTPS://CDN.EXAMPLE.COM/a.png', true],
  ['http://127.0.0.2:9/a.png', true],
  ['http://localhost:9/a.png', true],
  ['http://[::1]:9/a.png', true],
  ['http://example.com/a.png', false],
  ['http://127.example.com/a.png', false],
  ['https://user:pass@cdn.example.com/a.png', false],
  ['javascript:alert(1)', false],
  ['file:///etc/passwd', false],
  ['ftp://example.com/a.png', false],
]

/** A service whose every task detail answers one result URL. */
let resultService: PlainServer
let resultURL = ''
beforeAll(async () => {
  resultService = await startPlainServer((_request, response) => {
    const media = { resource_status: 1, status: 'success', url: resultURL, cover_url: '', width: 1, height: 1 }
    response.setHeader('content-type', 'application/json')
    response.end(JSON.stringify({ code: 0, message: 'success', data: { id: 't1', medias: [media] } }))
  })
})
afterAll(async () => {
  await resultService.close()
})

describe.each(URLS)('%s (accepted: %s)', (url, accepted) => {
  it('as a client option', () => {
    const make = () => new ImaClient({ apiKey: 'ima_test_url_rule', baseURL: url })
    if (accepted) expect(make().baseURL).toBe(new URL(url).href.replace(/\/+$/, ''))
    else expect(make).toThrow(ImaConfigError)
  })

  it('as an input image passed through uploads', async () => {
    const put = ima.client().uploads.put(url)
    if (accepted) expect((await put).url).toBe(url)
    else expect(await rejectionOf(put)).toBeInstanceOf(ValidationError)
  })

  it('as an input image of a create', async () => {
    const before = ima.server.tasks.length
    const create = ima.client().tasks.create({ model: 'doubao-seedream-4.5', prompt: 'a fox', inputImages: [url] })
    // The client's part of the rule: a URL it takes is sent (the local server, an independent
    // implementation, may still refuse a loopback host it does not serve); one it refuses never leaves.
    if (accepted) expect(await create.then(() => undefined, (error: unknown) => error)).not.toBeInstanceOf(ValidationError)
    else {
      expect(await rejectionOf(create)).toBeInstanceOf(ValidationError)
      expect(ima.server.tasks.length).toBe(before)
    }
  })

  it('as a task result', async () => {
    resultURL = url
    const read = new ImaClient({ apiKey: 'ima_test_url_rule', baseURL: resultService.url, maxRetries: 0 }).tasks.get('t1')
    if (accepted) expect((await read).medias[0]?.url).toBe(url)
    else expect(await rejectionOf(read)).toBeInstanceOf(ResponseValidationError)
  })

  it.runIf(!accepted)('as a download, refused before any request', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ima-url-rule-'))
    let fetched = 0
    const error = await rejectionOf(downloadResult(url, join(dir, 'a.png'), { fetch: async () => ((fetched += 1), new Response('x')) }))
    expect(error).toBeInstanceOf(ValidationError)
    expect(fetched).toBe(0)
  })
})
