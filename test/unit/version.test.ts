import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { SDK_VERSION } from 'ima-open-sdk'

describe('SDK_VERSION', () => {
  it('equals the version in package.json (it goes into User-Agent)', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
    expect(SDK_VERSION).toBe(manifest.version)
  })
})
