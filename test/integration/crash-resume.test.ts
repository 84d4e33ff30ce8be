import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { fixture, killLeftoverChildren, runTsx, spawnTsx } from '../support/tsx-child.js'
import { useImaServer } from './harness.js'

// The server runs in this process: children are started asynchronously, never with spawnSync, so it can answer them.
const ima = useImaServer({ progression: 'polls' })
const script = fixture('journal-crash.ts')
const folder = mkdtempSync(join(tmpdir(), 'ima-crash-'))
afterEach(killLeftoverChildren)
afterAll(() => rmSync(folder, { recursive: true, force: true }))

function serverEnv(): Record<string, string> {
  return { IMA_BASE_URL: ima.server.url, IMA_IM_BASE_URL: ima.server.uploadURL, IMA_API_KEY: ima.server.apiKey }
}

function lastJsonLine(out: string): unknown {
  return JSON.parse(out.trim().split('\n').at(-1) ?? 'null')
}

describe('a crash during the wait', () => {
  it('a second process with the same file journal resumes the task and gets the image; one create on the server', { timeout: 90_000 }, async () => {
    const journal = join(folder, 'ima_tasks.jsonl')
    const before = ima.server.tasks.length
    const creator = spawnTsx(script, ['create', journal], { env: serverEnv() })
    const [, taskId] = await creator.waitFor(/created (\S+)/)
    creator.child.kill('SIGKILL')
    expect((await creator.done).signal).toBe('SIGKILL')

    const resumed = await runTsx(script, ['resume', journal], { env: serverEnv() })
    expect(resumed.code, resumed.out).toBe(0)
    expect(lastJsonLine(resumed.out)).toEqual([{ taskId, url: expect.stringContaining(taskId as string) }])
    expect(ima.server.tasks.length).toBe(before + 1)
    expect(ima.server.tasks.at(-1)?.id).toBe(taskId)

    // The journal now says it succeeded: a third process has nothing left to resume.
    const again = await runTsx(script, ['resume', journal], { env: serverEnv() })
    expect(lastJsonLine(again.out)).toEqual([])
  })
})
