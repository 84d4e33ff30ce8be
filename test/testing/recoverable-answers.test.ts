/**
 * The answers a live service gives when its list moves under a cached client
 * (protocol §5 and §9), produced by the local server by itself: 6010 after
 * the attribute ids rotated, 6006 after the points changed, 6009 when a rule
 * attribute is missing, and 500 for a size the backend cannot make. Plain
 * fetch shows the answers; the SDK client shows its recovery paths running
 * against them without fault injection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ImaClient } from '../../src/index.js'
import { startImaServer } from '../../src/testing/index.js'
import type { ImaServer, ImaServerOptions, ServerCreditRule, ServerProductNode } from '../../src/testing/index.js'
import { create, createBodyFor, nanoBanana1kBody, request } from './local-http.js'

const LIST = '/open/v1/product/list?app=ima&platform=web&category=text_to_image'

/** Reads the list as a client does, over HTTP. */
async function readList(server: ImaServer): Promise<ServerProductNode[]> {
  const answer = await request(server, 'GET', LIST)
  expect(answer.json.code).toBe(0)
  return answer.json.data
}

function newestLeaf(tree: ServerProductNode[], modelId: string): ServerProductNode {
  const all = (nodes: ServerProductNode[]): ServerProductNode[] =>
    nodes.flatMap((node) => [...(node.type === '3' ? [node] : []), ...(Array.isArray(node.children) ? all(node.children) : [])])
  const leaf = all(tree).filter((node) => node.model_id === modelId).at(-1)
  if (!leaf) throw new Error(`no ${modelId} in the list`)
  return leaf
}

/**
 * A text_to_image body from a list a client read, for a size. Like a client
 * that builds from the form and its own parameters only, it leaves out rule
 * attributes the form does not name, unless `withRuleAttributes`.
 */
function bodyFrom(tree: ServerProductNode[], modelId: string, size: string, withRuleAttributes = false): any {
  const leaf = newestLeaf(tree, modelId)
  const rule = (leaf.credit_rules ?? []).find((r: ServerCreditRule) => String(r.attributes.size).toUpperCase() === size.toUpperCase()) ?? leaf.credit_rules?.[0]
  if (!rule) throw new Error(`no rule for ${size}`)
  const ruleAttributes = withRuleAttributes ? Object.fromEntries(Object.entries(rule.attributes).filter(([key]) => key !== 'default')) : {}
  return createBodyFor('text_to_image', leaf, rule, { ...ruleAttributes, size: String(rule.attributes.size ?? size), prompt: 'a fox', n: 1 })
}

function sdkClient(server: ImaServer): { client: ImaClient; retries: string[] } {
  const client = new ImaClient({ apiKey: server.apiKey, baseURL: server.url, uploadBaseURL: server.uploadURL })
  const retries: string[] = []
  client.on('retry', (event) => retries.push(event.reason))
  return { client, retries }
}

function listReads(server: ImaServer): number {
  return server.requests.filter((r) => r.path === '/open/v1/product/list').length
}

/** A server for one test, closed after it. */
async function withServer(options: ImaServerOptions, run: (server: ImaServer) => Promise<void>): Promise<void> {
  const server = await startImaServer({ progression: 'polls', ...options })
  try {
    await run(server)
  } finally {
    await server.close()
  }
}

describe('catalogDrift: the list moves after N accepted creates', () => {
  it("attributeIds: a cached list's next create gets 6010; the new list works", () =>
    withServer({ catalogDrift: { afterCreates: 1, change: 'attributeIds' } }, async (server) => {
      const cached = nanoBanana1kBody()
      expect((await create(server, cached)).json.code).toBe(0)
      const stale = await create(server, cached)
      expect(stale).toMatchObject({ status: 200, json: { code: 6010, message: 'attribute_id does not match the parameters (the product list changed: read it again)' } })
      expect(server.tasks).toHaveLength(1)
      expect(server.balance(server.apiKey)).toBe(100_000 - 6)
      const fresh = bodyFrom(await readList(server), 'gemini-3.1-flash-image', '1K')
      expect(fresh.parameters[0].attribute_id).toBe(104_401)
      expect((await create(server, fresh)).json.code).toBe(0)
      // An id the list never carried is still "Invalid product attribute".
      const unknown = nanoBanana1kBody()
      unknown.parameters[0].attribute_id = 4499
      unknown.parameters[0].parameters.cast.attribute_id = 4499
      expect((await create(server, unknown)).json.code).toBe(6001)
    }))

  it("points: a cached list's next create gets 6006; the new points work", () =>
    withServer({ catalogDrift: { afterCreates: 2, change: 'points' } }, async (server) => {
      const cached = bodyFrom(await readList(server), 'gemini-3-pro-image', '4K')
      expect((await create(server, cached)).json.code).toBe(0)
      expect((await create(server, cached)).json.code).toBe(0)
      expect((await create(server, cached)).json.code).toBe(6006)
      const fresh = bodyFrom(await readList(server), 'gemini-3-pro-image', '4K')
      expect(fresh.parameters[0].credit).toBe(19)
      expect((await create(server, fresh)).json.code).toBe(0)
      expect(server.tasks.map((task) => task.credit)).toEqual([18, 18, 19])
    }))

  it('ruleAttributes: a rule attribute appears; the next create without it gets 6009 naming it', () =>
    withServer({ catalogDrift: { afterCreates: 1, change: 'ruleAttributes' } }, async (server) => {
      const cached = bodyFrom(await readList(server), 'midjourney', '480p', true)
      expect((await create(server, cached)).json.code).toBe(0)
      expect((await create(server, cached)).json).toMatchObject({ code: 6009, message: 'no credit rule matches the parameters (missing quality)' })
      // The reference client's recovery: add the missing attributes of the cheapest rule.
      const rules = newestLeaf(await readList(server), 'midjourney').credit_rules ?? []
      const cheapest = [...rules].sort((a, b) => a.points - b.points)[0]!
      expect(cheapest.attributes).toMatchObject({ size: '480p', quality: 'standard' })
      cached.parameters[0].parameters.quality = cheapest.attributes.quality
      expect((await create(server, cached)).json.code).toBe(0)
    }))

  it('modelIds limits the change; several drifts apply in order; reset() restores the list', () =>
    withServer(
      {
        catalogDrift: [
          { afterCreates: 2, change: 'attributeIds', modelIds: ['midjourney'] },
          { afterCreates: 1, change: 'points', modelIds: ['midjourney'] },
        ],
      },
      async (server) => {
        const before = await readList(server)
        const nb = nanoBanana1kBody()
        const mj = bodyFrom(before, 'midjourney', '720p')
        expect((await create(server, nb)).json.code).toBe(0)
        expect((await create(server, mj)).json.code).toBe(6006)
        const afterOne = bodyFrom(await readList(server), 'midjourney', '720p')
        expect(afterOne.parameters[0]).toMatchObject({ attribute_id: 5452, credit: 11 })
        expect((await create(server, afterOne)).json.code).toBe(0)
        expect((await create(server, afterOne)).json.code).toBe(6010)
        expect((await create(server, nb)).json.code).toBe(0)
        expect(bodyFrom(await readList(server), 'midjourney', '720p').parameters[0]).toMatchObject({ attribute_id: 105_452, credit: 11 })
        server.reset()
        expect(await readList(server)).toEqual(before)
        expect((await create(server, mj)).json.code).toBe(0)
      },
    ))

  it.each([
    ['attributeIds', 6010],
    ['points', 6006],
    ['ruleAttributes', 6009],
  ] as const)('the SDK client recovers from %s (%i): it reads the list again and the create succeeds', (change, code) =>
    withServer({ catalogDrift: { afterCreates: 1, change } }, async (server) => {
      const { client, retries } = sdkClient(server)
      await client.tasks.create({ model: 'gemini-3-pro-image', prompt: 'a fox', size: '2K' })
      expect(listReads(server)).toBe(1)
      const second = await client.tasks.create({ model: 'gemini-3-pro-image', prompt: 'a fox', size: '2K' })
      expect(retries).toEqual([expect.stringContaining(`product list changed (${code})`)])
      expect(listReads(server)).toBe(2)
      expect(server.tasks).toHaveLength(2)
      expect(server.tasks[1]?.id).toBe(second.id)
      expect(server.warnings).toEqual([])
    }))
})

describe('requireRuleAttributes: a version whose rules need an attribute the form does not name', () => {
  let server: ImaServer
  beforeAll(async () => {
    server = await startImaServer({ progression: 'polls', requireRuleAttributes: { 'gemini-3-pro-image': { quality: 'hd' } } })
  })
  afterAll(() => server.close())

  it('answers 6009 naming the missing attribute to a client that sends only the form and its size', async () => {
    const list = await readList(server)
    expect(newestLeaf(list, 'gemini-3-pro-image').credit_rules?.[0]?.attributes).toEqual({ size: '1K', default: 'enabled', quality: 'hd' })
    expect((await create(server, bodyFrom(list, 'gemini-3-pro-image', '2K'))).json).toMatchObject({ code: 6009, message: 'no credit rule matches the parameters (missing quality)' })
    expect((await create(server, bodyFrom(list, 'gemini-3-pro-image', '2K', true))).json.code).toBe(0)
    // Other models are untouched.
    expect((await create(server, nanoBanana1kBody())).json.code).toBe(0)
  })

  it('the SDK client copies the rule attributes into the body, so it passes at once', async () => {
    const { client, retries } = sdkClient(server)
    await client.tasks.create({ model: 'NB Pro', prompt: 'a fox', size: '4K' })
    expect(server.tasks.at(-1)?.parameters).toMatchObject({ size: '4K', quality: 'hd' })
    expect(retries).toEqual([])
  })
})

describe('rejectSizes: sizes the backend cannot make', () => {
  it('answers 500 at that size (any case), creates and charges nothing; the reference step-down 4K → 2K → 1K ends at 1K', () =>
    withServer({ rejectSizes: { 'gemini-3-pro-image': ['4K', '2k'] } }, async (server) => {
      const list = await readList(server)
      const refused = await create(server, bodyFrom(list, 'gemini-3-pro-image', '4K'))
      expect(refused).toMatchObject({ status: 500, json: { code: 500, message: 'the backend could not make size "4K" with Nano Banana Pro: try a smaller size' } })
      expect(server.tasks).toHaveLength(0)
      expect(server.balance(server.apiKey)).toBe(100_000)
      // The reference client steps the size down after a 500 (protocol §5).
      const tried: string[] = []
      let accepted: string | undefined
      for (const size of ['4K', '2K', '1K']) {
        tried.push(size)
        if ((await create(server, bodyFrom(list, 'gemini-3-pro-image', size))).status === 200) {
          accepted = size
          break
        }
      }
      expect({ tried, accepted }).toEqual({ tried: ['4K', '2K', '1K'], accepted: '1K' })
      expect(server.tasks[0]).toMatchObject({ attributeId: 2399, credit: 10 })
      // Other models are untouched.
      expect((await create(server, bodyFrom(list, 'gemini-3.1-flash-image', '4K'))).json.code).toBe(0)
    }))

  it('a SeeDream default size can be rejected too (no size sent means the form default)', () =>
    withServer({ rejectSizes: { 'doubao-seedream-4.5': ['2k'] } }, async (server) => {
      const body = bodyFrom(await readList(server), 'doubao-seedream-4.5', '2k')
      delete body.parameters[0].parameters.size
      expect((await create(server, body)).status).toBe(500)
      body.parameters[0].parameters.size = '4k'
      expect((await create(server, body)).json.code).toBe(0)
    }))

  it("with rejectSizeStatus 400 the SDK's opt-in fallback.size steps down 4K → 2K", () =>
    withServer({ rejectSizes: { 'gemini-3.1-flash-image': ['4K'] }, rejectSizeStatus: 400 }, async (server) => {
      const { client, retries } = sdkClient(server)
      const task = await client.tasks.create({ model: 'gemini-3.1-flash-image', prompt: 'a fox', size: '4K', fallback: { size: true } })
      expect(task).toMatchObject({ size: '2K', attributeId: 4402 })
      expect(retries).toEqual(['400 at size 4K: trying size 2K (fallback.size)'])
      expect(server.tasks).toHaveLength(1)
    }))

  it('the SDK client does not re-send after the 500 (the outcome could be unknown); the server made nothing', () =>
    withServer({ rejectSizes: { 'gemini-3.1-flash-image': ['4K'] } }, async (server) => {
      const { client } = sdkClient(server)
      await expect(client.tasks.create({ model: 'gemini-3.1-flash-image', prompt: 'a fox', size: '4K', fallback: { size: true } })).rejects.toThrow()
      expect(server.requests.filter((r) => r.path === '/open/v1/tasks/create')).toHaveLength(1)
      expect(server.tasks).toHaveLength(0)
    }))
})

describe('the options are checked at start', () => {
  it.each([
    [{ catalogDrift: { afterCreates: 0, change: 'points' } }, /afterCreates must be a whole number of at least 1/],
    [{ catalogDrift: { afterCreates: 1.5, change: 'points' } }, /afterCreates/],
    [{ catalogDrift: [{ afterCreates: 1, change: 'sizes' }] }, /catalogDrift\[0\]\.change must be one of attributeIds, points, ruleAttributes/],
    [{ catalogDrift: { afterCreates: 1, change: 'ruleAttributes', attributes: {} } }, /attributes must be a non-empty object/],
    [{ catalogDrift: { afterCreates: 1, change: 'ruleAttributes', attributes: { default: 'x' } } }, /default marker/],
    [{ requireRuleAttributes: { midjourney: { quality: null } } }, /must be a string, a finite number or a boolean/],
    [{ rejectSizes: { midjourney: '720p' } }, /rejectSizes\["midjourney"\] must be an array of sizes/],
    [{ rejectSizeStatus: 404 }, /rejectSizeStatus must be 400 or 500/],
    [{ strict: 'yes' }, /strict must be true or false/],
  ])('%j', async (options, message) => {
    await expect(startImaServer(options as ImaServerOptions)).rejects.toThrow(message)
  })
})
