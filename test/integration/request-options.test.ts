/**
 * Per-call options — `{ signal, timeout, maxRetries }` as the last argument —
 * reach every HTTP request of the call they are given to, and only it; they
 * are checked before anything is sent.
 */
import { describe, expect, it } from 'vitest'
import { RequestTimeoutError, ServiceUnavailableError, ValidationError } from 'ima-open-sdk'
import { rejectionOf, useImaServer } from './harness.js'

const ima = useImaServer({ progression: 'polls' })
const CREATE = '/open/v1/tasks/create'
const DETAIL = '/open/v1/tasks/detail'

function requestsTo(path: string): number {
  return ima.server.requests.filter((request) => request.path === path).length
}

describe('per-call request options', () => {
  it('tasks.get: maxRetries and timeout for that call only', async () => {
    const client = ima.client({ maxRetries: 2 })
    const task = await client.tasks.create({ model: 'MJ', prompt: 'a castle' })

    ima.server.injectFault({ path: DETAIL, kind: 'status', status: 503 })
    const before = requestsTo(DETAIL)
    expect(await rejectionOf(client.tasks.get(task.id, { maxRetries: 0 }))).toBeInstanceOf(ServiceUnavailableError)
    expect(requestsTo(DETAIL)).toBe(before + 1)

    ima.server.injectFault({ path: DETAIL, kind: 'delay', ms: 1_000 })
    const error = await rejectionOf(client.tasks.get(task.id, { timeout: 50, maxRetries: 0 }))
    expect(error).toBeInstanceOf(RequestTimeoutError)
    expect(error.message).toContain('no answer within 50 ms')

    // The client's own settings are untouched: the next read retries through a 503.
    ima.server.injectFault({ path: DETAIL, kind: 'status', status: 503 })
    expect((await client.tasks.get(task.id)).id).toBe(task.id)
  })

  it('tasks.create: maxRetries applies to the create', async () => {
    const client = ima.client({ maxRetries: 2 })
    await client.products.list('text_to_image')
    // A 503 envelope proves nothing was processed: the client would send it again, this call may not.
    ima.server.injectFault({ path: CREATE, kind: 'status', status: 503 })
    const before = requestsTo(CREATE)
    expect(await rejectionOf(client.tasks.create({ model: 'MJ', prompt: 'a castle' }, { maxRetries: 0 }))).toBeInstanceOf(ServiceUnavailableError)
    expect(requestsTo(CREATE)).toBe(before + 1)
  })

  it('wait: timeout and maxRetries apply to each poll, timeoutMs to the whole wait', async () => {
    const client = ima.client({ maxRetries: 2 })
    const task = await client.tasks.create({ model: 'MJ', prompt: 'a castle' })
    ima.server.injectFault({ path: DETAIL, kind: 'status', status: 503 })
    const error = await rejectionOf(client.tasks.wait(task, { intervalMs: 1, maxPollFailures: 0, maxRetries: 0 }))
    expect(error).toBeInstanceOf(ServiceUnavailableError)
    // Its own "try again later" is about reading the task: the message says the task exists, so it is not created again.
    expect(error.message).toMatch(new RegExp(`try again later.* — task ${task.id} exists and may be charged: wait for it again with tasks\\.wait\\('${task.id}'\\) rather than creating another$`))
    // A task the service does not know is not said to exist.
    const unknown = await rejectionOf(client.tasks.wait('task_nobody_made', { intervalMs: 1, maxPollFailures: 0, maxRetries: 0 }))
    expect(unknown.message).not.toContain('exists and may be charged')

    ima.server.injectFault({ path: DETAIL, kind: 'delay', ms: 1_000 })
    const timedOut = await rejectionOf(client.tasks.wait(task, { intervalMs: 1, maxPollFailures: 0, maxRetries: 0, timeout: 50, timeoutMs: 60_000 }))
    expect(timedOut).toBeInstanceOf(RequestTimeoutError)
  })

  it('generate: the options reach the polls of its wait', async () => {
    const client = ima.client({ maxRetries: 2 })
    await client.products.list('text_to_image')
    ima.server.injectFault({ path: DETAIL, kind: 'status', status: 503 })
    const error = await rejectionOf(client.generate({ model: 'MJ', prompt: 'a castle', intervalMs: 1, maxPollFailures: 0 }, { maxRetries: 0 }))
    expect(error).toBeInstanceOf(ServiceUnavailableError)
  })

  it('refuses bad options, and a signal left in the parameters, before anything is sent', async () => {
    const client = ima.client()
    const before = ima.server.requests.length
    const cases: Array<Promise<unknown>> = [
      client.tasks.create({ prompt: 'a fox' }, { timeout: 0 }),
      client.tasks.quote({ prompt: 'a fox' }, { maxRetries: -1 }),
      client.tasks.get('task_1', { timeout: Number.NaN }),
      client.tasks.wait('task_1', { maxRetries: -1 }),
      client.generate({ prompt: 'a fox' }, { signal: 'stop' as unknown as AbortSignal }),
      client.preferences.remember('u1', 'text_to_image', 'MJ', { timeout: -5 }),
      // The 0.1 shape: a signal inside the parameters would silently stop cancelling, so it is refused.
      client.tasks.create({ prompt: 'a fox', signal: new AbortController().signal } as Parameters<typeof client.tasks.create>[0]),
    ]
    for (const pending of cases) expect(await rejectionOf(pending)).toBeInstanceOf(ValidationError)
    const moved = await rejectionOf(client.tasks.create({ prompt: 'a fox', signal: AbortSignal.abort() } as Parameters<typeof client.tasks.create>[0]))
    expect(moved.message).toContain('tasks.create(params, { signal })')
    expect(ima.server.requests.length).toBe(before)
  })

  it("generate refuses its wait's bad options before the create: nothing is paid for a wait that could not start", async () => {
    const client = ima.client()
    const creates = () => ima.server.requests.filter((request) => request.path === CREATE).length
    const before = creates()
    // A timer longer than 2^31 − 1 ms fires at once (a wait over in 2 ms), and 0 ms between polls floods the service.
    for (const wait of [{ timeoutMs: -5 }, { timeoutMs: 'abc' as unknown as number }, { intervalMs: -1 }, { maxPollFailures: 1.5 }, { timeoutMs: 3e9 }, { timeoutMs: Number.POSITIVE_INFINITY }, { intervalMs: 0 }, { intervalMs: 2 ** 31 }]) {
      const error = await rejectionOf(client.generate({ prompt: 'a fox', model: 'NB2', ...wait }))
      expect(error, JSON.stringify(wait)).toBeInstanceOf(ValidationError)
      expect(error.message).toMatch(/wait options/)
    }
    expect((await rejectionOf(client.tasks.wait('task_x', { timeoutMs: 3e9 }))).message).toBe(
      'Invalid wait options — timeoutMs: must be a number of ms from 1 to 2147483647 (24.8 days, the longest a timer waits): the deadline of the whole wait; leave it out for 600 s',
    )
    expect(creates()).toBe(before)
    expect(await client.tasks.recent()).toEqual([])
  })
})
