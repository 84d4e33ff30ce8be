/**
 * The limits a create must pass, over HTTP against the local server: one
 * budget store shared by several clients, per-user and per-chat budgets
 * over windows, and at most N creates in flight. The same rules across
 * processes (Redis) are in test/queue/.
 */
import { describe, expect, it } from 'vitest'
import { BudgetExceededError, CreateOutcomeUnknownError, DuplicateCreateError, ImaAbortError, ImaConfigError, MemoryBudgetStore, MemoryLeaseStore, MemoryTaskJournal, ValidationError, type JournalEntry } from 'ima-open-sdk'
import { rejectionOf, useImaServer } from './harness.js'

const ima = useImaServer()
const NB2_1K = { model: 'gemini-3.1-flash-image', size: '1K' } // 6 points in the local catalog
const creates = () => ima.server.requests.filter((request) => request.method === 'POST' && request.path === '/open/v1/tasks/create').length

describe('budget limits', () => {
  it('clients that share a budget store share its maxCredits', async () => {
    const store = new MemoryBudgetStore()
    const [a, b] = [ima.client({ maxCredits: 20, budgetStore: store }), ima.client({ maxCredits: 20, budgetStore: store })]
    const before = creates()
    const outcomes = await Promise.allSettled([a, b, a, b].map((client, index) => client.tasks.create({ ...NB2_1K, prompt: `shared ${index}` })))
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(3)
    const refused = outcomes.find((outcome) => outcome.status === 'rejected')
    expect((refused as PromiseRejectedResult).reason).toBeInstanceOf(BudgetExceededError)
    expect(creates() - before).toBe(3)
    expect(a.creditsSpent + b.creditsSpent).toBe(18)
    expect(await a.tasks.quote({ ...NB2_1K, prompt: 'q' })).toMatchObject({ withinBudget: false, remainingCredits: 2 })
    expect(await b.tasks.quote({ ...NB2_1K, prompt: 'q', maxCredits: 1 })).toMatchObject({ withinBudget: false, remainingCredits: 1 })
    expect((await ima.client().tasks.quote({ ...NB2_1K, prompt: 'q' })).remainingCredits).toBeUndefined()
  })

  it('a per-user monthly budget counts each user apart, and a call without userId not at all', async () => {
    const client = ima.client({ budgets: [{ name: 'user', maxCredits: 10, window: 'month', per: 'user' }] })
    await client.tasks.create({ ...NB2_1K, prompt: 'u1', userId: 'u1' })
    const error = await rejectionOf(client.tasks.create({ ...NB2_1K, prompt: 'u1 again', userId: 'u1' }))
    expect(error).toBeInstanceOf(BudgetExceededError)
    // The cheaper choice that fits what is left (4 points): Nano Banana2 at 512px.
    expect((error as BudgetExceededError).message).toMatch(/more than the 4 the budget allows; Nano Banana2 at size 512px costs 4 and fits/)
    await client.tasks.create({ ...NB2_1K, prompt: 'u2', userId: 'u2' })
    await client.tasks.create({ ...NB2_1K, prompt: 'nobody' })
    await client.tasks.create({ ...NB2_1K, prompt: 'nobody again' })
  })

  it('per-chat budgets take the chatId of the create, and the call’s own maxCredits still applies', async () => {
    const client = ima.client({ budgets: [{ name: 'chat', maxCredits: 6, window: 'day', per: 'chat' }] })
    await client.tasks.create({ ...NB2_1K, prompt: 'c1', chatId: 'c1' })
    expect(await rejectionOf(client.tasks.create({ ...NB2_1K, prompt: 'c1 again', chatId: 'c1' }))).toBeInstanceOf(BudgetExceededError)
    expect(await rejectionOf(client.tasks.create({ ...NB2_1K, prompt: 'c2', chatId: 'c2', maxCredits: 5 }))).toBeInstanceOf(BudgetExceededError)
  })

  it('a create refused after it was reserved gives its points back', async () => {
    const client = ima.client({ maxCredits: 6 })
    ima.server.injectFault({ path: '/open/v1/tasks/create', kind: 'status', status: 400, code: 400, message: 'bad prompt' })
    await rejectionOf(client.tasks.create({ ...NB2_1K, prompt: 'refused' }))
    await client.tasks.create({ ...NB2_1K, prompt: 'fits again' })
    expect(client.creditsSpent).toBe(6)
  })

  it('refuses limits it cannot use, naming the option', () => {
    expect(() => ima.client({ budgets: [{ name: 'user id', maxCredits: 1 }] })).toThrow(ImaConfigError)
    expect(() => ima.client({ budgets: [{ name: 'user', maxCredits: -1 }] })).toThrow(/budgets\[0\]\.maxCredits/)
    expect(() => ima.client({ maxCreatesInFlight: 0 })).toThrow(/maxCreatesInFlight/)
  })
})

describe('maxCreatesInFlight', () => {
  it('never has more creates in flight than the limit, across clients sharing the lease store, and each create still goes out once', async () => {
    let inFlight = 0
    let most = 0
    const counting: typeof fetch = async (input, init) => {
      const create = String(input instanceof Request ? input.url : input).endsWith('/open/v1/tasks/create')
      if (create) most = Math.max(most, ++inFlight)
      try {
        return await fetch(input, init)
      } finally {
        if (create) inFlight -= 1
      }
    }
    const leaseStore = new MemoryLeaseStore()
    const clients = [1, 2].map(() => ima.client({ fetch: counting, maxCreatesInFlight: 2, leaseStore }))
    ima.server.injectFault({ path: '/open/v1/tasks/create', kind: 'delay', ms: 80, times: 6 })
    const before = creates()
    await Promise.all(Array.from({ length: 6 }, (_, index) => clients[index % 2]!.tasks.create({ ...NB2_1K, prompt: `slot ${index}` })))
    expect(most).toBe(2)
    expect(creates() - before).toBe(6)
  })

  it('a lease store whose release throws at once (not async) loses no paid task: the create returns it, counted and journaled', async () => {
    const memory = new MemoryLeaseStore()
    const throwing = {
      acquire: (lease: Parameters<MemoryLeaseStore['acquire']>[0]) => memory.acquire(lease),
      release: () => {
        throw new Error('lease store closed')
      },
    } as unknown as MemoryLeaseStore
    const journal = new MemoryTaskJournal()
    const warnings: string[] = []
    const logger = { debug() {}, info() {}, warn: (message: string) => warnings.push(message), error() {} }
    const client = ima.client({ maxCreatesInFlight: 1, leaseStore: throwing, journal, logger, maxCredits: 100 })
    const before = creates()
    const task = await client.tasks.create({ ...NB2_1K, prompt: 'released badly' })
    expect(task.id).toMatch(/\S/)
    expect(creates() - before).toBe(1)
    expect(client.creditsSpent).toBe(6)
    expect(await journal.list()).toContainEqual(expect.objectContaining({ taskId: task.id, state: 'created' }))
    expect(warnings).toContain('ima create slot not released')
  })

  it('an abort ends the wait for a slot: nothing is sent, nothing is spent', async () => {
    const client = ima.client({ maxCreatesInFlight: 1, maxCredits: 100 })
    ima.server.injectFault({ path: '/open/v1/tasks/create', kind: 'delay', ms: 300 })
    const before = creates()
    const first = client.tasks.create({ ...NB2_1K, prompt: 'holds the slot' })
    const controller = new AbortController()
    const second = client.tasks.create({ ...NB2_1K, prompt: 'waits' }, { signal: controller.signal })
    setTimeout(() => controller.abort(), 50)
    expect((await rejectionOf(second))?.name).toBe('AbortError')
    await first
    expect(creates() - before).toBe(1)
    expect(client.creditsSpent).toBe(6)
    expect(await client.tasks.quote({ model: 'gemini-3-pro-image', size: '4K', prompt: 'q', n: 4 })).toMatchObject({ totalCredit: 72, withinBudget: true })
  })
})

describe('a slow budget or lease store and the call\'s signal', () => {
  it('an abort ends the wait for the store at once; what the store grants afterwards is given back', async () => {
    const inner = new MemoryBudgetStore()
    const granted: Array<() => void> = []
    const settled: string[] = []
    const budgetStore = {
      reserve: async (reservation: Parameters<MemoryBudgetStore['reserve']>[0]) => {
        await new Promise<void>((resolve) => granted.push(resolve))
        return inner.reserve(reservation)
      },
      settle: async (id: string, outcome: Parameters<MemoryBudgetStore['settle']>[1]) => {
        settled.push(outcome)
        return inner.settle(id, outcome)
      },
      remaining: (counters: Parameters<MemoryBudgetStore['remaining']>[0]) => inner.remaining(counters),
    }
    const client = ima.client({ maxCredits: 100, budgetStore })
    await client.products.list('text_to_image')
    const before = creates()
    const controller = new AbortController()
    const pending = client.tasks.create({ ...NB2_1K, prompt: 'a fox behind a slow budget' }, { signal: controller.signal })
    while (granted.length === 0) await new Promise((resolve) => setTimeout(resolve, 2))
    controller.abort()
    expect(await rejectionOf(pending)).toBeInstanceOf(ImaAbortError)
    granted.shift()?.()
    for (let tries = 0; tries < 100 && settled.length === 0; tries += 1) await new Promise((resolve) => setTimeout(resolve, 2))
    expect(settled).toEqual(['released'])
    expect(creates()).toBe(before)

    const inFlight = new MemoryLeaseStore()
    const leases: Array<() => void> = []
    const leaseStore = {
      acquire: async (lease: Parameters<MemoryLeaseStore['acquire']>[0]) => {
        await new Promise<void>((resolve) => leases.push(resolve))
        return inFlight.acquire(lease)
      },
      release: (key: string, id: string) => inFlight.release(key, id),
    }
    const slotted = ima.client({ maxCreatesInFlight: 1, leaseStore })
    await slotted.products.list('text_to_image')
    const stop = new AbortController()
    const waiting = slotted.tasks.create({ ...NB2_1K, prompt: 'a fox behind a slow lease' }, { signal: stop.signal })
    while (leases.length === 0) await new Promise((resolve) => setTimeout(resolve, 2))
    stop.abort()
    expect(await rejectionOf(waiting)).toBeInstanceOf(ImaAbortError)
    leases.shift()?.()
    // The slot taken after the abort is freed: the next create gets it.
    const next = slotted.tasks.create({ ...NB2_1K, prompt: 'the next fox' })
    while (leases.length === 0) await new Promise((resolve) => setTimeout(resolve, 2))
    leases.shift()?.()
    expect((await next).id).toMatch(/^task_/)
    expect(creates()).toBe(before + 1)
  })
})

describe('tasks.create({ ref })', () => {
  it('journals the create under the caller’s ref, and never sends a ref the journal holds again', async () => {
    const journal = new MemoryTaskJournal()
    const client = ima.client({ journal })
    const before = creates()
    const task = await client.tasks.create({ ...NB2_1K, prompt: 'job 42', ref: 'job:42' })
    expect(task.ref).toBe('job:42')
    expect(await journal.get('job:42')).toMatchObject({ state: 'created', taskId: task.id })
    // Another client sharing the journal (another worker): the same logical request is not paid twice.
    const again = await rejectionOf(ima.client({ journal }).tasks.create({ ...NB2_1K, prompt: 'job 42', ref: 'job:42' }))
    expect(again).toBeInstanceOf(DuplicateCreateError)
    expect(again).toMatchObject({ taskId: task.id, entry: { ref: 'job:42', state: 'created' } })
    expect((again as Error).message).toContain(`tasks.wait('${task.id}')`)
    expect(creates() - before).toBe(1)
  })

  it('a ref whose create was refused (proven not made) may be sent again; one whose outcome is unknown may not', async () => {
    const journal = new MemoryTaskJournal()
    const client = ima.client({ journal })
    ima.server.injectFault({ path: '/open/v1/tasks/create', kind: 'status', status: 400, code: 400, message: 'refused' })
    await rejectionOf(client.tasks.create({ ...NB2_1K, prompt: 'refused first', ref: 'line-1' }))
    expect(await journal.get('line-1')).toMatchObject({ state: 'refused' })
    await client.tasks.create({ ...NB2_1K, prompt: 'refused first', ref: 'line-1' })
    ima.server.injectFault({ path: '/open/v1/tasks/create', kind: 'reset-after' })
    expect(await rejectionOf(client.tasks.create({ ...NB2_1K, prompt: 'lost', ref: 'line-2' }))).toBeInstanceOf(CreateOutcomeUnknownError)
    const before = creates()
    const duplicate = await rejectionOf(client.tasks.create({ ...NB2_1K, prompt: 'lost', ref: 'line-2' }))
    expect(duplicate).toBeInstanceOf(DuplicateCreateError)
    expect((duplicate as Error).message).toMatch(/outcome is unknown and it may have been charged 6 points/)
    expect(creates()).toBe(before)
    expect(await rejectionOf(client.tasks.create({ ...NB2_1K, prompt: 'x', ref: 'has spaces' }))).toBeInstanceOf(ValidationError)
  })

  it('concurrent creates of one ref send one create, on one client and on clients sharing a journal that claims', async () => {
    const journal = new MemoryTaskJournal()
    const one = ima.client({ journal, maxCredits: 100 })
    const before = creates()
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => one.tasks.create({ ...NB2_1K, prompt: 'double submit', ref: 'order-7' })))
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1)
    for (const outcome of outcomes.filter((each) => each.status === 'rejected')) expect(outcome.reason).toBeInstanceOf(DuplicateCreateError)
    expect(creates() - before).toBe(1)
    // The refused ones gave their points back: only the one create is counted.
    expect([one.creditsSpent, one.creditsUncertain]).toEqual([6, 0])

    const clients = [1, 2, 3].map(() => ima.client({ journal }))
    const shared = await Promise.allSettled(clients.map((client) => client.tasks.create({ ...NB2_1K, prompt: 'two workers', ref: 'order-8' })))
    expect(shared.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1)
    expect(creates() - before).toBe(2)
    expect(await journal.get('order-8')).toMatchObject({ state: 'created' })
  })

  it('a journal without claim: one client still never sends two creates of one ref at once', async () => {
    const inner = new MemoryTaskJournal()
    const journal = { put: (entry: JournalEntry) => inner.put(entry), get: (ref: string) => inner.get(ref), list: () => inner.list() }
    const client = ima.client({ journal })
    const before = creates()
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => client.tasks.create({ ...NB2_1K, prompt: 'double submit', ref: 'order-9' })))
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1)
    expect(creates() - before).toBe(1)
  })
})

describe('a create is sent only once its intent is journaled', () => {
  const failingJournal = (failure: () => Promise<void>) => {
    const inner = new MemoryTaskJournal()
    return { put: failure, get: (ref: string) => inner.get(ref), list: () => inner.list() }
  }

  it('a journal that cannot be written refuses the create: nothing sent, nothing counted', async () => {
    const client = ima.client({
      maxCredits: 100,
      journal: failingJournal(() => Promise.reject(new Error('disk full'))),
    })
    const before = creates()
    const error = await rejectionOf(client.tasks.create({ ...NB2_1K, prompt: 'no journal' }))
    expect(error).toMatchObject({ name: 'ImaError', code: 'journal_unavailable' })
    expect((error as Error).message).toMatch(/^The task journal could not be written \(disk full\): a create is sent only once it is journaled.*Nothing was sent\.$/)
    expect(creates()).toBe(before)
    expect([client.creditsSpent, client.creditsUncertain]).toEqual([0, 0])
    // A journal that throws at once is the same refusal.
    const throwing = ima.client({
      journal: failingJournal(() => {
        throw new Error('read-only')
      }),
    })
    expect(await rejectionOf(throwing.tasks.create({ ...NB2_1K, prompt: 'no journal' }))).toMatchObject({ code: 'journal_unavailable' })
    expect(creates()).toBe(before)
  })

  it('a slow journal holds the create back until the intent lands; an abort meanwhile sends nothing and marks it refused', async () => {
    const inner = new MemoryTaskJournal()
    const landings: Array<() => void> = []
    const journal = {
      put: async (entry: JournalEntry) => {
        if (entry.state === 'intent') await new Promise<void>((resolve) => landings.push(resolve))
        await inner.put(entry)
      },
      get: (ref: string) => inner.get(ref),
      list: () => inner.list(),
    }
    const client = ima.client({ journal })
    await client.products.list('text_to_image')
    const before = creates()
    const pending = client.tasks.create({ ...NB2_1K, prompt: 'slow journal' })
    while (landings.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    // Nothing is sent while the intent has not landed, however long that takes.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(creates()).toBe(before)
    landings.shift()?.()
    const task = await pending
    expect(creates()).toBe(before + 1)
    expect(await inner.get(task.ref)).toMatchObject({ state: 'created', taskId: task.id })

    const controller = new AbortController()
    const aborted = client.tasks.create({ ...NB2_1K, prompt: 'abandoned' }, { signal: controller.signal })
    while (landings.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    controller.abort()
    expect(await rejectionOf(aborted)).toBeInstanceOf(ImaAbortError)
    landings.shift()?.()
    const abandoned = async () => (await inner.list()).find((entry) => entry.taskId === undefined)
    for (let tries = 0; tries < 200 && (await abandoned())?.state !== 'refused'; tries += 1) await new Promise((resolve) => setTimeout(resolve, 5))
    expect(await abandoned()).toMatchObject({ state: 'refused', error: { name: 'AbortError' } })
    expect(creates()).toBe(before + 1)
  })
})
