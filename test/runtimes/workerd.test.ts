/**
 * The main entry, built and bundled, run for real by workerd (Cloudflare
 * Workers' runtime, through miniflare) against the local server: create +
 * wait, upload + image_to_image, abort. No `nodejs_compat`: the core must not
 * need it.
 */
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startImaServer, type ImaServer } from 'ima-open-sdk/testing'
import type { SmokeReport } from './fixtures/smoke.js'
import { bundleProgram, expectSmokeReport, RUNTIME_TEST_TIMEOUT_MS, smokeInput, tempDir } from './support.js'

// Recent, so the worker gets today's runtime behaviour; not past the installed workerd's own date, which it refuses.
const COMPATIBILITY_DATE = '2026-04-01'
let server: ImaServer
let work: Awaited<ReturnType<typeof tempDir>>
let scriptPath: string
let mf: Miniflare | undefined

beforeAll(async () => {
  work = await tempDir('ima-workerd-')
  // Wrangler's conditions for a Workers bundle.
  scriptPath = await bundleProgram('worker.ts', work.path, ['workerd', 'worker', 'browser'])
  server = await startImaServer({ progression: 'polls' })
}, RUNTIME_TEST_TIMEOUT_MS)

afterAll(async () => {
  await mf?.dispose()
  await server?.close()
  await work?.remove()
})

describe('the main entry in workerd', () => {
  it(
    'creates and waits, uploads bytes and a stream, makes an image_to_image task, and aborts a wait',
    async () => {
      const { input, png } = smokeInput(server, 'workerd')
      // The worker's fetch goes out through miniflare's default network service, which allows private addresses such as 127.0.0.1.
      // `modules: true` with a path: miniflare finds the worker's import of the SDK bundle next to it (a .mjs, so an ES module).
      mf = new Miniflare({ modules: true, scriptPath, modulesRoot: work.path, compatibilityDate: COMPATIBILITY_DATE, compatibilityFlags: [] })
      const response = await mf.dispatchFetch('http://worker.local/smoke', { method: 'POST', body: JSON.stringify(input) })
      const text = await response.text()
      expect(response.status, text).toBe(200)
      const report = JSON.parse(text) as SmokeReport
      expect(report.runtime.name).toBe('Cloudflare-Workers')
      expectSmokeReport(report, server, input, png)
    },
    RUNTIME_TEST_TIMEOUT_MS,
  )

  it(
    'two requests waiting on one task with one global client: the one left waiting finishes when the other stops',
    async () => {
      const { input } = smokeInput(server, 'workerd-shared')
      mf ??= new Miniflare({ modules: true, scriptPath, modulesRoot: work.path, compatibilityDate: COMPATIBILITY_DATE, compatibilityFlags: [] })
      const created = await mf.dispatchFetch('http://worker.local/shared/create', { method: 'POST', body: JSON.stringify(input) })
      const id = await created.text()
      expect(created.status, id).toBe(200)
      // A stops after 60 ms (its own signal), before its 4th poll; B, started 20 ms later, waits on: in workerd each request's I/O is its own.
      const first = mf.dispatchFetch(`http://worker.local/shared/wait?id=${id}&stopAfter=60`)
      await new Promise((resolve) => setTimeout(resolve, 20))
      const second = mf.dispatchFetch(`http://worker.local/shared/wait?id=${id}`)
      const [a, b] = await Promise.all([first, second])
      expect([a.status, await a.text()]).toEqual([500, 'AbortError'])
      expect(b.status).toBe(200)
      expect(await b.text()).toBe(`${server.url}/files/${id}/0.png`)
    },
    RUNTIME_TEST_TIMEOUT_MS,
  )
})
