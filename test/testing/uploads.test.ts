import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_TEST_API_KEY, startImaServer } from '../../src/testing/index.js'
import type { ImaServer } from '../../src/testing/index.js'

const TOKEN_PATH = '/api/rest/oss/getuploadtoken'

/** The 11 token fields, signed the way the reference client signs them (written out here on purpose). */
function tokenFields(apiKey: string, overrides: Record<string, string> = {}): Record<string, string> {
  const timestamp = overrides.timestamp ?? String(Math.floor(Date.now() / 1000))
  const nonce = overrides.nonce ?? randomBytes(11).toString('hex').slice(0, 21)
  const sign = createHash('sha1').update(`webAgent|32jdskjdk320eew|${timestamp}|${nonce}`).digest('hex').toUpperCase()
  return {
    appUid: apiKey,
    appId: 'webAgent',
    appKey: '32jdskjdk320eew',
    cmimToken: apiKey,
    timestamp,
    nonce,
    sign,
    fService: 'privite',
    fType: 'picture',
    fSuffix: 'png',
    fContentType: 'image/png',
    ...overrides,
  }
}

async function postToken(server: ImaServer, fields: Record<string, string>): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.uploadURL}${TOKEN_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  })
  return { status: res.status, json: await res.json() }
}

async function getToken(server: ImaServer, fields: Record<string, string>): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.uploadURL}${TOKEN_PATH}?${new URLSearchParams(fields).toString()}`)
  return { status: res.status, json: await res.json() }
}

describe('local IMA server: uploads', () => {
  let server: ImaServer
  beforeAll(async () => {
    server = await startImaServer()
  })
  beforeEach(() => server.reset())
  afterAll(() => server.close())

  it('hands out a token by form POST and by GET', async () => {
    for (const answer of [await postToken(server, tokenFields(server.apiKey)), await getToken(server, tokenFields(server.apiKey))]) {
      expect(answer.status).toBe(200)
      expect(answer.json.code).toBe(0)
      expect(answer.json.data.ful).toMatch(new RegExp(`^${server.uploadURL}/oss/put/[0-9a-f]+$`))
      expect(answer.json.data.fdl).toMatch(new RegExp(`^${server.url}/cdn/[0-9a-f]+\\.png$`))
    }
    const record = server.requests[0]
    expect(record).toMatchObject({ method: 'POST', path: TOKEN_PATH, authorized: true })
    expect(record?.body).toMatchObject({ appUid: '[redacted]', cmimToken: '[redacted]', fSuffix: 'png' })
    expect(server.requests[1]?.query.appUid).toBe('[redacted]')
    expect(JSON.stringify(server.requests)).not.toContain(DEFAULT_TEST_API_KEY)
  })

  it('rejects a bad sign, a stale timestamp and other bad fields', async () => {
    const badSign = await postToken(server, tokenFields(server.apiKey, { sign: 'ABC' }))
    expect(badSign).toMatchObject({ status: 400, json: { code: 400, message: 'bad sign' } })
    const lowerSign = tokenFields(server.apiKey)
    lowerSign.sign = (lowerSign.sign ?? '').toLowerCase()
    expect((await postToken(server, lowerSign)).json.message).toBe('bad sign')
    const stale = await postToken(server, tokenFields(server.apiKey, { timestamp: String(Math.floor(Date.now() / 1000) - 301) }))
    expect(stale.status).toBe(400)
    expect(stale.json.code).toBe(400)
    const cases: Record<string, string>[] = [
      { appId: 'other' },
      { appKey: 'other' },
      { nonce: 'xyz' },
      { nonce: 'abcdef' },
      { fService: 'private' },
      { fType: 'video' },
      { fSuffix: '' },
      { fContentType: '' },
    ]
    for (const overrides of cases) {
      const answer = await postToken(server, tokenFields(server.apiKey, overrides))
      expect(answer.status, JSON.stringify(overrides)).toBe(400)
    }
    const missing = tokenFields(server.apiKey)
    delete missing.fType
    expect((await getToken(server, missing)).status).toBe(400)
  })

  it('answers 401 when appUid or cmimToken is not a configured key', async () => {
    const wrongUid = await postToken(server, tokenFields('ima_wrong'))
    expect(wrongUid).toMatchObject({ status: 401, json: { code: 401 } })
    const wrongToken = await postToken(server, { ...tokenFields(server.apiKey), cmimToken: 'ima_wrong' })
    expect(wrongToken.status).toBe(401)
    expect(server.requests.at(-1)?.authorized).toBe(false)
  })

  it('answers 401 when appUid and cmimToken are two different keys, even two it knows', async () => {
    const twoKeys = await startImaServer({ apiKeys: { ima_first_key_1234: 100, ima_second_key_5678: 100 } })
    try {
      const mixed = await postToken(twoKeys, { ...tokenFields('ima_first_key_1234'), cmimToken: 'ima_second_key_5678' })
      expect(mixed).toMatchObject({ status: 401, json: { code: 401, message: 'Unauthorized: appUid and cmimToken must both be the API key' } })
      expect((await postToken(twoKeys, tokenFields('ima_second_key_5678'))).status).toBe(200)
    } finally {
      await twoKeys.close()
    }
  })

  it('answers 405 with Allow for another method on the token and upload routes', async () => {
    const token = await fetch(`${server.uploadURL}${TOKEN_PATH}`, { method: 'PUT' })
    expect(token.status).toBe(405)
    expect(token.headers.get('allow')).toBe('GET, POST')
    const { json } = await postToken(server, tokenFields(server.apiKey))
    const put = await fetch(json.data.ful, { method: 'POST', body: 'x' })
    expect(put.status).toBe(405)
    expect(put.headers.get('allow')).toBe('PUT')
    expect(await put.json()).toMatchObject({ code: 405, message: expect.stringContaining('use PUT') })
  })

  it('stores PUT bytes once and serves them back', async () => {
    const { json } = await postToken(server, tokenFields(server.apiKey))
    const { ful, fdl } = json.data
    expect((await fetch(fdl)).status).toBe(404)
    const bytes = randomBytes(200_000)
    const put = await fetch(ful, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: bytes })
    expect(put.status).toBe(200)
    const got = await fetch(fdl)
    expect(got.status).toBe(200)
    expect(got.headers.get('content-type')).toBe('image/png')
    expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true)
    expect(server.uploads).toHaveLength(1)
    expect(server.uploads[0]).toMatchObject({ contentType: 'image/png', suffix: 'png', ful, fdl })
    expect(Buffer.from(server.uploads[0]!.bytes).equals(bytes)).toBe(true)
    const putRecord = server.requests.find((r) => r.method === 'PUT')
    expect(putRecord).toMatchObject({ authorized: false, body: undefined, status: 200 })
    expect(putRecord?.headers.authorization).toBeUndefined()

    const second = await fetch(ful, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: bytes })
    expect(second.status).toBe(409)
    const unknown = await fetch(`${server.uploadURL}/oss/put/0123abcd`, { method: 'PUT', body: 'x' })
    expect(unknown.status).toBe(404)
  })

  it('records an Authorization header sent to the upload host, redacted', async () => {
    const { json } = await postToken(server, tokenFields(server.apiKey))
    await fetch(json.data.ful, { method: 'PUT', headers: { authorization: `Bearer ${server.apiKey}` }, body: 'abc' })
    const putRecord = server.requests.find((r) => r.method === 'PUT')
    expect(putRecord?.headers.authorization).toBe('[redacted]')
    expect(putRecord?.authorized).toBe(true)
  })

  it('refuses an upload over 64 MiB with 413', async () => {
    const { json } = await postToken(server, tokenFields(server.apiKey))
    const tooBig = Buffer.alloc(64 * 1024 * 1024 + 1)
    const answer = await fetch(json.data.ful, { method: 'PUT', body: tooBig })
    expect(answer.status).toBe(413)
    expect(server.uploads).toHaveLength(0)
  })
})
