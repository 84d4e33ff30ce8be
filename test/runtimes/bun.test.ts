/**
 * The main entry, built and bundled, run for real by Bun against the local
 * server: create + wait, upload + image_to_image, abort.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startImaServer, type ImaServer } from 'ima-open-sdk/testing'
import { bundleProgram, expectSmokeReport, findBinary, reportOf, runChild, RUNTIME_TEST_TIMEOUT_MS, smokeInput, tempDir } from './support.js'

const platform = `${process.platform}-${process.arch === 'x64' ? 'x64' : 'aarch64'}`
const BUN = findBinary('Bun', [`@oven/bun-${platform}/bin/bun`, `@oven/bun-${platform}-baseline/bin/bun`])
let server: ImaServer
let work: Awaited<ReturnType<typeof tempDir>>
let program: string

beforeAll(async () => {
  work = await tempDir('ima-bun-')
  program = await bundleProgram('cli.ts', work.path, ['bun'])
  server = await startImaServer({ progression: 'polls' })
}, RUNTIME_TEST_TIMEOUT_MS)

afterAll(async () => {
  await server?.close()
  await work?.remove()
})

describe('the main entry in Bun', () => {
  it(
    'creates and waits, uploads bytes and a stream, makes an image_to_image task, and aborts a wait',
    async () => {
      const { input, png } = smokeInput(server, 'bun')
      // The bundle is self-contained: nothing to install, and no .env or bunfig in the temp cwd to pick up.
      const outcome = await runChild(BUN, ['run', '--no-install', program, JSON.stringify(input)], {
        cwd: work.path,
        // A temp home, cache and TMPDIR, and no transpiler cache: nothing is written outside the temp dir.
        env: {
          PATH: process.env.PATH ?? '',
          HOME: work.path,
          TMPDIR: work.path,
          BUN_INSTALL_CACHE_DIR: `${work.path}/bun-cache`,
          BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0',
          NO_COLOR: '1',
          DO_NOT_TRACK: '1',
        },
        timeoutMs: RUNTIME_TEST_TIMEOUT_MS - 10_000,
      })
      const report = reportOf(outcome)
      expect(report.runtime.name).toBe('bun')
      expectSmokeReport(report, server, input, png)
      expect(outcome.stderr).toBe('')
      expect(outcome.code).toBe(0)
    },
    RUNTIME_TEST_TIMEOUT_MS,
  )
})
