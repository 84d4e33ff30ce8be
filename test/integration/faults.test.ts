import { describe, expect, it } from 'vitest'
import {
  ConnectionError,
  CreateOutcomeUnknownError,
  RateLimitError,
  ResponseValidationError,
  ServerError,
  ServiceUnavailableError,
  type RetryEvent,
} from 'ima-open-sdk'
import { rejectionOf, useImaServer } from './harness.js'

const ima = useImaServer({ progression: 'polls' })
const CREATE = '/open/v1/tasks/create'
const DETAIL = '/open/v1/tasks/detail'
const LIST = '/open/v1/product/list'

function retriesOf(client: ReturnType<typeof ima.client>): RetryEvent[] {
  const events: RetryEvent[] = []
  client.on('retry', (event) => events.push(event))
  return events
}

describe('never charge twice', () => {
  it('does not re-send a create whose connection was reset after the server recorded it', async () => {
    const client = ima.client()
    await client.products.list('text_to_image') // the list is cached: only the create meets the fault
    const tasks = ima.server.tasks.length
    const balance = ima.server.balance(ima.server.apiKey)
    ima.server.injectFault({ path: CREATE, kind: 'reset-after' })
    const retries = retriesOf(client)
    const error = await rejectionOf(client.tasks.create({ model: 'NB Pro', prompt: 'a fox' }))
    expect(error).toBeInstanceOf(CreateOutcomeUnknownError)
    expect(error.message).toContain('The task may exist and may be charged, so it was not sent again')
    // The network error's own advice ("then try again") is not quoted: this create is not to be sent again.
    expect(error.message).toMatch(/^\[POST \/open\/v1\/tasks\/create\] the create may have reached the service before it failed \(\[POST \/open\/v1\/tasks\/create\] network error [^)]*\)\. The task may exist/)
    expect(error.message).not.toMatch(/try again|check the network/)
    expect((error as CreateOutcomeUnknownError).cause).toBeInstanceOf(ConnectionError)
    expect(ima.server.tasks.length).toBe(tasks + 1)
    expect(ima.server.balance(ima.server.apiKey)).toBe(balance - 10)
    expect(ima.server.requests.filter((request) => request.path === CREATE).at(-1)?.status).toBe(-1)
    expect(retries).toEqual([])
  })

  it('does not re-send a create reset mid-request either (its outcome is unknown to the client)', async () => {
    const client = ima.client()
    await client.products.list('text_to_image')
    const creates = ima.server.requests.filter((request) => request.path === CREATE).length
    ima.server.injectFault({ path: CREATE, kind: 'reset-before' })
    expect(await rejectionOf(client.tasks.create({ model: 'NB Pro', prompt: 'a fox' }))).toBeInstanceOf(CreateOutcomeUnknownError)
    expect(ima.server.requests.filter((request) => request.path === CREATE).length).toBe(creates + 1)
  })

  it('does not re-send a create that timed out; the server still made the task', async () => {
    const client = ima.client({ timeout: 80 })
    await client.products.list('text_to_image')
    const tasks = ima.server.tasks.length
    ima.server.injectFault({ path: CREATE, kind: 'delay', ms: 200 })
    expect(await rejectionOf(client.tasks.create({ model: 'MJ', prompt: 'a castle' }))).toBeInstanceOf(CreateOutcomeUnknownError)
    await new Promise((resolve) => setTimeout(resolve, 250))
    expect(ima.server.tasks.length).toBe(tasks + 1)
  })

  it('retries a create the service refused with 503, creating it once', async () => {
    const client = ima.client()
    const tasks = ima.server.tasks.length
    ima.server.injectFault({ path: CREATE, kind: 'status', status: 503, retryAfter: '0' })
    const retries = retriesOf(client)
    await client.tasks.create({ model: 'MJ', prompt: 'a castle' })
    expect(ima.server.tasks.length).toBe(tasks + 1)
    expect(retries.map((event) => event.reason)).toEqual(['service unavailable (503, the service refused the create)'])
  })

  it('gives a plain 500 on create back as an unknown outcome, never retried', async () => {
    const client = ima.client()
    await client.products.list('text_to_image')
    ima.server.injectFault({ path: CREATE, kind: 'status', status: 500 })
    const creates = ima.server.requests.filter((request) => request.path === CREATE).length
    const error = await rejectionOf(client.tasks.create({ model: 'MJ', prompt: 'a castle' }))
    expect(error).toBeInstanceOf(CreateOutcomeUnknownError)
    expect((error as CreateOutcomeUnknownError).cause).toBeInstanceOf(ServerError)
    expect(ima.server.requests.filter((request) => request.path === CREATE).length).toBe(creates + 1)
  })
})

describe('retries of idempotent calls', () => {
  it('honours Retry-After on 429', async () => {
    const client = ima.client({ productCacheTtlMs: 0 })
    ima.server.injectFault({ path: LIST, kind: 'status', status: 429, retryAfter: '0.2' })
    const retries = retriesOf(client)
    const started = performance.now()
    await client.products.list('text_to_image')
    expect(performance.now() - started).toBeGreaterThanOrEqual(190)
    expect(retries).toMatchObject([{ retry: 1, attempt: 2, delayMs: 200, reason: 'rate limited (429)' }])
  })

  it('survives a 503 burst shorter than the retry budget, and reports the longer one', async () => {
    const client = ima.client({ productCacheTtlMs: 0, maxRetries: 2 })
    ima.server.injectFault({ path: LIST, kind: 'status', status: 503, retryAfter: '0', times: 2 })
    await expect(client.products.list('text_to_image')).resolves.toHaveLength(4)
    ima.server.injectFault({ path: LIST, kind: 'status', status: 503, retryAfter: '0', times: 3 })
    expect(await rejectionOf(client.products.list('text_to_image'))).toBeInstanceOf(ServiceUnavailableError)
  })

  it('gives up at once on a Retry-After longer than a minute', async () => {
    const client = ima.client({ productCacheTtlMs: 0 })
    ima.server.injectFault({ path: LIST, kind: 'status', status: 429, retryAfter: '3600' })
    const error = await rejectionOf(client.products.list('text_to_image'))
    expect(error).toBeInstanceOf(RateLimitError)
    expect((error as RateLimitError).retryAfterMs).toBe(3_600_000)
  })

  it.each([
    ['an HTML error page', { body: '<html><h1>502 Bad Gateway</h1></html>', contentType: 'text/html' }],
    ['an empty body', { body: '' }],
    ['truncated JSON', { body: '{"code":0,"data":{"id":"task_' }],
    ['an unexpected envelope', { body: '{"status":"ok"}' }],
  ])('turns %s into a ResponseValidationError naming the endpoint', async (_name, malformed) => {
    const client = ima.client({ maxRetries: 0 })
    ima.server.injectFault({ path: DETAIL, kind: 'malformed', ...malformed })
    const error = await rejectionOf(client.tasks.get('task_x'))
    expect(error).toBeInstanceOf(ResponseValidationError)
    expect(error.message).toContain('[POST /open/v1/tasks/detail]')
  })
})

describe('transient poll failures', () => {
  it('waits through maxPollFailures failed polls in a row, reporting each', async () => {
    const client = ima.client({ maxRetries: 0 })
    const task = await client.tasks.create({ model: 'MJ', prompt: 'a castle' })
    const failures: number[] = []
    client.on('task.poll_failed', (event) => failures.push(event.consecutive))
    ima.server.injectFault({ path: DETAIL, kind: 'status', status: 502, times: 3 })
    const result = await client.tasks.wait(task, { intervalMs: 1, maxPollFailures: 3 })
    expect(result.taskId).toBe(task.id)
    expect(failures).toEqual([1, 2, 3])
  })

  it('fails with the last error after one failure too many', async () => {
    const client = ima.client({ maxRetries: 0 })
    const task = await client.tasks.create({ model: 'MJ', prompt: 'a castle' })
    ima.server.injectFault({ path: DETAIL, kind: 'status', status: 502, times: 3 })
    const error = await rejectionOf(client.tasks.wait(task, { intervalMs: 1, maxPollFailures: 2 }))
    expect(error).toBeInstanceOf(ServerError)
    expect(error).toMatchObject({ status: 502 })
    ima.server.clearFaults()
  })

  it('does not wait through an error that will not pass (unknown task)', async () => {
    const failures: unknown[] = []
    const client = ima.client({ maxRetries: 0 })
    client.on('task.poll_failed', (event) => failures.push(event))
    expect((await rejectionOf(client.tasks.wait('task_unknown', { intervalMs: 1 }))).name).toBe('NotFoundError')
    expect(failures).toEqual([])
  })
})
