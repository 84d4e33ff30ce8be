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
})
