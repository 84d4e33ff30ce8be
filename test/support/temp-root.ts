/**
 * Vitest global setup: every test run gets one temporary folder of its own,
 * set as TMPDIR before the workers start, so each `mkdtemp(join(tmpdir(), …))`
 * of a test, and of every child process a test starts (the CLI, workers,
 * runtimes), lands in it — and the whole folder is removed when the run
 * ends. Without it, each run left some 900 folders in the system's /tmp.
 * `IMA_KEEP_TEST_TMP=1` keeps it to look at what a test wrote.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'ima-test-run-'))
  process.env.TMPDIR = root
  return () => {
    if (process.env.IMA_KEEP_TEST_TMP === '1') {
      console.log(`test files kept in ${root}`)
      return
    }
    rmSync(root, { recursive: true, force: true, maxRetries: 3 })
  }
}
