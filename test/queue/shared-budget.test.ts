/**
 * The "done when", across processes: several bot instances (child
 * processes, each its own ImaClient) sharing one Redis share one credit
 * ceiling and one limit of creates in flight — proven by the local server's
 * own record of what it was asked and charged, not by what the clients say.
 */
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startImaServer, type ImaServer } from '../../src/testing/index.js'
import { startCountingProxy } from '../support/counting-proxy.js'
import { hasRedisServerFor, startRedisServer, type RedisServer } from '../support/redis-server.js'
import { fixture, killLeftoverChildren, spawnTsx, type TsxChild } from '../support/tsx-child.js'

const CREATE_PATH = '/open/v1/tasks/create'
/** gemini-3.1-flash-image at 1K in the local catalog. */
const POINTS_PER_CREATE = 6
const KEY = 'ima_shared_budget_key_0123'
const BALANCE = 100_000
const CHILDREN = 4
/** Children start with tsx and contend for Redis and the server on maybe 2 loaded cores: room for that. */
const TIMEOUT_MS = 120_000

interface ChildReport {
  created: number
  refused: number
  other: string[]
}


/** Starts the children, waits until each is ready, lets them all go at once, and returns their reports. */
async function runChildren(env: { IMA_BASE_URL: string; REDIS_URL: string; MODE: 'budget' | 'lease'; COUNT: string; PREFIX: string }, redis: Redis): Promise<ChildReport[]> {
  const children: TsxChild[] = Array.from({ length: CHILDREN }, () => spawnTsx(fixture('shared-budget-child.ts'), [], { env: { IMA_API_KEY: KEY, ...env } }))
  await Promise.all(children.map((child) => child.waitFor(/^ready$/m)))
  await redis.rpush(`${env.PREFIX}go`, ...children.map(() => 'go'))
  const ended = await Promise.all(children.map((child) => child.done))
  return ended.map(({ code, signal, out }) => {
    // No child crashed: each ended by itself, with code 0 and its report.
    expect({ code, signal }, out).toEqual({ code: 0, signal: null })
    const line = out.split('\n').find((text) => text.startsWith('{'))
    expect(line, out).toBeDefined()
    return JSON.parse(line as string) as ChildReport
  })
}

describe('several processes sharing one Redis', () => {
  if (!hasRedisServerFor('several processes sharing one Redis')) return

  let redisServer: RedisServer | undefined
  let redis: Redis | undefined
  let server: ImaServer | undefined

  beforeAll(async () => {
    redisServer = await startRedisServer()
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 })
    server = await startImaServer({ apiKeys: { [KEY]: BALANCE } })
  })
  afterEach(() => {
    killLeftoverChildren()
    server?.reset()
  })
  afterAll(async () => {
    await server?.close()
    await redis?.quit()
    await redisServer?.stop()
  })

  it(
    'maxCredits 50 in a RedisBudgetStore holds across 4 processes: the server charges 48 for 8 creates, the other 12 are BudgetExceededError',
    async () => {
      const ima = server as ImaServer
      const reports = await runChildren({ IMA_BASE_URL: ima.url, REDIS_URL: (redisServer as RedisServer).url, MODE: 'budget', COUNT: '5', PREFIX: 'budget-test:' }, redis as Redis)

      // 20 creates of 6 points wanted (120) against one ceiling of 50: floor(50 / 6) = 8 fit.
      const created = reports.reduce((sum, report) => sum + report.created, 0)
      const refused = reports.reduce((sum, report) => sum + report.refused, 0)
      expect(reports.flatMap((report) => report.other)).toEqual([])
      expect(created).toBe(8)
      expect(refused).toBe(12)
      // The server's own record: what it charged, and what it was asked (a refused create sends nothing).
      const charged = BALANCE - ima.balance(KEY)
      expect(charged).toBeLessThanOrEqual(50)
      expect(charged).toBe(POINTS_PER_CREATE * created)
      expect(ima.requests.filter((recorded) => recorded.method === 'POST' && recorded.path === CREATE_PATH)).toHaveLength(created)
      expect(ima.tasks).toHaveLength(created)
      // And the store agrees: 48 used, 2 left.
      expect(await (redis as Redis).get('budget-test:budget:counter:app')).toBe('48')
    },
    TIMEOUT_MS,
  )

  it(
    'maxCreatesInFlight 2 in a RedisLeaseStore holds across 4 processes: never more than 2 creates in flight at the server, and all 12 created',
    async () => {
      const ima = server as ImaServer
      // Slow creates, so that without the shared limit they would overlap 12 deep.
      ima.injectFault({ path: CREATE_PATH, kind: 'delay', ms: 300, times: 100 })
      const proxy = await startCountingProxy(ima.url)
      try {
        const reports = await runChildren({ IMA_BASE_URL: proxy.url, REDIS_URL: (redisServer as RedisServer).url, MODE: 'lease', COUNT: '3', PREFIX: 'lease-test:' }, redis as Redis)

        expect(reports.flatMap((report) => report.other)).toEqual([])
        expect(reports.reduce((sum, report) => sum + report.created, 0)).toBe(12)
        expect(proxy.creates()).toBe(12)
        expect(ima.tasks).toHaveLength(12)
        // At most 2 — and 2 reached, so a limit that let nothing overlap (or a proxy that counted nothing) would fail too.
        expect(proxy.maxInFlight()).toBe(2)
        // Every slot given back.
        expect(await (redis as Redis).exists('lease-test:lease:creates')).toBe(0)
      } finally {
        await proxy.close()
      }
    },
    TIMEOUT_MS,
  )
})
