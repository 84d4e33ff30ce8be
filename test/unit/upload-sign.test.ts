import { describe, expect, it } from 'vitest'
import { uploadSignature } from 'ima-open-sdk/protocol'
import { createNonce, uploadTokenFields } from '../../src/protocol/upload-sign.js'

describe('upload token signature', () => {
  it('is the upper-case hex SHA-1 of appId|appKey|timestamp|nonce (known vector)', async () => {
    // sha1("webAgent|32jdskjdk320eew|1700000000|0123456789abcdef01234"), computed independently.
    expect(await uploadSignature('webAgent', '32jdskjdk320eew', '1700000000', '0123456789abcdef01234')).toBe(
      'A507298202BBC85A02EC1BF8D150DD23FC023CF3',
    )
  })

  it('builds the 11 fields, with the key in appUid and cmimToken and a fresh 21-hex nonce', async () => {
    const fields = await uploadTokenFields({ apiKey: 'ima_key', extension: 'png', contentType: 'image/png', now: 1_700_000_000_999, nonce: '0123456789abcdef01234' })
    expect(fields).toEqual({
      appUid: 'ima_key',
      appId: 'webAgent',
      appKey: '32jdskjdk320eew',
      cmimToken: 'ima_key',
      timestamp: '1700000000',
      nonce: '0123456789abcdef01234',
      sign: 'A507298202BBC85A02EC1BF8D150DD23FC023CF3',
      fService: 'privite',
      fType: 'picture',
      fSuffix: 'png',
      fContentType: 'image/png',
    })
  })

  it('makes a different 21-character hex nonce every time', () => {
    const nonces = new Set(Array.from({ length: 200 }, createNonce))
    expect(nonces.size).toBe(200)
    for (const nonce of nonces) expect(nonce).toMatch(/^[0-9a-f]{21}$/)
  })
})
