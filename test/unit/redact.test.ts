import { describe, expect, it } from 'vitest'
import { excerptOf, REDACTED, redactSecrets, redactUrlCredentials } from '../../src/internal/redact.js'

const KEY = 'ima_CANARY_live_9f3b7c1d5e2a8f6b'

describe('redactSecrets', () => {
  it.each([
    ['the whole key', `refused ${KEY}`, `refused ${REDACTED}`],
    ['the key upper-cased', `REFUSED ${KEY.toUpperCase()}`, `REFUSED ${REDACTED}`],
    ['the secret part without its prefix', `token CANARY_live_9f3b7c1d5e2a8f6b refused`, `token ${REDACTED} refused`],
    ['the secret part in another case', `token canary_LIVE_9F3B7C1D5E2A8F6B`, `token ${REDACTED}`],
    ['a key-looking word, in any case', 'ima_other_key1 and IMA_OTHER_KEY2', `${REDACTED} and ${REDACTED}`],
    ['a Bearer token', 'authorization: Bearer abc.def', `authorization: Bearer ${REDACTED}`],
  ])('removes %s', (_what, text, expected) => {
    expect(redactSecrets(text, [KEY])).toBe(expected)
  })

  it('removes a key of another shape echoed URL-encoded, whole or in another case', () => {
    const key = 'sk-Live/Abc+Def=9f3b7c1d'
    expect(redactSecrets(`bad key ${encodeURIComponent(key)} (from ?key=${encodeURIComponent(key)})`, [key])).toBe(`bad key ${REDACTED} (from ?key=${REDACTED})`)
    expect(redactSecrets(`bad key ${encodeURIComponent(key).toLowerCase()}`, [key])).toBe(`bad key ${REDACTED}`)
    expect(redactSecrets(`bad key ${key}`, [key])).toBe(`bad key ${REDACTED}`)
  })

  it('keeps the name of an environment variable at the end of a sentence', () => {
    expect(redactSecrets('no model fits: raise IMA_MAX_CREDITS.', [KEY])).toBe('no model fits: raise IMA_MAX_CREDITS.')
    expect(redactSecrets('set IMA_API_KEY.', [KEY])).toBe('set IMA_API_KEY.')
    expect(redactSecrets('key ima_live_abcdef12.', [KEY])).toBe(`key ${REDACTED}`)
  })

  it('keeps the names of environment variables and ordinary text', () => {
    const text = 'set IMA_API_KEY, IMA_BASE_URL or IMA_IM_BASE_URL; see https://www.imaclaw.ai/imaclaw/apikey'
    expect(redactSecrets(text, [KEY])).toBe(text)
    expect(redactSecrets('IMA_API_KEY=ima_abcd1234')).toBe(`IMA_API_KEY=${REDACTED}`)
  })

  it('removes the secret part alone only when it is long enough to be safe', () => {
    // 'short12' (7 characters) would shred ordinary text; the whole key is still removed.
    expect(redactSecrets('short12 and ima_short12', ['ima_short12'])).toBe(`short12 and ${REDACTED}`)
    expect(redactSecrets('nothing here', ['', undefined, 'abc'])).toBe('nothing here')
  })

  it('cuts a query string holding the key whole', () => {
    expect(redactSecrets(`GET https://cdn.example/a.png?token=${KEY}&x=1 failed`, [KEY])).toBe(`GET https://cdn.example/a.png?${REDACTED} failed`)
  })
})

describe('redactUrlCredentials', () => {
  it.each([
    ['userinfo', 'via http://bob:hunter2@proxy.example:3128 refused', `via http://${REDACTED}@proxy.example:3128 refused`],
    ['userinfo without a scheme', 'to //bob:hunter2@host/path', `to //${REDACTED}@host/path`],
    ['a signed query', 'PUT https://oss.example/u.png?X-Amz-Signature=abc&X-Amz-Credential=def', `PUT https://oss.example/u.png?${REDACTED}`],
    ['a fragment', 'https://app.example/cb#access_token=abc', `https://app.example/cb?${REDACTED}`],
    ['both, in JSON', '{"url":"https://u:p@x.example/y?sig=1"}', `{"url":"https://${REDACTED}@x.example/y?${REDACTED}"}`],
    ['a query before sentence punctuation', '(see https://x.example/y?sig=1).', `(see https://x.example/y?${REDACTED}).`],
  ])('cuts %s', (_what, text, expected) => {
    expect(redactUrlCredentials(text)).toBe(expected)
  })

  it('leaves URLs without credentials as they are', () => {
    const text = '[POST /open/v1/tasks/detail] https://api.imastudio.com/open/v1/tasks/detail: ECONNRESET'
    expect(redactUrlCredentials(text)).toBe(text)
  })

  it('stays linear on long runs of punctuation or slashes', () => {
    const started = performance.now()
    redactSecrets(`http://x.example/?${'.'.repeat(100_000)}a`)
    redactSecrets('//'.repeat(50_000))
    redactSecrets(`${'ima_'.repeat(25_000)}`)
    expect(performance.now() - started).toBeLessThan(1_000)
  })
})

describe('excerptOf', () => {
  it('redacts before cutting, so a key at the cut is not left in pieces', () => {
    const body = `${'x'.repeat(190)} ${KEY}`
    const excerpt = excerptOf(body, [KEY])
    expect(excerpt).not.toContain(KEY.slice(4, 12))
    expect(excerpt.endsWith('…')).toBe(true)
  })
})
