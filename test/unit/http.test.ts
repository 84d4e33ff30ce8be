import { inspect } from 'node:util'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import {
  AttributeMismatchError,
  AuthenticationError,
  CreateOutcomeUnknownError,
  CreditMismatchError,
  ImaClient,
  ImaConfigError,
  InsufficientPointsError,
  RateLimitError,
  RequestTimeoutError,
  ResponseTooLargeError,
  ResponseValidationError,
  ServiceUnavailableError,
  type ImaError,
} from 'ima-open-sdk'
import { nestsDeeperThan } from '../../src/http/answers.js'

const KEY = 'ima_unit_secret_key_0123456789'

/** A fetch that answers from a list, recording what it was sent. */
function scriptedFetch(answers: Array<() => Response | Promise<Response>>) {
  const calls: Array<{ url: string; init: RequestInit }> = []
  const fetch = (async (url: string | URL | Request, init: RequestInit = {}) => {
    calls.push({ url: String(url), init })
    const next = answers[Math.min(calls.length - 1, answers.length - 1)]
    if (!next) throw new Error('no scripted answer')
    return next()
  }) as typeof globalThis.fetch
  return { fetch, calls }
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) => () =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })

function client(fetch: typeof globalThis.fetch, extra: Partial<ConstructorParameters<typeof ImaClient>[0]> = {}) {
  return new ImaClient({ apiKey: KEY, baseURL: 'https://api.test.example', fetch, maxRetries: 2, ...extra })
}

async function caught(promise: Promise<unknown>): Promise<ImaError> {
  try {
    await promise
  } catch (error) {
    return error as ImaError
  }
  throw new Error('expected a rejection')
}

describe('HTTP layer', () => {
  it('sends the protocol headers and unwraps the envelope', async () => {
    const { fetch, calls } = scriptedFetch([json({ code: 0, message: 'ok', data: [] })])
    await expect(client(fetch, { language: 'zh' }).products.list('text_to_image')).resolves.toEqual([])
    const headers = new Headers(calls[0]!.init.headers)
    expect(calls[0]!.url).toBe('https://api.test.example/open/v1/product/list?app=ima&platform=web&category=text_to_image')
    expect(headers.get('authorization')).toBe(`Bearer ${KEY}`)
    expect(headers.get('x-app-source')).toBe('ima_skills')
    expect(headers.get('x_app_language')).toBe('zh')
    expect(headers.get('user-agent')).toMatch(/^ima-open-sdk\//)
  })

  it('accepts code 200 as success and a null tree as empty', async () => {
    const { fetch } = scriptedFetch([json({ code: 200, message: 'ok', data: null })])
    await expect(client(fetch).products.list('image_to_image')).resolves.toEqual([])
  })

  it.each([
    [{ code: 4008, message: 'Insufficient points' }, 200, InsufficientPointsError],
    [{ code: 6006, message: 'credit mismatch' }, 200, CreditMismatchError],
    [{ code: 6010, message: 'attr' }, 200, AttributeMismatchError],
    [{ code: 6009, message: 'no rule' }, 200, AttributeMismatchError],
    [{ code: 500, message: 'Invalid product attribute' }, 200, AttributeMismatchError],
    [{ code: 401, message: 'Unauthorized' }, 401, AuthenticationError],
  ])('maps %j (HTTP %i) to its class', async (body, status, errorClass) => {
    const { fetch } = scriptedFetch([json(body, status)])
    const error = await caught(client(fetch).products.list('text_to_image'))
    expect(error).toBeInstanceOf(errorClass)
    expect(error.message).toMatch(/^\[GET \/open\/v1\/product\/list\] /)
    expect(error.message).toContain(' — ')
  })

  it('links the key page on 401 and the credits page on 4008', async () => {
    const unauthorised = await caught(client(scriptedFetch([json({ code: 401, message: 'no' }, 401)]).fetch).products.list('text_to_image'))
    expect(unauthorised.message).toContain('https://www.imaclaw.ai/imaclaw/apikey')
    const poor = await caught(client(scriptedFetch([json({ code: 4008, message: 'Insufficient points' })]).fetch).products.list('text_to_image'))
    expect(poor.message).toContain('https://www.imaclaw.ai/imaclaw/subscription')
  })

  it.each([
    ['HTML error page', () => new Response('<html><body>502 Bad Gateway</body></html>', { status: 200, headers: { 'content-type': 'text/html' } })],
    ['empty body', () => new Response('', { status: 200 })],
    ['truncated JSON', () => new Response('{"code":0,"data":[{"id":', { status: 200 })],
    ['no envelope', json([1, 2, 3])],
    ['wrong data shape', json({ code: 0, data: [{ id: 'x' }] })],
  ])('turns a %s into a ResponseValidationError with an excerpt', async (_name, answer) => {
    const error = await caught(client(scriptedFetch([answer]).fetch).products.list('text_to_image'))
    expect(error).toBeInstanceOf(ResponseValidationError)
    expect((error as ResponseValidationError).request).toEqual({ method: 'GET', path: '/open/v1/product/list' })
  })

  it('retries an idempotent call on 503 and reports each retry', async () => {
    const { fetch, calls } = scriptedFetch([json({ code: 503, message: 'busy' }, 503, { 'retry-after': '0' }), json({ code: 0, data: [] })])
    const ima = client(fetch)
    const retries: unknown[] = []
    ima.on('retry', (event) => retries.push({ attempt: event.attempt, reason: event.reason }))
    await expect(ima.products.list('text_to_image')).resolves.toEqual([])
    expect(calls).toHaveLength(2)
    expect(retries).toEqual([{ attempt: 2, reason: 'service unavailable (503)' }])
  })

  it('honours Retry-After on 429 and gives up after maxRetries', async () => {
    const { fetch, calls } = scriptedFetch([json({ code: 429, message: 'slow down' }, 429, { 'retry-after': '0' })])
    const error = await caught(client(fetch, { maxRetries: 1 }).products.list('text_to_image'))
    expect(error).toBeInstanceOf(RateLimitError)
    expect((error as RateLimitError).retryAfterMs).toBe(0)
    expect(calls).toHaveLength(2)
  })

  it('raises ImaConfigError naming IMA_API_KEY on the first request, not at construction', async () => {
    const previous = process.env.IMA_API_KEY
    delete process.env.IMA_API_KEY
    try {
      const { fetch, calls } = scriptedFetch([json({ code: 0, data: [] })])
      const ima = new ImaClient({ fetch })
      const error = await caught(ima.products.list('text_to_image'))
      expect(error).toBeInstanceOf(ImaConfigError)
      expect(error.message).toContain('IMA_API_KEY')
      expect(calls).toHaveLength(0)
    } finally {
      if (previous !== undefined) process.env.IMA_API_KEY = previous
    }
  })

  it('refuses an option it does not take, naming the one meant: a budget mistyped is never a client without a budget', () => {
    expect(() => new ImaClient({ apiKey: 'ima_test', maxCredit: 100 } as never)).toThrow(/^Unknown ImaClient option maxCredit \(did you mean maxCredits\?\) — the options are apiKey, /)
    expect(() => new ImaClient({ apikey: 'ima_test' } as never)).toThrow(/option apikey \(did you mean apiKey\?\)/)
    expect(() => new ImaClient({ apiKey: 'ima_test', retries: 1 } as never)).toThrow(/option retries \(did you mean maxRetries\?\)/)
    expect(() => new ImaClient({ apiKey: 'ima_test', colour: 'red' } as never)).toThrow(/^Unknown ImaClient option colour — /)
    expect(() => new ImaClient({ apiKey: 'ima_test', colour: 'red' } as never)).toThrow(ImaConfigError)
    // A name set to undefined is no value: spreading a config with an empty field still builds a client.
    expect(() => new ImaClient({ apiKey: 'ima_test', ...({ colour: undefined } as object) })).not.toThrow()
  })

  it('refuses a plain-http base URL outside loopback', () => {
    expect(() => new ImaClient({ baseURL: 'http://api.example.com' })).toThrow(ImaConfigError)
    expect(() => new ImaClient({ baseURL: 'http://127.0.0.1:8080' })).not.toThrow()
  })

  it('never shows the key in JSON, inspect, or errors', async () => {
    const { fetch } = scriptedFetch([json({ code: 401, message: `bad key ${KEY}` }, 401)])
    const ima = client(fetch)
    expect(JSON.stringify(ima)).not.toContain(KEY)
    expect(inspect(ima, { depth: 10, showHidden: true })).not.toContain(KEY)
    const error = await caught(ima.products.list('text_to_image'))
    expect(error.message).not.toContain(KEY)
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(KEY)
    expect(JSON.stringify(error)).not.toContain(KEY)
  })

  it('wraps a create whose outcome is unknown, and does not re-send it', async () => {
    const tree = [{ id: 'v', type: '3', name: 'M', model_id: 'm', credit_rules: [{ attribute_id: 1, points: 2, attributes: {} }], form_config: [] }]
    const script = scriptedFetch([json({ code: 0, data: tree }), json({ code: 500, message: 'boom' }, 500)])
    const error = await caught(client(script.fetch).tasks.create({ model: 'm', prompt: 'p' }))
    expect(error).toBeInstanceOf(CreateOutcomeUnknownError)
    expect(error.message).toContain('not sent again')
    expect(script.calls.filter((call) => call.url.endsWith('/tasks/create'))).toHaveLength(1)
  })

  it('retries a create on 503 (the service refused it, nothing was created)', async () => {
    const tree = [{ id: 'v', type: '3', name: 'M', model_id: 'm', credit_rules: [{ attribute_id: 1, points: 2, attributes: {} }], form_config: [] }]
    const script = scriptedFetch([json({ code: 0, data: tree }), json({ code: 503, message: 'busy' }, 503, { 'retry-after': '0' }), json({ code: 0, data: { id: 't1' } })])
    const task = await client(script.fetch).tasks.create({ model: 'm', prompt: 'p' })
    expect(task.id).toBe('t1')
    expect(script.calls.filter((call) => call.url.endsWith('/tasks/create'))).toHaveLength(2)
  })

  it("reads Deno's connection failures (no code) as not sent: a create is retried, nothing is held as may-be-charged", async () => {
    const tree = [{ id: 'v', type: '3', name: 'M', model_id: 'm', credit_rules: [{ attribute_id: 1, points: 2, attributes: {} }], form_config: [] }]
    const denoFailure = (words: string) => () => {
      throw new TypeError(`error sending request for url (https://api.test.example/open/v1/tasks/create): ${words}`)
    }
    const script = scriptedFetch([json({ code: 0, data: tree }), denoFailure('client error (Connect): tcp connect error: Connection refused (os error 111)'), json({ code: 0, data: { id: 't1' } })])
    const ima = client(script.fetch, { maxCredits: 10 })
    expect((await ima.tasks.create({ model: 'm', prompt: 'p' })).id).toBe('t1')
    expect(script.calls.filter((call) => call.url.endsWith('/tasks/create'))).toHaveLength(2)
    expect([ima.creditsSpent, ima.creditsUncertain]).toEqual([2, 0])
    for (const words of ['client error (Connect): dns error: failed to lookup address information: Name or service not known', 'Requires net access to "api.test.example:443", run again with the --allow-net flag']) {
      const error = await caught(client(scriptedFetch([denoFailure(words)]).fetch, { maxRetries: 0 }).products.list('text_to_image'))
      expect(error).toMatchObject({ name: 'ConnectionError', sent: false })
    }
    // A connection that broke after the request went out may have reached the service.
    const broken = await caught(client(scriptedFetch([denoFailure('connection closed before message completed')]).fetch, { maxRetries: 0 }).products.list('text_to_image'))
    expect(broken).toMatchObject({ name: 'ConnectionError', sent: true })
  })

  it("reads an error of another realm (Node's fetch under Jest) as it reads its own: a refused create is retried, never held as may-be-charged", async () => {
    const tree = [{ id: 'v', type: '3', name: 'M', model_id: 'm', credit_rules: [{ attribute_id: 1, points: 2, attributes: {} }], form_config: [] }]
    // Jest runs the test and the SDK in a vm context of their own; Node's fetch throws errors of the outer realm.
    const foreignRefusal = () => () => {
      throw runInNewContext(`new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) })`)
    }
    expect(foreignRefusal()).toThrow(expect.objectContaining({ message: 'fetch failed' }))
    const script = scriptedFetch([json({ code: 0, data: tree }), foreignRefusal(), json({ code: 0, data: { id: 't1' } })])
    const ima = client(script.fetch, { maxCredits: 10 })
    expect((await ima.tasks.create({ model: 'm', prompt: 'p' })).id).toBe('t1')
    expect(script.calls.filter((call) => call.url.endsWith('/tasks/create'))).toHaveLength(2)
    expect([ima.creditsSpent, ima.creditsUncertain]).toEqual([2, 0])
    const error = await caught(client(scriptedFetch([foreignRefusal()]).fetch, { maxRetries: 0 }).products.list('text_to_image'))
    expect(error).toMatchObject({ name: 'ConnectionError', sent: false, code: 'ECONNREFUSED' })
    expect(error.message).toContain('fetch failed: connect ECONNREFUSED 127.0.0.1:9')
    // A caller's timeout from another realm is named too.
    const controller = new AbortController()
    controller.abort(runInNewContext(`new Error('the page was closed')`))
    const aborted = await caught(client(scriptedFetch([json({ code: 0, data: tree })]).fetch).products.list('text_to_image', { signal: controller.signal }))
    expect(aborted.message).toBe('The operation was aborted: the page was closed')
  })

  it('keeps ServiceUnavailableError when 503 outlasts the retries', async () => {
    const { fetch } = scriptedFetch([json({ code: 503, message: 'down' }, 503)])
    expect(await caught(client(fetch, { maxRetries: 0 }).products.list('text_to_image'))).toBeInstanceOf(ServiceUnavailableError)
  })

  it('asks fetch not to follow redirects, and turns a 3xx into a ResponseValidationError naming only the origin, never retried', async () => {
    const { fetch, calls } = scriptedFetch([() => new Response(null, { status: 307, headers: { location: 'https://elsewhere.example/steal?sig=secret123' } })])
    const error = await caught(client(fetch).products.list('text_to_image'))
    expect(error).toBeInstanceOf(ResponseValidationError)
    expect(error.message).toContain('a redirect (307) to https://elsewhere.example, which was not followed')
    expect(error.message).toContain('check baseURL')
    expect(error.message).not.toContain('secret123')
    expect(calls).toHaveLength(1)
    expect(calls[0]!.init.redirect).toBe('manual')
  })

  it('refuses an opaque redirect (what a browser gives for redirect: manual) the same way', async () => {
    const opaque = () => Object.defineProperties(new Response(null), { type: { value: 'opaqueredirect' }, status: { value: 0 } })
    const { fetch, calls } = scriptedFetch([opaque])
    const error = await caught(client(fetch).tasks.get('task_1'))
    expect(error).toBeInstanceOf(ResponseValidationError)
    expect(error.message).toMatch(/answered a redirect, which was not followed.*nothing was sent to its target — check baseURL/)
    expect(calls).toHaveLength(1)
  })

  it('refuses an answer over maxResponseBytes with ResponseTooLargeError, never retried', async () => {
    const { fetch, calls } = scriptedFetch([json({ code: 0, message: 'x'.repeat(3_000), data: [] })])
    const error = await caught(client(fetch, { maxResponseBytes: 2_048 }).products.list('text_to_image'))
    expect(error).toBeInstanceOf(ResponseTooLargeError)
    expect((error as ResponseTooLargeError).limitBytes).toBe(2_048)
    expect(calls).toHaveLength(1)
  })

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, '4096'])('refuses maxResponseBytes %j', (value) => {
    expect(() => new ImaClient({ maxResponseBytes: value as number })).toThrow(/maxResponseBytes/)
    expect(() => new ImaClient({ maxResponseBytes: value as number })).toThrow(ImaConfigError)
  })

  it('leaves no timer behind after a timed-out attempt', async () => {
    const hanging = (async (_input: unknown, init: RequestInit = {}) =>
      new Promise<Response>((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason)))) as typeof globalThis.fetch
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length
    const before = timers()
    const error = await caught(client(hanging, { timeout: 20, maxRetries: 0 }).products.list('text_to_image'))
    expect(error).toBeInstanceOf(RequestTimeoutError)
    expect(error.message).toContain('no answer within 20 ms')
    // At most as many as before: a timer left by an earlier test may fire meanwhile, but this call must add none.
    expect(timers()).toBeLessThanOrEqual(before)
  })

  it('finds JSON nested too deep without parsing it', () => {
    expect(nestsDeeperThan('[[[1]]]', 2)).toBe(true)
    expect(nestsDeeperThan('[[[1]]]', 3)).toBe(false)
    expect(nestsDeeperThan(`{"a":"${'['.repeat(50)}"}`, 3)).toBe(false)
    // An escaped backslash ends the string; an escaped quote does not.
    expect(nestsDeeperThan(String.raw`{"a":"\\"}` + '['.repeat(50), 3)).toBe(true)
    expect(nestsDeeperThan(String.raw`{"a":"\"[[[[[["}`, 3)).toBe(false)
  })
})
