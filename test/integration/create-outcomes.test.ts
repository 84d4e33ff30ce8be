import { describe, expect, it } from 'vitest'
import {
  BudgetExceededError,
  CreateOutcomeUnknownError,
  ImaAbortError,
  MemoryTaskJournal,
  ApiError,
  ValidationError,
  type ImaClient,
  type TaskCreatedEvent,
} from 'ima-open-sdk'
import { rejectionOf, useImaServer } from './harness.js'

const ima = useImaServer({ progression: 'polls' })
const CREATE = '/open/v1/tasks/create'

function createdEvent(client: ImaClient): Promise<TaskCreatedEvent> {
  return new Promise((resolve) => client.once('task.created', resolve))
}

/** A fetch that lets the server record every create, then loses the answer the way a dropped connection does. */
const loseCreateAnswers: typeof globalThis.fetch = async (input, init) => {
  const response = await globalThis.fetch(input, init)
  if (!String(input).endsWith(CREATE)) return response
  await response.arrayBuffer()
  throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) })
}

describe('aborting a create', () => {
  it('before anything is sent: a plain AbortError, nothing charged, nothing journaled', async () => {
    const client = ima.client()
    const before = ima.server.tasks.length
    const controller = new AbortController()
    controller.abort()
    const error = await rejectionOf(client.tasks.create({ model: 'MJ', prompt: 'a castle' }, { signal: controller.signal }))
    expect(error).toBeInstanceOf(ImaAbortError)
    expect(error).not.toBeInstanceOf(CreateOutcomeUnknownError)
    expect(ima.server.tasks.length).toBe(before)
    expect(await client.tasks.recent()).toEqual([])
  })

  it('while the create is in flight: rejects at once saying it may be charged, then journals the late id', async () => {
    const journal = new MemoryTaskJournal()
    const client = ima.client({ journal, maxCredits: 100 })
    await client.products.list('text_to_image')
    const before = ima.server.tasks.length
    ima.server.injectFault({ path: CREATE, kind: 'delay', ms: 150 })
    const controller = new AbortController()
    const late = createdEvent(client)
    const pending = client.tasks.create({ model: 'MJ', prompt: 'a castle' }, { signal: controller.signal })
    await new Promise((resolve) => setTimeout(resolve, 30))
    const abortedAt = performance.now()
    controller.abort()
    const error = (await rejectionOf(pending)) as CreateOutcomeUnknownError
    expect(performance.now() - abortedAt).toBeLessThan(100)
    expect(error).toBeInstanceOf(CreateOutcomeUnknownError)
    expect(error).toMatchObject({ detached: true, totalCredit: 8 })
    expect(error.cause).toBeInstanceOf(ImaAbortError)
    expect(error.message).toContain('may have been created and charged')
    expect(client.creditsUncertain).toBe(8)
    expect(await journal.get(error.ref as string)).toMatchObject({ state: 'unknown', detached: true })

    const { task, detached } = await late
    expect(detached).toBe(true)
    expect(task.ref).toBe(error.ref)
    expect(ima.server.tasks.length).toBe(before + 1)
    expect(ima.server.tasks.at(-1)?.id).toBe(task.id)
    expect(await journal.get(error.ref as string)).toMatchObject({ state: 'created', taskId: task.id, detached: true })
    expect([client.creditsSpent, client.creditsUncertain]).toEqual([8, 0])
    expect((await client.tasks.pending()).map((entry) => entry.taskId)).toEqual([task.id])
  })

  it('in flight, when the late answer is a refusal: released, journaled as refused', async () => {
    const refuseLate: typeof globalThis.fetch = async (input, init) => {
      if (!String(input).endsWith(CREATE)) return globalThis.fetch(input, init)
      await new Promise((resolve) => setTimeout(resolve, 100))
      return new Response(JSON.stringify({ code: 4008, message: 'Insufficient points', data: null }), { status: 200, headers: { 'content-type': 'application/json' } })
    }
    const client = ima.client({ fetch: refuseLate, maxCredits: 10 })
    await client.products.list('text_to_image')
    const controller = new AbortController()
    const pending = client.tasks.create({ model: 'MJ', prompt: 'a castle' }, { signal: controller.signal })
    await new Promise((resolve) => setTimeout(resolve, 30))
    controller.abort()
    const error = (await rejectionOf(pending)) as CreateOutcomeUnknownError
    expect(error).toMatchObject({ name: 'CreateOutcomeUnknownError', detached: true })
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(await client.tasks.recent()).toMatchObject([{ state: 'refused', ref: error.ref, error: { name: 'InsufficientPointsError' } }])
    expect([client.creditsSpent, client.creditsUncertain]).toEqual([0, 0])
  })

  it('during the backoff after a connection that was refused (nothing sent): a plain AbortError', async () => {
    const refused: typeof globalThis.fetch = async (input, init) => {
      if (!String(input).endsWith(CREATE)) return globalThis.fetch(input, init)
      throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) })
    }
    const client = ima.client({ fetch: refused })
    await client.products.list('text_to_image')
    const controller = new AbortController()
    client.once('retry', () => controller.abort())
    const error = await rejectionOf(client.tasks.create({ model: 'MJ', prompt: 'a castle' }, { signal: controller.signal }))
    expect(error).toBeInstanceOf(ImaAbortError)
    expect(error).not.toBeInstanceOf(CreateOutcomeUnknownError)
    expect(await client.tasks.recent()).toMatchObject([{ state: 'refused' }])
    expect(client.creditsUncertain).toBe(0)
  })
})

describe('budgets count what may have been spent', () => {
  it('with maxCredits 10 and every create lost after commit, refuses the third', async () => {
    const client = ima.client({ fetch: loseCreateAnswers, maxCredits: 10 })
    const before = ima.server.tasks.length
    for (let call = 0; call < 2; call += 1) {
      expect(await rejectionOf(client.tasks.create({ model: 'NB2', prompt: 'a fox', size: '512px' }))).toBeInstanceOf(CreateOutcomeUnknownError)
    }
    expect([client.creditsSpent, client.creditsUncertain]).toEqual([0, 8])
    const third = await rejectionOf(client.tasks.create({ model: 'NB2', prompt: 'a fox', size: '512px' }))
    expect(third).toBeInstanceOf(BudgetExceededError)
    expect(ima.server.tasks.length).toBe(before + 2)
    const unknown = await client.tasks.recent({ state: 'unknown' })
    expect(unknown).toHaveLength(2)
    for (const entry of unknown) expect(entry).toMatchObject({ model: { id: 'gemini-3.1-flash-image' }, totalCredit: 4, size: '512px', error: { name: 'ConnectionError' } })
  })
})

describe('answers that are not proof', () => {
  it.each([
    ['a bare 503', new Response('', { status: 503 })],
    ['a gateway HTML 503', new Response('<html><body>503 Service Temporarily Unavailable</body></html>', { status: 503, headers: { 'content-type': 'text/html' } })],
    ['a bare 429', new Response('', { status: 429, headers: { 'retry-after': '0' } })],
  ])('%s after the server recorded the create: one task, CreateOutcomeUnknownError', async (_name, answer) => {
    const lie: typeof globalThis.fetch = async (input, init) => {
      const response = await globalThis.fetch(input, init)
      if (!String(input).endsWith(CREATE)) return response
      await response.arrayBuffer()
      return answer.clone()
    }
    const client = ima.client({ fetch: lie })
    const before = ima.server.tasks.length
    const error = (await rejectionOf(client.tasks.create({ model: 'MJ', prompt: 'a castle' }))) as CreateOutcomeUnknownError
    expect(error).toBeInstanceOf(CreateOutcomeUnknownError)
    expect(error.cause).toBeInstanceOf(ApiError)
    expect(ima.server.tasks.length).toBe(before + 1)
    expect((await client.tasks.recent())[0]).toMatchObject({ ref: error.ref, state: 'unknown' })
  })

  const json = (body: unknown, status: number) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
  it.each<[string, (served: string) => Response]>([
    // The envelope names a 5xx under HTTP 200: as a 500 with that envelope, it may have been charged.
    ['an envelope with code 500 under HTTP 200', () => json({ code: 500, message: 'internal error', data: null }, 200)],
    ['an envelope with code 502 under HTTP 200', () => json({ code: 502, message: 'bad gateway', data: null }, 200)],
    ['an envelope with code 504 under HTTP 200', () => json({ code: 504, message: 'gateway timeout', data: null }, 200)],
    // An error status around the service's own success (a proxy that rewrote the status): the task exists.
    ['a 503 whose body is the success with the task id', (served) => new Response(served, { status: 503, headers: { 'content-type': 'application/json', 'retry-after': '0' } })],
    ['a 429 whose body is the success with the task id', (served) => new Response(served, { status: 429, headers: { 'content-type': 'application/json', 'retry-after': '0' } })],
    // A gateway's own JSON: a word for a code is not the service's refusal.
    ['a 503 with a gateway code word', () => json({ code: 'UPSTREAM_TIMEOUT', message: 'upstream timed out' }, 503)],
  ])('%s after the server recorded the create: never re-sent, unknown, its cost held against maxCredits', async (_name, answer) => {
    const lie: typeof globalThis.fetch = async (input, init) => {
      const response = await globalThis.fetch(input, init)
      if (!String(input).endsWith(CREATE)) return response
      return answer(await response.text())
    }
    const client = ima.client({ fetch: lie, maxCredits: 12 })
    const before = ima.server.tasks.length
    const error = (await rejectionOf(client.tasks.create({ model: 'NB2', prompt: 'a fox', size: '512px' }))) as CreateOutcomeUnknownError
    expect(error).toBeInstanceOf(CreateOutcomeUnknownError)
    expect(error.cause).toBeInstanceOf(ApiError)
    expect(ima.server.tasks.length).toBe(before + 1)
    expect((await client.tasks.recent())[0]).toMatchObject({ ref: error.ref, state: 'unknown', totalCredit: 4 })
    expect([client.creditsSpent, client.creditsUncertain]).toEqual([0, 4])
  })

  it("the service's own envelope 503 under HTTP 200 is its refusal: re-sent after Retry-After, one task", async () => {
    let refusals = 0
    const refuseOnce: typeof globalThis.fetch = async (input, init) => {
      if (String(input).endsWith(CREATE) && refusals === 0) {
        refusals += 1
        return new Response(JSON.stringify({ code: 503, message: 'model unavailable', data: null }), { status: 200, headers: { 'content-type': 'application/json', 'retry-after': '0' } })
      }
      return globalThis.fetch(input, init)
    }
    const client = ima.client({ fetch: refuseOnce })
    const before = ima.server.tasks.length
    const task = await client.tasks.create({ model: 'NB2', prompt: 'a fox', size: '512px' })
    expect(refusals).toBe(1)
    expect(ima.server.tasks.length).toBe(before + 1)
    expect(ima.server.tasks.at(-1)?.id).toBe(task.id)
  })
})

describe('values JSON cannot hold', () => {
  it.each([
    ['a BigInt', { seed: 10n }],
    ['a cycle', (() => {
      const cyclic: Record<string, unknown> = { style: 'x' }
      cyclic.self = cyclic
      return cyclic
    })()],
  ])('%s in params is a ValidationError before any request', async (_name, params) => {
    const client = ima.client()
    await client.products.list('text_to_image')
    const before = ima.server.requests.filter((request) => request.path === CREATE).length
    const error = await rejectionOf(client.tasks.create({ model: 'MJ', prompt: 'a castle', params }))
    expect(error).toBeInstanceOf(ValidationError)
    expect(error).not.toBeInstanceOf(CreateOutcomeUnknownError)
    expect(ima.server.requests.filter((request) => request.path === CREATE).length).toBe(before)
    expect(await client.tasks.recent()).toEqual([])
  })
})

describe('every error after a paid create names the task', () => {
  const waitFaults = [
    ['a poll 5xx', { kind: 'status', status: 500 }],
    ['a poll 404', { kind: 'status', status: 404 }],
    ['a poll 401', { kind: 'status', status: 401 }],
    ['an HTML poll answer', { kind: 'malformed', body: '<html>oops</html>', contentType: 'text/html' }],
  ] as const
  it.each(waitFaults)('generate() after %s', async (_name, fault) => {
    const client = ima.client({ maxRetries: 0 })
    ima.server.injectFault({ path: '/open/v1/tasks/detail', times: Infinity, ...fault })
    try {
      const error = await rejectionOf(client.generate({ model: 'MJ', prompt: 'a castle', intervalMs: 1, maxPollFailures: 0 }))
      const taskId = (error as { taskId?: string }).taskId
      expect(taskId).toBe(ima.server.tasks.at(-1)?.id)
      expect((await client.tasks.pending()).map((entry) => entry.taskId)).toContain(taskId)
    } finally {
      ima.server.clearFaults()
    }
  })

  it('generate() aborted during the wait', async () => {
    const client = ima.client()
    const controller = new AbortController()
    client.once('task.status', () => controller.abort())
    const error = await rejectionOf(client.generate({ model: 'MJ', prompt: 'a castle [never]', intervalMs: 1 }, { signal: controller.signal }))
    expect(error).toBeInstanceOf(ImaAbortError)
    expect((error as ImaAbortError).taskId).toBe(ima.server.tasks.at(-1)?.id)
  })

  it('journals the wait: succeeded with its urls, failed with its reason', async () => {
    const client = ima.client()
    const ok = await client.generate({ model: 'MJ', prompt: 'a castle', intervalMs: 1 })
    await rejectionOf(client.generate({ model: 'MJ', prompt: 'a castle [fail]', intervalMs: 1 }))
    const [failed, succeeded] = await client.tasks.recent()
    expect(succeeded).toMatchObject({ state: 'succeeded', taskId: ok.taskId, urls: ok.urls })
    expect(failed).toMatchObject({ state: 'failed', error: { name: 'TaskFailedError' } })
    expect(succeeded?.prompt).toBeUndefined()
    expect(JSON.stringify(await client.tasks.recent())).not.toContain('a castle')
  })

  // The logger hid negative_prompt as a prompt field, but the journal kept it: only `prompt` was taken out.
  it('journals no prompt field, negative_prompt in params included, unless logPrompts', async () => {
    const quiet = ima.client()
    await quiet.generate({ model: 'NB Pro', prompt: 'a quiet fox', params: { negative_prompt: 'no private words' }, intervalMs: 1 })
    const [entry] = await quiet.tasks.recent()
    expect(entry?.parameters).not.toHaveProperty('negative_prompt')
    expect(JSON.stringify(entry)).not.toContain('no private words')
    const logging = ima.client({ logPrompts: true })
    await logging.generate({ model: 'NB Pro', prompt: 'a logged fox', params: { negative_prompt: 'kept words' }, intervalMs: 1 })
    expect((await logging.tasks.recent())[0]).toMatchObject({ prompt: 'a logged fox', parameters: { negative_prompt: 'kept words' } })
  })

  it('resumes pending tasks', async () => {
    const journal = new MemoryTaskJournal()
    const first = ima.client({ journal })
    const task = await first.tasks.create({ model: 'MJ', prompt: 'a castle' })
    // Another client sharing the journal (another process, after a crash) finishes it.
    const second = ima.client({ journal })
    const outcomes = await second.tasks.resume({ intervalMs: 1 })
    expect(outcomes).toMatchObject([{ entry: { taskId: task.id }, result: { taskId: task.id } }])
    expect(await second.tasks.pending()).toEqual([])
    expect(await journal.get(task.ref)).toMatchObject({ state: 'succeeded' })
  })

  it('resumes many pending tasks a few at a time, each outcome in pending() order', async () => {
    const journal = new MemoryTaskJournal()
    const first = ima.client({ journal })
    const made = []
    for (let index = 0; index < 11; index += 1) made.push(await first.tasks.create({ model: 'MJ', prompt: `castle ${index}${index === 4 ? ' [fail]' : ''}` }))
    const second = ima.client({ journal })
    const order = (await second.tasks.pending()).map((entry) => entry.taskId)
    const outcomes = await second.tasks.resume({ intervalMs: 1 })
    expect(outcomes.map((outcome) => outcome.entry.taskId)).toEqual(order)
    expect(new Set(order)).toEqual(new Set(made.map((task) => task.id)))
    const failed = outcomes.filter((outcome) => outcome.error)
    expect(failed).toMatchObject([{ entry: { taskId: made[4]?.id }, error: { name: 'TaskFailedError', taskId: made[4]?.id } }])
    expect(outcomes.filter((outcome) => outcome.result?.taskId === outcome.entry.taskId)).toHaveLength(10)
  })
})
