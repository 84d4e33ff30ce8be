import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import {
  AttributeMismatchError,
  AuthenticationError,
  BadRequestError,
  ConnectionError,
  CreditMismatchError,
  ImaClient,
  InsufficientPointsError,
  NotFoundError,
  RequestTimeoutError,
  ResponseValidationError,
  ValidationError,
} from 'ima-open-sdk'
import { productListRewriter, rejectionOf, useImaServer, visitNodes } from './harness.js'

const ima = useImaServer({ apiKeys: { ima_local_test_key: 100_000, ima_poor_key: 3 } })

/** Rewrites the credit rules of one version leaf in the list the client sees. */
function rewriteRules(versionId: string, change: (rules: Array<{ attribute_id: number; points: number; attributes: Record<string, unknown> }>, leaf: Record<string, unknown>) => void) {
  return productListRewriter((tree) => {
    visitNodes(tree, (node) => {
      if (node.id === versionId) change(node.credit_rules as never, node)
    })
    return tree
  })
}

describe('each error class over HTTP', () => {
  it('AuthenticationError for an unknown key', async () => {
    const error = await rejectionOf(ima.client({ apiKey: 'ima_not_a_real_key' }).products.list('text_to_image'))
    expect(error).toBeInstanceOf(AuthenticationError)
    expect(error).toMatchObject({ status: 401 })
    expect(error.message).not.toContain('ima_not_a_real_key')
  })

  it('InsufficientPointsError (4008) when the balance is too low, with nothing charged', async () => {
    const error = await rejectionOf(ima.client({ apiKey: 'ima_poor_key' }).tasks.create({ model: 'gemini-3-pro-image', prompt: 'x' }))
    expect(error).toBeInstanceOf(InsufficientPointsError)
    expect(error).toMatchObject({ code: 4008 })
    expect(ima.server.balance('ima_poor_key')).toBe(3)
  })

  it('CreditMismatchError (6006) when the list the client read had other points', async () => {
    const fetch = rewriteRules('gemini-3-pro-image-preview', (rules) => {
      for (const rule of rules) rule.points += 1
    })
    const error = await rejectionOf(ima.client({ fetch }).tasks.create({ model: 'gemini-3-pro-image', prompt: 'x' }))
    expect(error).toBeInstanceOf(CreditMismatchError)
    expect(error).toMatchObject({ code: 6006 })
  })

  it('AttributeMismatchError (6010) when attribute ids moved between rules', async () => {
    const fetch = rewriteRules('gemini-3-pro-image-preview', (rules) => {
      const [first, second] = rules
      ;[first!.attribute_id, second!.attribute_id] = [second!.attribute_id, first!.attribute_id]
    })
    const error = await rejectionOf(ima.client({ fetch }).tasks.create({ model: 'gemini-3-pro-image', prompt: 'x', size: '2K' }))
    expect(error).toBeInstanceOf(AttributeMismatchError)
    expect(error).toMatchObject({ code: 6010 })
  })

  it('AttributeMismatchError (6009) when no rule matches the parameters', async () => {
    const fetch = rewriteRules('gemini-3-pro-image-preview', (rules, leaf) => {
      rules[2]!.attributes.size = '3K'
      const sizeField = (leaf.form_config as Array<{ field: string; options: Array<{ value: string }> }>).find((field) => field.field === 'size')!
      sizeField.options.push({ value: '3K' })
    })
    const error = await rejectionOf(ima.client({ fetch }).tasks.create({ model: 'gemini-3-pro-image', prompt: 'x', size: '3K' }))
    expect(error).toBeInstanceOf(AttributeMismatchError)
    expect(error).toMatchObject({ code: 6009 })
  })

  it('AttributeMismatchError for "Invalid product attribute"', async () => {
    const fetch = rewriteRules('gemini-3-pro-image-preview', (rules) => {
      for (const rule of rules) rule.attribute_id += 90_000
    })
    const error = await rejectionOf(ima.client({ fetch }).tasks.create({ model: 'gemini-3-pro-image', prompt: 'x' }))
    expect(error).toBeInstanceOf(AttributeMismatchError)
    expect(error.message).toContain('Invalid product attribute')
  })

  it('BadRequestError (400) for a size the service refuses', async () => {
    const fetch = rewriteRules('doubao-seedream-4-5-251128', (_rules, leaf) => {
      ;(leaf.form_config as Array<{ options: Array<{ value: string }> }>)[0]!.options.push({ value: 'adaptive' })
    })
    const error = await rejectionOf(ima.client({ fetch }).tasks.create({ model: 'doubao-seedream-4.5', prompt: 'x', size: 'adaptive' }))
    expect(error).toBeInstanceOf(BadRequestError)
    expect(error).toMatchObject({ status: 400 })
  })

  it('NotFoundError for an unknown task', async () => {
    expect(await rejectionOf(ima.client().tasks.get('task_does_not_exist'))).toBeInstanceOf(NotFoundError)
  })

  it('ValidationError before any request for bad input from JavaScript callers', async () => {
    const before = ima.server.requests.length
    const client = ima.client()
    for (const params of [{}, { model: 42, prompt: 'x' }, { model: 'midjourney', prompt: 'x', n: 1.5 }, { model: 'midjourney', prompt: 'x', taskType: 'text_to_video' }]) {
      expect(await rejectionOf(client.tasks.create(params as never))).toBeInstanceOf(ValidationError)
    }
    expect(await rejectionOf(client.products.list('text_to_video' as never))).toBeInstanceOf(ValidationError)
    expect(ima.server.requests.length).toBe(before)
  })

  it('ResponseValidationError when a proxy answers with HTML', async () => {
    const fetch: typeof globalThis.fetch = async () => new Response('<html>Gateway</html>', { status: 200, headers: { 'content-type': 'text/html' } })
    const error = await rejectionOf(ima.client({ fetch }).tasks.get('task_x'))
    expect(error).toBeInstanceOf(ResponseValidationError)
    expect((error as ResponseValidationError).excerpt).toContain('Gateway')
  })

  it('ConnectionError (not sent) when nothing listens', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as AddressInfo
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const client = new ImaClient({ apiKey: 'ima_local_test_key', baseURL: `http://127.0.0.1:${port}`, maxRetries: 0 })
    const error = await rejectionOf(client.products.list('text_to_image'))
    expect(error).toBeInstanceOf(ConnectionError)
    expect(error).toMatchObject({ sent: false, code: 'ECONNREFUSED' })
    // Node's fetch says only "fetch failed"; the reason is its cause, and the message carries it.
    expect(error.message).toContain(`fetch failed: connect ECONNREFUSED 127.0.0.1:${port}`)
  })

  it('ConnectionError bad_port (not sent, not retried) for a port fetch blocks', async () => {
    const client = new ImaClient({ apiKey: 'ima_local_test_key', baseURL: 'http://127.0.0.1:6000' })
    const retries: unknown[] = []
    client.on('retry', (event) => retries.push(event))
    const error = await rejectionOf(client.products.list('text_to_image'))
    expect(error).toBeInstanceOf(ConnectionError)
    expect(error).toMatchObject({ sent: false, code: 'bad_port' })
    expect(error.message).toBe('[GET /open/v1/product/list] fetch refuses to connect to this port (a blocked one, such as 6000): nothing was sent — use another port in baseURL')
    expect(retries).toEqual([])
  })

  it('RequestTimeoutError when an answer does not come in time', async () => {
    const silent = createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const { port } = silent.address() as AddressInfo
    try {
      const client = new ImaClient({ apiKey: 'ima_local_test_key', baseURL: `http://127.0.0.1:${port}`, maxRetries: 0, timeout: 50 })
      expect(await rejectionOf(client.products.list('text_to_image'))).toBeInstanceOf(RequestTimeoutError)
    } finally {
      silent.closeAllConnections()
      await new Promise<void>((resolve) => silent.close(() => resolve()))
    }
  })
})
