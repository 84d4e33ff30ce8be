/**
 * A platform fetch that insists on being called as a plain function, as
 * Cloudflare's workerd does ("Illegal invocation" when `this` is anything
 * else). Every request the client makes — JSON calls, the upload token, the
 * PUT — must call it that way.
 */
import { describe, expect, it } from 'vitest'
import { useImaServer } from './harness.js'

const ima = useImaServer({ taskDurationMs: 0 })

/** Throws like workerd when called as a method of some object. */
const strictFetch: typeof globalThis.fetch = function (this: unknown, input, init) {
  if (this !== undefined && this !== globalThis) throw new TypeError('Illegal invocation: function called with incorrect `this` reference')
  return globalThis.fetch(input, init)
}

describe('a fetch that must be called unbound', () => {
  it('serves a create, a wait and an upload of bytes', async () => {
    const client = ima.client({ fetch: strictFetch })
    const png = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg=='), (c) => c.charCodeAt(0))
    const { url } = await client.uploads.put(png)
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//)
    const result = await client.generate({ model: 'doubao-seedream-4.5', prompt: 'a fox', inputImages: [url], intervalMs: 1 })
    expect(result.url).toMatch(/^http/)
  })
})
