/**
 * The SDK follows no redirect: an API call, the upload-token request and the
 * upload PUT each refuse a 3xx with a typed error that names where it
 * pointed, are not retried, and send nothing to the redirect's target — a
 * followed 307 would re-send the Authorization header, the token form (which
 * holds the API key as appUid/cmimToken) or the bytes to a host this client
 * never agreed to.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { CreateOutcomeUnknownError, ImaClient, ResponseValidationError } from 'ima-open-sdk'
import { startPlainServer, type PlainServer } from '../support/plain-server.js'
import { rejectionOf, useImaServer } from './harness.js'

const ima = useImaServer({ progression: 'polls' })
const KEY = 'ima_redirect_test_key_0123456789'
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array<number>(200).fill(7)])

const servers: PlainServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

/** A target that must never be reached, and a host that redirects every request to it with `status`. */
async function redirectPair(status: number): Promise<{ target: PlainServer; redirector: PlainServer }> {
  const target = await startPlainServer((_request, response) => response.end('{"code":0,"message":"ok","data":{"ful":"x","fdl":"y"}}'))
  const redirector = await startPlainServer((request, response) => {
    response.writeHead(status, { location: `${target.url}${request.url ?? '/'}` })
    response.end()
  })
  servers.push(target, redirector)
  return { target, redirector }
}

describe('API calls never follow a redirect', () => {
  it.each([301, 302, 307, 308])('products.list answered %i: a ResponseValidationError naming the origin and baseURL, sent once', async (status) => {
    const { target, redirector } = await redirectPair(status)
    const client = new ImaClient({ apiKey: KEY, baseURL: redirector.url, maxRetries: 2 })
    const error = await rejectionOf(client.products.list('text_to_image'))
    expect(error).toBeInstanceOf(ResponseValidationError)
    expect(error.message).toContain(`a redirect (${status}) to ${target.url}, which was not followed`)
    expect(error.message).toContain('check baseURL')
    expect(redirector.requests).toHaveLength(1)
    expect(target.requests).toEqual([])
  })

  it('a create answered 307 is not re-sent anywhere: its outcome is unknown, and the target gets nothing', async () => {
    const { target, redirector } = await redirectPair(307)
    const CREATE = '/open/v1/tasks/create'
    // The product list comes from the real local server; only the create meets the redirecting host (over real HTTP).
    const fetch: typeof globalThis.fetch = (input, init) =>
      String(input).endsWith(CREATE) ? globalThis.fetch(`${redirector.url}${CREATE}`, init) : globalThis.fetch(input, init)
    const error = await rejectionOf(ima.client({ fetch }).tasks.create({ model: 'MJ', prompt: 'a castle' }))
    expect(error).toBeInstanceOf(CreateOutcomeUnknownError)
    expect((error as CreateOutcomeUnknownError).cause).toBeInstanceOf(ResponseValidationError)
    expect(redirector.requests.map((request) => request.url)).toEqual([CREATE])
    expect(target.requests).toEqual([])
  })
})

describe('the upload-token request never follows a redirect', () => {
  it.each(['POST', 'GET'] as const)('by %s: the key-bearing fields reach the token host once and the redirect target never', async (method) => {
    const { target, redirector } = await redirectPair(307)
    const client = new ImaClient({ apiKey: KEY, uploadBaseURL: redirector.url, uploadTokenMethod: method, maxRetries: 2 })
    const error = await rejectionOf(client.uploads.put(PNG))
    expect(error).toBeInstanceOf(ResponseValidationError)
    expect(error.message).toMatch(/the upload host answered a redirect \(307\) to http:\/\/127\.0\.0\.1:\d+, which was not followed/)
    expect(error.message).toContain('check uploadBaseURL')
    expect(error.message).not.toContain(KEY)
    // The fields really were sent (to the token host, once): the check above is not vacuous.
    expect(redirector.requests).toHaveLength(1)
    expect(method === 'POST' ? redirector.requests[0]!.body : redirector.requests[0]!.url).toContain(`appUid=${KEY}`)
    expect(target.requests).toEqual([])
  })
})
