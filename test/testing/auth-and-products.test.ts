import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_TEST_API_KEY, startImaServer } from '../../src/testing/index.js'
import type { ImaServer } from '../../src/testing/index.js'
import { apiHeaders, request } from './local-http.js'

const LIST = '/open/v1/product/list?app=ima&platform=web&category='

describe('local IMA server: headers and product list', () => {
  let server: ImaServer
  beforeAll(async () => {
    server = await startImaServer()
  })
  afterAll(() => server.close())

  it('listens on loopback with the default key', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(server.uploadURL).toBe(server.url)
    expect(server.apiKey).toBe(DEFAULT_TEST_API_KEY)
    expect(server.balance(DEFAULT_TEST_API_KEY)).toBe(100_000)
  })

  it('answers 401 without a key or with an unknown one', async () => {
    const missing = await request(server, 'GET', `${LIST}text_to_image`, { headers: { 'x-app-source': 'ima_skills' } })
    expect(missing.status).toBe(401)
    expect(missing.json).toEqual({ code: 401, message: 'Unauthorized: the API key is missing or invalid', data: null })
    const wrong = await request(server, 'GET', `${LIST}text_to_image`, { headers: apiHeaders('ima_wrong') })
    expect(wrong.status).toBe(401)
    const noScheme = await request(server, 'GET', `${LIST}text_to_image`, {
      headers: { authorization: server.apiKey, 'x-app-source': 'ima_skills' },
    })
    expect(noScheme.status).toBe(401)
  })

  it('answers 400 without x-app-source, and in strict mode with an x_app_language other than en or zh', async () => {
    const noSource = await request(server, 'GET', `${LIST}text_to_image`, {
      headers: { authorization: `Bearer ${server.apiKey}` },
    })
    expect(noSource.status).toBe(400)
    expect(noSource.json.code).toBe(400)
    const strict = await startImaServer({ strict: true })
    try {
      const badLanguage = await request(strict, 'GET', `${LIST}text_to_image`, {
        headers: apiHeaders(strict.apiKey, { x_app_language: 'fr' }),
      })
      expect(badLanguage.status).toBe(400)
      expect(badLanguage.json.message).toMatch(/x_app_language header must be en or zh/)
    } finally {
      await strict.close()
    }
    const zh = await request(server, 'GET', `${LIST}text_to_image`, { headers: apiHeaders(server.apiKey, { x_app_language: 'zh' }) })
    expect(zh.status).toBe(200)
  })

  it('records requests with the key redacted', async () => {
    const before = server.requests.length
    await request(server, 'GET', `${LIST}image_to_image`)
    const record = server.requests[before]
    expect(record).toMatchObject({ method: 'GET', path: '/open/v1/product/list', authorized: true, status: 200 })
    expect(record?.query).toEqual({ app: 'ima', platform: 'web', category: 'image_to_image' })
    expect(record?.headers.authorization).toBe('[redacted]')
    expect(JSON.stringify(server.requests)).not.toContain(DEFAULT_TEST_API_KEY)
  })

  it('serves both trees, which differ only in attribute ids and points', async () => {
    const t2i = await request(server, 'GET', `${LIST}text_to_image`)
    const i2i = await request(server, 'GET', `${LIST}image_to_image`)
    expect(t2i.json.code).toBe(0)
    expect(i2i.json.code).toBe(0)
    const shape = (tree: unknown): string =>
      JSON.stringify(tree, (key, value) => (key === 'attribute_id' || key === 'points' ? 0 : value))
    expect(shape(t2i.json.data)).toBe(shape(i2i.json.data))
    expect(t2i.json.data).toEqual(server.catalog('text_to_image'))
    expect(t2i.json.data.map((node: { id: string }) => node.id)).toEqual(['SeeDream', 'NanoBanana', 'Midjourney', 'v6'])
    const nanoBanana = t2i.json.data[1]
    expect(nanoBanana.children.map((node: { id: string }) => node.id)).toEqual([
      'NanoBanana2-legacy',
      'gemini-3.1-flash-image-preview',
      'gemini-3-pro-image-preview',
    ])
    expect(nanoBanana.children[0].children[0].id).toBe('gemini-3.1-flash-image-exp-0826')
    expect(nanoBanana.children[1].credit_rules.map((r: { attribute_id: number }) => r.attribute_id)).toEqual([4400, 4401, 4402, 4403])
    expect(i2i.json.data[1].children[1].credit_rules.map((r: { attribute_id: number }) => r.attribute_id)).toEqual([4404, 4405, 4406, 4407])
    expect(t2i.json.data[0].children[0].credit_rules[0]).toEqual({ attribute_id: 2341, points: 5, attributes: { default: 'enabled' } })
    expect(i2i.json.data[0].children[0].credit_rules[0].attribute_id).toBe(1611)
    expect(i2i.json.data[3].credit_rules.map((r: { attribute_id: number }) => r.attribute_id)).toEqual([5453, 5454])
  })

  it('rejects a bad query', async () => {
    for (const query of ['?app=ima&platform=web', '?app=ima&platform=web&category=video', '?app=x&platform=web&category=text_to_image', '?app=ima&platform=ios&category=text_to_image']) {
      const answer = await request(server, 'GET', `/open/v1/product/list${query}`)
      expect(answer.status, query).toBe(400)
      expect(answer.json.code).toBe(400)
    }
  })

  it('answers 405 with Allow for a known route asked with another method, after the key check', async () => {
    const headers = apiHeaders(server.apiKey)
    const asked: Array<[string, string, string]> = [
      ['POST', `${LIST}text_to_image`, 'GET'],
      ['GET', '/open/v1/tasks/create', 'POST'],
      ['DELETE', '/open/v1/tasks/detail', 'POST'],
    ]
    for (const [method, path, allowed] of asked) {
      const answer = await fetch(`${server.url}${path}`, { method, headers })
      expect(answer.status, `${method} ${path}`).toBe(405)
      expect(answer.headers.get('allow')).toBe(allowed)
      expect(await answer.json()).toMatchObject({ code: 405, message: `method ${method} is not allowed on ${path.split('?')[0]}: use ${allowed}` })
    }
    expect((await fetch(`${server.url}/open/v1/tasks/create`)).status).toBe(401)
  })

  it('answers 404 for unknown routes', async () => {
    expect((await request(server, 'GET', '/open/v1/nope')).status).toBe(404)
    const other = await request(server, 'GET', '/elsewhere')
    expect(other.status).toBe(404)
    expect(other.json.code).toBe(404)
  })

  it('catalog() returns a deep copy and the catalog option replaces a tree', async () => {
    const copy = server.catalog('text_to_image')
    copy.length = 0
    expect(server.catalog('text_to_image').length).toBe(4)
    const custom = await startImaServer({
      catalog: { image_to_image: [{ id: 'solo', type: '3', name: 'Solo', model_id: 'solo', credit_rules: [], form_config: [] }] },
    })
    try {
      const answer = await request(custom, 'GET', `${LIST}image_to_image`)
      expect(answer.json.data).toEqual([{ id: 'solo', type: '3', name: 'Solo', model_id: 'solo', credit_rules: [], form_config: [] }])
      expect((await request(custom, 'GET', `${LIST}text_to_image`)).json.data.length).toBe(4)
    } finally {
      await custom.close()
    }
  })
})
