/**
 * The main entry, built and bundled, run for real by Deno against the local
 * server: create + wait, upload + image_to_image, abort.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startImaServer, type ImaServer } from 'ima-open-sdk/testing'
import { bundleProgram, expectSmokeReport, findBinary, reportOf, runChild, RUNTIME_TEST_TIMEOUT_MS, smokeInput, tempDir } from './support.js'

const DENO = findBinary('Deno', ['deno/deno', `@deno/${process.platform}-${process.arch}-glibc/deno`, `@deno/${process.platform}-${process.arch}/deno`])
let server: ImaServer
let work: Awaited<ReturnType<typeof tempDir>>
let program: string

beforeAll(async () => {
  work = await tempDir('ima-deno-')
  program = await bundleProgram('cli.ts', work.path, ['deno'])
  server = await startImaServer({ progression: 'polls' })
}, RUNTIME_TEST_TIMEOUT_MS)

afterAll(async () => {
  await server?.close()
  await work?.remove()
})

describe('the main entry in Deno', () => {
  it(
    'creates and waits, uploads bytes and a stream, makes an image_to_image task, and aborts a wait',
    async () => {
      const { input, png } = smokeInput(server, 'deno')
      const { port } = new URL(server.url)
      const outcome = await runChild(
        DENO,
        [
          'run',
          // The bundle is self-contained: no config, lockfile, npm or remote modules to look for.
          '--no-config',
          '--no-lock',
          '--no-remote',
          '--no-npm',
          '--no-prompt',
          // Only the local server: a permission the SDK lacked would fail here as it would for a user.
          `--allow-net=127.0.0.1:${port}`,
          program,
          JSON.stringify(input),
        ],
        {
          cwd: work.path,
          // A temp home and DENO_DIR: nothing is written outside the temp dir.
          env: { PATH: process.env.PATH ?? '', HOME: work.path, TMPDIR: work.path, DENO_DIR: `${work.path}/deno-dir`, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
          timeoutMs: RUNTIME_TEST_TIMEOUT_MS - 10_000,
        },
      )
      const report = reportOf(outcome)
      expect(report.runtime.name).toBe('deno')
      expectSmokeReport(report, server, input, png)
      expect(outcome.stderr).toBe('')
      expect(outcome.code).toBe(0)
    },
    RUNTIME_TEST_TIMEOUT_MS,
  )
})
