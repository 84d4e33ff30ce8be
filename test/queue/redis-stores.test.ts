/**
 * The Redis budget and lease stores against a real redis-server, and the
 * same behaviour table run against the memory stores, which define the
 * semantics: whatever MemoryBudgetStore / MemoryLeaseStore answer, the Redis
 * ones must answer too. Without redis-server on PATH the Redis blocks are
 * skipped with a warning (failed in CI), and the memory rows still run.
 */
import fc from 'fast-check'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { MemoryBudgetStore, MemoryLeaseStore, type BudgetSettlement, type BudgetStore, type LeaseStore } from '../../src/stores/budget-store.js'
import { RedisBudgetStore, RedisLeaseStore } from '../../src/queue/index.js'
import { hasRedisServerFor, redisServerOnPath, startRedisServer, type RedisServer } from '../support/redis-server.js'

const hasRedis = redisServerOnPath()
let server: RedisServer | undefined
let redis: Redis | undefined
const connections: Redis[] = []

/** Another connection to the test's redis-server (closed after the file). */
function connect(): Redis {
  if (!server) throw new Error('redis-server is not started')
  const connection = new Redis(server.url, { maxRetriesPerRequest: 1 })
  connections.push(connection)
  return connection
}

function client(): Redis {
  if (!redis) throw new Error('redis-server is not started')
  return redis
}

let prefixes = 0
/** A prefix of its own per store, so no test sees another's counters. */
function freshPrefix(): string {
  prefixes += 1
  return `test${prefixes}:`
}

if (hasRedis) {
  beforeAll(async () => {
    server = await startRedisServer()
    redis = connect()
  })
  afterAll(async () => {
    await Promise.all(connections.map((connection) => connection.quit()))
    await server?.stop()
  })
}

/** A describe block that needs redis-server. */
function describeOnRedis(title: string, body: () => void): void {
  describe(title, () => {
    if (hasRedisServerFor(title)) body()
  })
}

const app = (maxCredits: number) => ({ key: 'app', maxCredits })

/** The behaviour every BudgetStore shares, with the memory store as the reference. */
function budgetBehaviour(make: () => BudgetStore): void {
  it('reserves within the ceiling, up to it exactly, and refuses past it with what remains', async () => {
    const store = make()
    expect(await store.reserve({ id: 'a', cost: 30, counters: [app(50)] })).toEqual({ ok: true })
    expect(await store.remaining([app(50)])).toBe(20)
    expect(await store.reserve({ id: 'b', cost: 21, counters: [app(50)] })).toEqual({ ok: false, key: 'app', remaining: 20 })
    expect(await store.reserve({ id: 'c', cost: 20, counters: [app(50)] })).toEqual({ ok: true })
    expect(await store.remaining([app(50)])).toBe(0)
    expect(await store.reserve({ id: 'd', cost: 1, counters: [app(50)] })).toEqual({ ok: false, key: 'app', remaining: 0 })
  })

  it('with several counters: refused by the first without room, nothing reserved under the others', async () => {
    const store = make()
    const user = { key: 'user:42@2026-12', maxCredits: 10 }
    const chat = { key: 'chat:9@2026-12-02', maxCredits: 100 }
    expect(await store.reserve({ id: 'a', cost: 8, counters: [app(50), user, chat] })).toEqual({ ok: true })
    // user has 2 left: refused there, and app and chat keep what they had.
    expect(await store.reserve({ id: 'b', cost: 8, counters: [app(50), user, chat] })).toEqual({ ok: false, key: user.key, remaining: 2 })
    expect(await store.remaining([app(50)])).toBe(42)
    expect(await store.remaining([chat])).toBe(92)
    // Two without room: the first of them is named.
    expect(await store.reserve({ id: 'c', cost: 45, counters: [chat, { key: 'app', maxCredits: 44 }, user] })).toEqual({ ok: false, key: 'app', remaining: 36 })
    expect(await store.remaining([chat])).toBe(92)
    // A counter not used so far counts from zero.
    expect(await store.reserve({ id: 'd', cost: 2, counters: [{ key: 'user:7@2026-12', maxCredits: 10 }, user] })).toEqual({ ok: true })
    expect(await store.remaining([user])).toBe(0)
  })

  it('released gives the cost back under every counter; spent and uncertain keep it counted', async () => {
    const store = make()
    const user = { key: 'user:1', maxCredits: 30 }
    for (const id of ['spent', 'released', 'uncertain']) expect(await store.reserve({ id, cost: 10, counters: [app(50), user] })).toEqual({ ok: true })
    await store.settle('spent', 'spent')
    await store.settle('uncertain', 'uncertain')
    expect(await store.remaining([app(50)])).toBe(20)
    await store.settle('released', 'released')
    expect(await store.remaining([app(50)])).toBe(30)
    expect(await store.remaining([user])).toBe(10)
  })

  it('uncertain keeps the reservation open: a late answer settles it, released or spent, once', async () => {
    const store = make()
    for (const id of ['late-released', 'late-spent']) await store.reserve({ id, cost: 10, counters: [app(50)] })
    await store.settle('late-released', 'uncertain')
    await store.settle('late-released', 'uncertain')
    expect(await store.remaining([app(50)])).toBe(30)
    await store.settle('late-released', 'released')
    expect(await store.remaining([app(50)])).toBe(40)
    await store.settle('late-spent', 'uncertain')
    await store.settle('late-spent', 'spent')
    // Closed: neither a second answer nor another uncertain changes anything.
    await store.settle('late-spent', 'released')
    await store.settle('late-released', 'released')
    await store.settle('late-released', 'uncertain')
    expect(await store.remaining([app(50)])).toBe(40)
  })

  it('a second settle is a no-op, and so is an unknown id', async () => {
    const store = make()
    await store.reserve({ id: 'a', cost: 10, counters: [app(50)] })
    await store.reserve({ id: 'b', cost: 10, counters: [app(50)] })
    await store.settle('a', 'released')
    await store.settle('a', 'released')
    expect(await store.remaining([app(50)])).toBe(40)
    // Spent, then "released" late: the first settlement stands.
    await store.settle('b', 'spent')
    await store.settle('b', 'released')
    expect(await store.remaining([app(50)])).toBe(40)
    await store.settle('never-reserved', 'released')
    expect(await store.remaining([app(50)])).toBe(40)
  })

  it('remaining: the least of the counters, never below 0, Infinity for none', async () => {
    const store = make()
    expect(await store.remaining([])).toBe(Number.POSITIVE_INFINITY)
    expect(await store.remaining([app(50)])).toBe(50)
    await store.reserve({ id: 'a', cost: 12, counters: [app(50), { key: 'user:1', maxCredits: 20 }] })
    expect(await store.remaining([app(50), { key: 'user:1', maxCredits: 20 }])).toBe(8)
    // A ceiling lowered below what is used already.
    expect(await store.remaining([{ key: 'app', maxCredits: 5 }])).toBe(0)
    expect(await store.reserve({ id: 'b', cost: 1, counters: [{ key: 'app', maxCredits: 5 }] })).toEqual({ ok: false, key: 'app', remaining: 0 })
    expect(await store.remaining([{ key: 'app', maxCredits: Number.POSITIVE_INFINITY }])).toBe(Number.POSITIVE_INFINITY)
  })
}

describe('MemoryBudgetStore (the reference)', () => budgetBehaviour(() => new MemoryBudgetStore()))

describeOnRedis('RedisBudgetStore', () => {
  budgetBehaviour(() => new RedisBudgetStore({ redis: client(), prefix: freshPrefix() }))

  it('keys live under the prefix, "ima:budget:" by default', async () => {
    const defaulted = new RedisBudgetStore({ redis: client() })
    await defaulted.reserve({ id: 'default-prefix', cost: 3, counters: [{ key: 'default-prefix-app', maxCredits: 10 }] })
    expect(await client().get('ima:budget:counter:default-prefix-app')).toBe('3')
    await defaulted.settle('default-prefix', 'released')
    // Another prefix is another budget.
    const other = new RedisBudgetStore({ redis: client(), prefix: freshPrefix() })
    expect(await other.remaining([{ key: 'default-prefix-app', maxCredits: 10 }])).toBe(10)
  })

  it('window counters expire at keepUntil (PEXPIREAT); counters without one are kept', async () => {
    const prefix = freshPrefix()
    const store = new RedisBudgetStore({ redis: client(), prefix })
    const keepUntil = Date.now() + 60_000
    await store.reserve({ id: 'w', cost: 5, counters: [{ key: 'user:1@2026-12', maxCredits: 10, keepUntil }] })
    const ttl = await client().pttl(`${prefix}counter:user:1@2026-12`)
    expect(ttl).toBeGreaterThan(50_000)
    expect(ttl).toBeLessThanOrEqual(60_000)
    // A release keeps the TTL (INCRBYFLOAT does not clear it).
    await store.reserve({ id: 'w2', cost: 1, counters: [{ key: 'user:1@2026-12', maxCredits: 10, keepUntil }] })
    await store.settle('w2', 'released')
    expect(await client().pttl(`${prefix}counter:user:1@2026-12`)).toBeGreaterThan(50_000)
    await store.reserve({ id: 't', cost: 5, counters: [app(10)] })
    expect(await client().pttl(`${prefix}counter:app`)).toBe(-1)
    // One reservation under a kept-for-ever counter and a window counter: each keeps its own expiry.
    await store.reserve({ id: 'both', cost: 1, counters: [app(10), { key: 'user:2@2026-12', maxCredits: 10, keepUntil }] })
    expect(await client().pttl(`${prefix}counter:app`)).toBe(-1)
    expect(await client().pttl(`${prefix}counter:user:2@2026-12`)).toBeGreaterThan(50_000)

    // A window that ends now: its counter is gone, the budget full again.
    // (150 ms: room for a loaded machine between the reserve and the check that it counted.)
    await store.reserve({ id: 'short', cost: 10, counters: [{ key: 'day', maxCredits: 10, keepUntil: Date.now() + 150 }] })
    expect(await store.remaining([{ key: 'day', maxCredits: 10 }])).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 180))
    expect(await store.remaining([{ key: 'day', maxCredits: 10 }])).toBe(10)
    // Released after its window passed: not brought back as a counter without a TTL.
    await store.settle('short', 'released')
    expect(await client().exists(`${prefix}counter:day`)).toBe(0)
  })

  it('deletes the reservation record once closed (spent, released), keeps it open when uncertain, and lets an unclosed one expire', async () => {
    const prefix = freshPrefix()
    const store = new RedisBudgetStore({ redis: client(), prefix })
    for (const outcome of ['spent', 'released'] as const) {
      await store.reserve({ id: outcome, cost: 1, counters: [app(50)] })
      expect(await client().exists(`${prefix}reservation:${outcome}`)).toBe(1)
      await store.settle(outcome, outcome)
      expect(await client().exists(`${prefix}reservation:${outcome}`)).toBe(0)
    }
    await store.reserve({ id: 'uncertain', cost: 1, counters: [app(50)] })
    await store.settle('uncertain', 'uncertain')
    expect(await client().exists(`${prefix}reservation:uncertain`)).toBe(1)
    expect(await store.remaining([app(50)])).toBe(48)
    // Never closed (its process died, or no late answer came): the record expires by itself; the cost stays counted.
    const ttl = await client().pttl(`${prefix}reservation:uncertain`)
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(86_400_000)
  })

  it('200 concurrent reserves of 1 point from 4 connections against a ceiling of 50: exactly 50 pass', async () => {
    const prefix = freshPrefix()
    const stores = Array.from({ length: 4 }, () => new RedisBudgetStore({ redis: connect(), prefix }))
    const verdicts = await Promise.all(Array.from({ length: 200 }, (_, i) => stores[i % 4]!.reserve({ id: `r${i}`, cost: 1, counters: [app(50)] })))
    expect(verdicts.filter((verdict) => verdict.ok)).toHaveLength(50)
    expect(verdicts.filter((verdict) => !verdict.ok)).toEqual(Array.from({ length: 150 }, () => ({ ok: false, key: 'app', remaining: 0 })))
    expect(await client().get(`${prefix}counter:app`)).toBe('50')
    expect(await stores[0]!.remaining([app(50)])).toBe(0)
  })

  it('agrees with MemoryBudgetStore on any interleaving of reserves and settles (fast-check, fixed seed)', async () => {
    const counters = [app(40), { key: 'user:1', maxCredits: 25 }, { key: 'chat:1', maxCredits: 60 }]
    const step = fc.oneof(
      fc.record({ kind: fc.constant('reserve' as const), cost: fc.integer({ min: 0, max: 20 }), under: fc.subarray([0, 1, 2], { minLength: 1 }) }),
      fc.record({
        kind: fc.constant('settle' as const),
        pick: fc.nat(),
        outcome: fc.constantFrom<BudgetSettlement>('spent', 'released', 'uncertain'),
      }),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => {
        const memory = new MemoryBudgetStore()
        const prefix = freshPrefix()
        const shared = new RedisBudgetStore({ redis: client(), prefix })
        // The model: the cost and counters of each reservation not settled "released"; those closed for good.
        const counted = new Map<string, { cost: number; under: number[] }>()
        const closed = new Set<string>()
        const ids: string[] = []
        for (const [index, action] of steps.entries()) {
          if (action.kind === 'reserve') {
            const id = `r${index}`
            ids.push(id)
            const reservation = { id, cost: action.cost, counters: action.under.map((i) => counters[i]!) }
            const expected = await memory.reserve(reservation)
            expect(await shared.reserve(reservation)).toEqual(expected)
            if (expected.ok) counted.set(id, { cost: action.cost, under: action.under })
          } else if (ids.length > 0) {
            // Any id reserved so far: pending, settled already, or refused.
            const id = ids[action.pick % ids.length]!
            await memory.settle(id, action.outcome)
            await shared.settle(id, action.outcome)
            // Uncertain keeps a reservation open; spent and released close it, and only released gives the cost back.
            if (!closed.has(id) && counted.has(id) && action.outcome !== 'uncertain') {
              closed.add(id)
              if (action.outcome === 'released') counted.delete(id)
            }
          }
          for (const [i, counter] of counters.entries()) {
            const used = [...counted.values()].filter((entry) => entry.under.includes(i)).reduce((sum, entry) => sum + entry.cost, 0)
            expect(used).toBeLessThanOrEqual(counter.maxCredits)
            expect(await memory.remaining([counter])).toBe(counter.maxCredits - used)
            expect(await shared.remaining([counter])).toBe(counter.maxCredits - used)
            expect(Number((await client().get(`${prefix}counter:${counter.key}`)) ?? '0')).toBe(used)
          }
          expect(await shared.remaining(counters)).toBe(await memory.remaining(counters))
        }
      }),
      { seed: 20_261_202, numRuns: 60 },
    )
  }, 60_000)
})

/** The behaviour every LeaseStore shares, with the memory store as the reference. */
function leaseBehaviour(make: () => LeaseStore): void {
  const lease = (id: string, leaseMs = 60_000) => ({ key: 'creates', id, limit: 2, leaseMs })

  it('limit 2: the third is refused, a release frees a slot', async () => {
    const store = make()
    expect(await store.acquire(lease('a'))).toBe(true)
    expect(await store.acquire(lease('b'))).toBe(true)
    expect(await store.acquire(lease('c'))).toBe(false)
    await store.release('creates', 'a')
    expect(await store.acquire(lease('c'))).toBe(true)
    expect(await store.acquire(lease('d'))).toBe(false)
    // Another key has slots of its own.
    expect(await store.acquire({ ...lease('d'), key: 'other' })).toBe(true)
  })

  it('the same id twice is one slot', async () => {
    const store = make()
    expect(await store.acquire(lease('a'))).toBe(true)
    expect(await store.acquire(lease('a'))).toBe(true)
    expect(await store.acquire(lease('b'))).toBe(true)
    expect(await store.acquire(lease('c'))).toBe(false)
    expect(await store.acquire(lease('a'))).toBe(true)
  })

  it('an expired lease frees its slot; releasing it then, or an unknown one, does nothing', async () => {
    const store = make()
    // (150 ms: room for a loaded machine between taking it and seeing it still held.)
    expect(await store.acquire(lease('short', 150))).toBe(true)
    expect(await store.acquire(lease('long'))).toBe(true)
    expect(await store.acquire(lease('waiting'))).toBe(false)
    await new Promise((resolve) => setTimeout(resolve, 180))
    expect(await store.acquire(lease('waiting'))).toBe(true)
    await store.release('creates', 'short')
    await store.release('creates', 'never-held')
    await store.release('no-such-key', 'x')
    expect(await store.acquire(lease('another'))).toBe(false)
  })
}

describe('MemoryLeaseStore (the reference)', () => leaseBehaviour(() => new MemoryLeaseStore()))

describeOnRedis('RedisLeaseStore', () => {
  leaseBehaviour(() => new RedisLeaseStore({ redis: client(), prefix: freshPrefix() }))

  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('keeps its set a little past the longest lease, under "ima:lease:" by default', async () => {
    const store = new RedisLeaseStore({ redis: client() })
    await store.acquire({ key: 'default-prefix', id: 'a', limit: 2, leaseMs: 10_000 })
    await store.acquire({ key: 'default-prefix', id: 'b', limit: 2, leaseMs: 30_000 })
    const ttl = await client().pttl('ima:lease:default-prefix')
    expect(ttl).toBeGreaterThan(30_000)
    expect(ttl).toBeLessThanOrEqual(31_000)
    await store.release('default-prefix', 'a')
    await store.release('default-prefix', 'b')
    // The last member gone takes the set with it.
    expect(await client().exists('ima:lease:default-prefix')).toBe(0)
  })

  it("expires leases by the Redis server's clock, not the caller's", async () => {
    const store = new RedisLeaseStore({ redis: client(), prefix: freshPrefix() })
    const lease = (id: string) => ({ key: 'creates', id, limit: 1, leaseMs: 60_000 })
    expect(await store.acquire(lease('a'))).toBe(true)
    // A caller whose clock runs an hour ahead: by its clock the lease expired long ago; by Redis's it has not.
    const real = Date.now.bind(Date)
    vi.spyOn(Date, 'now').mockImplementation(() => real() + 3_600_000)
    expect(await store.acquire(lease('b'))).toBe(false)
  })

  it('50 concurrent acquires from 4 connections with limit 5: exactly 5 slots', async () => {
    const prefix = freshPrefix()
    const stores = Array.from({ length: 4 }, () => new RedisLeaseStore({ redis: connect(), prefix }))
    const taken = await Promise.all(Array.from({ length: 50 }, (_, i) => stores[i % 4]!.acquire({ key: 'creates', id: `l${i}`, limit: 5, leaseMs: 60_000 })))
    expect(taken.filter(Boolean)).toHaveLength(5)
    expect(await client().zcard(`${prefix}creates`)).toBe(5)
  })
})
