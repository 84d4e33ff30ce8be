/**
 * `startImaServer({ cors: true })`: a web app's calls from a page or a worker
 * pass the browser's CORS checks, as a browser makes them — a preflight for
 * every API call (it sends `authorization` and the `x-app-*` headers), then
 * the call itself, whose answer must allow the page's origin.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { ImaClient } from 'ima-open-sdk'
import { startImaServer, type ImaServer } from '../../src/testing/index.js'

const ORIGIN = 'http://app.localhost:5173'
const PRODUCT_LIST = '/open/v1/product/list?app=ima&platform=web&category=text_to_image'

/** The preflight a browser sends before the SDK's product-list call. */
function preflight(server: ImaServer, path = PRODUCT_LIST): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'OPTIONS',
    headers: { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization,x-app-source,x_app_language' },
  })
}

describe('the local server and browsers (CORS)', () => {
  let server: ImaServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  it('with cors: true a preflight is allowed (its headers echoed, not recorded) and every answer allows the origin', async () => {
    server = await startImaServer({ cors: true, taskDurationMs: 100 })
    const asked = await preflight(server)
    expect(asked.status).toBe(204)
    expect(Object.fromEntries(['access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers'].map((name) => [name, asked.headers.get(name)]))).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, HEAD, POST, PUT, OPTIONS',
      'access-control-allow-headers': 'authorization,x-app-source,x_app_language',
    })
    expect(server.requests).toEqual([])

    // The calls themselves, through the SDK: the API, the upload host's PUT and the CDN all allow the origin.
    const seen: string[] = []
    const ima = new ImaClient({
      ...server.clientOptions,
      fetch: async (input, init) => {
        const answer = await fetch(input, init)
        seen.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname} ${answer.headers.get('access-control-allow-origin')}`)
        return answer
      },
    })
    const result = await ima.generate({ model: 'NB2', prompt: 'a fox seen from a page', inputImages: [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0])] })
    expect(seen.length).toBeGreaterThan(3)
    expect(seen.every((line) => line.endsWith(' *')), seen.join('\n')).toBe(true)
    expect(seen.some((line) => line.startsWith('PUT '))).toBe(true)
    expect((await fetch(result.url, { headers: { origin: ORIGIN } })).headers.get('access-control-allow-origin')).toBe('*')
    // An injected fault's answer allows it too, so the page sees the status, not "Failed to fetch".
    server.injectFault({ path: '/open/v1/product/list', kind: 'status', status: 429, retryAfter: '3' })
    const limited = await fetch(`${server.url}${PRODUCT_LIST}`, { headers: { origin: ORIGIN } })
    expect([limited.status, limited.headers.get('access-control-allow-origin'), limited.headers.get('access-control-expose-headers')]).toEqual([429, '*', 'retry-after'])
  })

  it('off by default: a preflight is not allowed and no answer names an origin', async () => {
    server = await startImaServer()
    const asked = await preflight(server)
    expect(asked.status).not.toBe(204)
    expect(asked.headers.get('access-control-allow-origin')).toBeNull()
    await expect(startImaServer({ cors: 'yes' as unknown as boolean })).rejects.toThrow('ImaServerOptions.cors must be true or false, got yes')
  })
})
