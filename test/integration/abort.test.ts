import { spawnSync } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ImaClient } from 'ima-open-sdk'
import { rejectionOf, useImaServer } from './harness.js'

const ima = useImaServer({ progression: 'polls' })

// A server that accepts every request and never answers: only an abort can end a call to it.
let silent: Server
let hanging: ImaClient
beforeAll(async () => {
  silent = createServer(() => {})
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  hanging = new ImaClient({ apiKey: 'ima_local_test_key', baseURL: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, timeout: 600_000 })
})
afterAll(async () => {
  silent.closeAllConnections()
  await new Promise<void>((resolve) => silent.close(() => resolve()))
})

/** Aborts after 20 ms and measures how long the call takes to reject after that. */
async function abortLatency(call: (signal: AbortSignal) => Promise<unknown>): Promise<{ error: Error; latencyMs: number }> {
  const controller = new AbortController()
  const pending = call(controller.signal)
  await new Promise((resolve) => setTimeout(resolve, 20))
  const abortedAt = performance.now()
  controller.abort()
  const error = await rejectionOf(pending)
  return { error, latencyMs: performance.now() - abortedAt }
}

describe('cancellation', () => {
  it.each([
    ['products.list', (signal: AbortSignal) => hanging.products.list('text_to_image', { signal })],
    ['tasks.quote', (signal: AbortSignal) => hanging.tasks.quote({ model: 'MJ', prompt: 'x' }, { signal })],
    ['tasks.create', (signal: AbortSignal) => hanging.tasks.create({ model: 'MJ', prompt: 'x' }, { signal })],
    ['tasks.get', (signal: AbortSignal) => hanging.tasks.get('task_1', { signal })],
    ['generate', (signal: AbortSignal) => hanging.generate({ model: 'MJ', prompt: 'x' }, { signal })],
  ])('%s rejects with an AbortError at once', async (_name, call) => {
    const { error, latencyMs } = await abortLatency(call)
    expect(error.name).toBe('AbortError')
    expect(latencyMs).toBeLessThan(100)
  })

  it('wait and waitFor stop a pending sleep at once', async () => {
    const client = ima.client()
    const task = await client.tasks.create({ model: 'MJ', prompt: 'a castle [never]' })
    const waited = await abortLatency((signal) => client.tasks.wait(task, { intervalMs: 60_000, signal }))
    expect(waited.error.name).toBe('AbortError')
    expect(waited.latencyMs).toBeLessThan(100)
    const iterated = await abortLatency(async (signal) => {
      for await (const _event of client.tasks.waitFor(task, { intervalMs: 60_000, signal })) {
        // keep waiting
      }
    })
    expect(iterated.error.name).toBe('AbortError')
    expect(iterated.latencyMs).toBeLessThan(100)
  })

  it('an already aborted signal sends nothing', async () => {
    const before = ima.server.requests.length
    const error = await rejectionOf(ima.client().products.list('image_to_image', { signal: AbortSignal.abort() }))
    expect(error.name).toBe('AbortError')
    expect(ima.server.requests.length).toBe(before)
  })

  it("says why a signal aborted when its reason says more than that it aborted: a bare abort() is not repeated, a reason or a timeout is named", async () => {
    const messageFor = async (signal: AbortSignal) => (await rejectionOf(ima.client().products.list('image_to_image', { signal }))).message
    expect(await messageFor(AbortSignal.abort())).toBe('The operation was aborted')
    expect(await messageFor(AbortSignal.abort(new Error('the user closed the chat')))).toBe('The operation was aborted: the user closed the chat')
    const timedOut = AbortSignal.timeout(1)
    await new Promise((resolve) => timedOut.addEventListener('abort', resolve, { once: true }))
    expect(await messageFor(timedOut)).toMatch(/^The operation was aborted: .*timeout/)
  })

  it('leaves no timer or socket that keeps the process alive', () => {
    const script = fileURLToPath(new URL('../fixtures/abort-then-exit.ts', import.meta.url))
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 20_000 })
    expect(child.stderr).toBe('')
    expect(child.stdout.trim().split('\n')).toEqual(['wait: AbortError', 'request: AbortError', 'done'])
    expect(child.status).toBe(0)
  })
})
