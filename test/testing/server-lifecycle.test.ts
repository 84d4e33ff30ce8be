import { request as httpRequest, Agent } from 'node:http'
import { describe, expect, it } from 'vitest'
import { startImaServer } from '../../src/testing/index.js'
import { resolveServerOptions } from '../../src/testing/server-options.js'
import type { ServerProductNode } from '../../src/testing/index.js'
import { apiHeaders, request } from './local-http.js'

describe('local IMA server: options and faults that could never apply are refused', () => {
  it('a fault of no kind, without what its kind needs, or on a path that never matches', async () => {
    const server = await startImaServer()
    try {
      const refusals: Array<[object, RegExp]> = [
        [{ kind: 'explode' }, /kind "explode" is not a fault; the kinds are status, reset-before, reset-after, delay, malformed, hang/],
        [{ kind: 'status' }, /a status fault needs status \(a number\)/],
        [{ kind: 'delay' }, /a delay fault needs ms/],
        [{ kind: 'malformed' }, /a malformed fault needs body/],
        [{ kind: 'hang', path: '/open/v1/tasks/create/' }, /never matches/],
        [{ kind: 'hang', path: '/open/v1/product/list?app=ima' }, /never matches/],
        [{ kind: 'hang', path: `${server.url}/open/v1/tasks/create` }, /never matches: give the request's path alone/],
        // These parsed, then never happened as written: a 99 became a generic 500, FETCH matched nothing.
        [{ kind: 'status', status: 99 }, /status 99 is not an HTTP status: give a whole number from 100 to 599/],
        [{ kind: 'status', status: 503.5 }, /status 503.5 is not an HTTP status/],
        [{ kind: 'hang', method: 'FETCH' }, /method "FETCH" never matches: the server is sent GET, POST, PUT, HEAD/],
        [{ kind: 'delay', ms: -5 }, /ms -5 must be a delay of 0 ms or more/],
        [{ kind: 'delay', ms: Number.NaN }, /ms NaN must be a delay/],
        [{ kind: 'hang', times: 1.5 }, /times 1.5 must be a whole number of requests, 1 or more \(Infinity for every request\)/],
      ]
      for (const [rule, message] of refusals) expect(() => server.injectFault(rule as never), JSON.stringify(rule)).toThrow(message)
      expect(() => server.injectFault({ kind: 'status', status: 503, path: '/open/v1/tasks/create' })).not.toThrow()
      expect(() => server.injectFault({ kind: 'hang', method: 'put', times: Number.POSITIVE_INFINITY })).not.toThrow()
    } finally {
      await server.close()
    }
    await expect(startImaServer({ faults: [{ kind: 'delay' } as never] })).rejects.toThrow(/ImaServerOptions\.faults: a delay fault needs ms/)
  })

  it('takes [::1] as a URL writes it, and listens on ::1', () => {
    // Not started here: a CI machine may have no IPv6 loopback.
    expect(resolveServerOptions({ host: '[::1]' }).host).toBe('::1')
    expect(resolveServerOptions({ host: '127.0.0.1' }).host).toBe('127.0.0.1')
  })
})

describe('local IMA server: lifecycle', () => {
  // A pending delay fault's timer outlived close(), so a test runner's process stayed up for the whole delay.
  it('close() ends a pending delay fault: the process exits at once, not after the delay', async () => {
    const script = `
      import { startImaServer } from ${JSON.stringify(new URL('../../src/testing/index.ts', import.meta.url).href)}
      const server = await startImaServer()
      server.injectFault({ kind: 'delay', ms: 120000 })
      const pending = fetch(server.url + '/open/v1/product/list').then(() => 'answered', () => 'dropped')
      await new Promise((resolve) => setTimeout(resolve, 100))
      await server.close()
      console.log(await pending)
    `
    const { spawn } = await import('node:child_process')
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(code).toBe(0)
    expect(out.trim()).toBe('dropped')
  }, 60_000)

  it('close() resolves while keep-alive connections are open', async () => {
    const server = await startImaServer()
    const agent = new Agent({ keepAlive: true })
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${server.url}/open/v1/product/list?app=ima&platform=web&category=text_to_image`, {
        agent,
        headers: apiHeaders(server.apiKey),
      })
      req.on('response', (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      })
      req.on('error', reject)
      req.end()
    })
    expect(status).toBe(200)
    // Also leave a fetch (undici) keep-alive socket behind.
    await request(server, 'GET', '/open/v1/product/list?app=ima&platform=web&category=image_to_image')
    await expect(server.close()).resolves.toBeUndefined()
    await expect(server.close()).resolves.toBeUndefined()
    agent.destroy()
  })

  it('reset() keeps the same arrays and restores balances', async () => {
    const server = await startImaServer({ apiKeys: { ima_one: 50 } })
    try {
      const requests = server.requests
      server.setBalance('ima_one', 3)
      await request(server, 'GET', '/nowhere')
      expect(requests).toHaveLength(1)
      server.reset()
      expect(server.requests).toBe(requests)
      expect(requests).toHaveLength(0)
      expect(server.balance('ima_one')).toBe(50)
    } finally {
      await server.close()
    }
  })

  it('answers 413 for an oversized JSON body and survives garbage', async () => {
    const server = await startImaServer()
    try {
      const big = await request(server, 'POST', '/open/v1/tasks/create', { rawBody: 'x'.repeat(2 * 1024 * 1024) })
      expect(big.status).toBe(413)
      const garbage = await request(server, 'POST', '/open/v1/tasks/detail', { rawBody: '\u0000\u0001' })
      expect(garbage.status).toBe(400)
      const ok = await request(server, 'GET', '/open/v1/product/list?app=ima&platform=web&category=text_to_image')
      expect(ok.status).toBe(200)
    } finally {
      await server.close()
    }
  })

  it('turns an exception in a handler into a 500 envelope and keeps serving', async () => {
    // A rule without attributes makes the create check throw: the listener must not crash.
    const broken = [
      { id: 'v1', type: '3', name: 'Broken', model_id: 'broken', credit_rules: [{ attribute_id: 1, points: 1, attributes: null }] },
    ] as unknown as ServerProductNode[]
    const server = await startImaServer({ catalog: { text_to_image: broken } })
    try {
      const answer = await request(server, 'POST', '/open/v1/tasks/create', {
        body: {
          task_type: 'text_to_image',
          parameters: [
            {
              attribute_id: 1,
              model_id: 'broken',
              model_name: 'Broken',
              model_version: 'v1',
              credit: 1,
              parameters: { prompt: 'x', cast: { points: 1, attribute_id: 1 } },
            },
          ],
        },
      })
      expect(answer.status).toBe(500)
      expect(answer.json).toEqual({ code: 500, message: 'internal error', data: null })
      expect(server.requests.at(-1)?.status).toBe(500)
      const ok = await request(server, 'GET', '/open/v1/product/list?app=ima&platform=web&category=image_to_image')
      expect(ok.status).toBe(200)
    } finally {
      await server.close()
    }
  })

  it('rejects bad options at start', async () => {
    await expect(startImaServer({ apiKeys: {} })).rejects.toThrow()
    await expect(startImaServer({ maxImageSide: 0 })).rejects.toThrow()
    // A misspelt category was ignored, and the test ran on the default tree without a word.
    await expect(startImaServer({ catalog: { text_to_iamge: [] } as never })).rejects.toThrow(
      /^ImaServerOptions\.catalog: "text_to_iamge" is not a category; the categories are text_to_image, image_to_image$/,
    )
    await expect(startImaServer({ catalog: { text_to_image: { id: 'x' } } as never })).rejects.toThrow(/ImaServerOptions\.catalog\.text_to_image must be an array of product nodes/)
    await expect(startImaServer({ catalog: [] as never })).rejects.toThrow(/ImaServerOptions\.catalog must be an object of product trees by category/)
  })
})
