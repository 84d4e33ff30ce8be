/**
 * What the send path reads from an answer is bounded: its size (counted
 * after decompression, so a gzip bomb is stopped), the service message quoted
 * in an error, and how deep its JSON may nest.
 */
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import {
  ApiError,
  CreateOutcomeUnknownError,
  ImaClient,
  ResponseTooLargeError,
  ResponseValidationError,
  ServerError,
} from 'ima-open-sdk'
import { fixture, killLeftoverChildren, spawnTsx } from '../support/tsx-child.js'
import { startPlainServer, type PlainServer } from '../support/plain-server.js'
import { rejectionOf } from './harness.js'

const KEY = 'ima_answer_limit_key_0123'
const LIST = '/open/v1/product/list'
const MiB = 1024 * 1024

const servers: PlainServer[] = []
afterEach(async () => {
  killLeftoverChildren()
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

async function serve(answer: Parameters<typeof startPlainServer>[0], options?: { streaming?: boolean }): Promise<PlainServer> {
  const server = await startPlainServer(answer, options)
  servers.push(server)
  return server
}

/** `total` zero bytes, 1 MiB at a time, made only as fast as they are read. */
function zeros(total: number): Readable {
  let left = total
  const chunk = Buffer.alloc(MiB)
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null)
      left -= chunk.length
      this.push(chunk)
    },
  })
}

describe('the size of an answer', () => {
  it('a gzip bomb (1 GiB of zeros) is stopped at maxResponseBytes: one request, no retry, little memory', { timeout: 90_000 }, async () => {
    const server = await serve(
      (request, response) => {
        if (request.url === '/warmup') return void response.end('ok')
        response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
        // Compressed as it is read: about 1 MiB on the wire for the whole GiB, only as far as the client reads.
        pipeline(zeros(1024 * MiB), createGzip(), response).catch(() => {})
      },
      { streaming: true },
    )
    const child = spawnTsx(fixture('answer-limit-client.ts'), [server.url])
    const { code, out } = await child.done
    expect(code, out).toBe(0)
    const result = JSON.parse(out.trim().split('\n').at(-1) as string) as { name: string; limitBytes: number; sampledGrowth: number; peakGrowth: number }
    console.log(`gzip bomb: RSS grew ${(result.sampledGrowth / MiB).toFixed(1)} MiB sampled, ${(result.peakGrowth / MiB).toFixed(1)} MiB at most (peak RSS − RSS before)`)
    expect(result).toMatchObject({ name: 'ResponseTooLargeError', limitBytes: 4 * MiB })
    expect(result.peakGrowth).toBeLessThan(100 * MiB)
    expect(server.requests.filter((request) => request.url.startsWith(LIST))).toHaveLength(1)
  })

  it('an answer over maxResponseBytes is refused, one of exactly maxResponseBytes is read', async () => {
    const envelope = (padding: number) => JSON.stringify({ code: 0, message: 'x'.repeat(padding), data: [] })
    const exact = envelope(1024 - envelope(0).length)
    expect(Buffer.byteLength(exact)).toBe(1024)
    let body = exact
    const server = await serve((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(body))
    const client = new ImaClient({ apiKey: KEY, baseURL: server.url, maxResponseBytes: 1024, productCacheTtlMs: 0 })
    await expect(client.products.list('text_to_image')).resolves.toEqual([])
    body = envelope(1025 - envelope(0).length)
    const error = await rejectionOf(client.products.list('text_to_image'))
    expect(error).toBeInstanceOf(ResponseTooLargeError)
    expect(error).toBeInstanceOf(ResponseValidationError)
    expect(error).toMatchObject({ limitBytes: 1024, status: 200 })
    expect(error.message).toMatch(/more than maxResponseBytes \(1024 bytes.*raise the client option maxResponseBytes/)
    expect(server.requests).toHaveLength(2)
  })

  it('a create whose answer is too large has an unknown outcome and is not re-sent', async () => {
    const tree = [{ id: 'v', type: '3', name: 'M', model_id: 'm', credit_rules: [{ attribute_id: 1, points: 2, attributes: {} }], form_config: [] }]
    const server = await serve((request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      if (request.url?.startsWith(LIST)) return void response.end(JSON.stringify({ code: 0, data: tree }))
      response.end(JSON.stringify({ code: 0, message: 'y'.repeat(5_000), data: { id: 't1' } }))
    })
    const client = new ImaClient({ apiKey: KEY, baseURL: server.url, maxResponseBytes: 2_000, maxRetries: 2 })
    const error = await rejectionOf(client.tasks.create({ model: 'm', prompt: 'p' }))
    expect(error).toBeInstanceOf(CreateOutcomeUnknownError)
    expect((error as CreateOutcomeUnknownError).cause).toBeInstanceOf(ResponseTooLargeError)
    expect(server.requests.filter((request) => request.url === '/open/v1/tasks/create')).toHaveLength(1)
  })
})

describe('the text of an error', () => {
  it('quotes at most 2,000 characters of the service message; the whole body, redacted, stays on the error', async () => {
    const message = `${'a very long failure '.repeat(5_000)} key=${KEY}`
    const body = JSON.stringify({ code: 500, message, data: null })
    const server = await serve((_request, response) => response.writeHead(500, { 'content-type': 'application/json' }).end(body))
    const error = (await rejectionOf(new ImaClient({ apiKey: KEY, baseURL: server.url, maxRetries: 0 }).products.list('text_to_image'))) as ApiError
    expect(error).toBeInstanceOf(ServerError)
    expect(error.message.length).toBeLessThan(2_300)
    expect(error.message).toContain(`("${message.slice(0, 2_000)}…")`)
    expect(error.responseBody).toBe(body.replace(KEY, '[redacted]'))
    expect(error.serviceMessage).toBe(message.replace(KEY, '[redacted]'))
    expect(JSON.stringify(error)).not.toContain(KEY)
  })

  it('keeps the whole body of an answer that is not the envelope on the ResponseValidationError', async () => {
    const page = `<html>${'<p>gateway trouble</p>'.repeat(500)}</html>`
    const server = await serve((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end(page))
    const error = (await rejectionOf(new ImaClient({ apiKey: KEY, baseURL: server.url }).products.list('text_to_image'))) as ResponseValidationError
    expect(error).toBeInstanceOf(ResponseValidationError)
    expect(error.excerpt.length).toBeLessThanOrEqual(201)
    expect(error.responseBody).toBe(page)
  })
})

describe('deep JSON', () => {
  it('a product tree 20,000 levels deep is a ResponseValidationError, never a RangeError', async () => {
    const levels = 20_000
    const node = '{"id":"g","type":"2","name":"G","model_id":"","children":['
    const body = `{"code":0,"message":"ok","data":[${node.repeat(levels)}${']}'.repeat(levels)}]}`
    const server = await serve((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(body))
    const error = await rejectionOf(new ImaClient({ apiKey: KEY, baseURL: server.url }).products.list('text_to_image'))
    expect(error).not.toBeInstanceOf(RangeError)
    expect(error).toBeInstanceOf(ResponseValidationError)
    expect(error.message).toContain('nested deeper than 256 levels')
    expect(server.requests).toHaveLength(1)
  })

  it('a real-sized tree (50 levels) still reads', async () => {
    const levels = 50
    const leaf = '{"id":"v","type":"3","name":"M","model_id":"m","credit_rules":[],"form_config":[]}'
    const group = '{"id":"g","type":"2","name":"G","model_id":"","children":['
    const body = `{"code":0,"data":[${group.repeat(levels)}${leaf}${']}'.repeat(levels)}]}`
    const server = await serve((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(body))
    const tree = await new ImaClient({ apiKey: KEY, baseURL: server.url }).products.list('text_to_image')
    expect(tree).toHaveLength(1)
  })
})
