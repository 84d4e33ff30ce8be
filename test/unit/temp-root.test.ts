import { tmpdir } from 'node:os'
import { basename } from 'node:path'
import { expect, it } from 'vitest'

// The global setup (test/support/temp-root.ts) points TMPDIR at a folder of this run's own, which it removes at the end.
it('tests write their temporary files in the run folder', () => {
  expect(basename(tmpdir())).toMatch(/^ima-test-run-/)
})
