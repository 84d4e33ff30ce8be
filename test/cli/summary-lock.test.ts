/**
 * The batch's summary lock, in-process: a stale lock whose owner still runs
 * on this machine (stopped with Ctrl-Z, asleep) is not taken, a dead
 * owner's is, and a run whose lock was taken all the same is told to stop.
 * Also the command line an interrupted batch prints: never a secret.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as realPause } from 'node:timers/promises'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { sameCommand } from '../../src/cli/batch/same-command.js'
import { lockSummary, SummaryLockedError } from '../../src/cli/batch/summary-lock.js'

let home = ''
let counter = 0
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ima-lock-'))
})
afterAll(() => rm(home, { recursive: true, force: true }))
afterEach(() => vi.useRealTimers())

const summaryPath = () => join(home, `run-${(counter += 1)}`, 'summary.jsonl')

/** A lock left unrefreshed for a minute (stale for proper-lockfile), owned by `pid` on this machine. */
async function staleLock(path: string, pid: number): Promise<void> {
  await mkdir(`${path}.lock`, { recursive: true })
  const minuteAgo = new Date(Date.now() - 60_000)
  await utimes(`${path}.lock`, minuteAgo, minuteAgo)
  await writeFile(`${path}.lock-owner`, JSON.stringify({ pid, host: hostname() }))
}

/** The pid of a process that has ended. */
function endedPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' })
  return Number(child.stdout.trim())
}

describe('lockSummary', () => {
  it('a second lock of one summary is refused; after the release it is free again', async () => {
    const path = summaryPath()
    const held = await lockSummary(path)
    await expect(lockSummary(path)).rejects.toBeInstanceOf(SummaryLockedError)
    await held.release()
    expect(existsSync(`${path}.lock`)).toBe(false)
    expect(existsSync(`${path}.lock-owner`)).toBe(false)
    await (await lockSummary(path)).release()
  })

  it('a stale lock whose owner still runs on this machine is not taken, and the refusal names the owner', async () => {
    const path = summaryPath()
    // A process whose command line is a batch's (`… batch …`), stopped or asleep as far as the lock can tell.
    const owner = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)', 'batch', 'prompts.jsonl'], { stdio: 'ignore' })
    try {
      await staleLock(path, owner.pid ?? 0)
      const refusal = await lockSummary(path).catch((error: unknown) => error)
      expect(refusal).toBeInstanceOf(SummaryLockedError)
      expect((refusal as SummaryLockedError).pid).toBe(owner.pid)
      expect(existsSync(`${path}.lock`)).toBe(true)
    } finally {
      owner.kill()
    }
  })

  it.runIf(existsSync('/proc/self/cmdline'))('a stale lock whose pid now belongs to another program is taken', async () => {
    const path = summaryPath()
    // The parent of this test process runs, and is no batch: a killed run's pid given to someone else.
    await staleLock(path, process.ppid)
    const held = await lockSummary(path)
    await held.release()
  })

  it("a stale lock of a run that ended is taken, and the owner file becomes this run's", async () => {
    const path = summaryPath()
    await staleLock(path, endedPid())
    const held = await lockSummary(path)
    expect(held.lost.aborted).toBe(false)
    await held.release()
    expect(existsSync(`${path}.lock`)).toBe(false)
  })

  it('a lock taken by another run all the same aborts `lost`, and the release leaves the other run its lock', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const path = summaryPath()
    const held = await lockSummary(path)
    // Another machine's run found it stale and took it: a new lock directory, another mtime.
    await rm(`${path}.lock`, { recursive: true })
    await mkdir(`${path}.lock`)
    const past = new Date(Date.now() - 30_000)
    await utimes(`${path}.lock`, past, past)
    await writeFile(`${path}.lock-owner`, JSON.stringify({ pid: 1, host: 'elsewhere' }))
    for (let step = 0; step < 100 && !held.lost.aborted; step += 1) {
      await vi.advanceTimersByTimeAsync(1_000)
      // The lock's check is file-system work, real I/O that fake time does not hurry: on a loaded machine a tick is not enough.
      await realPause(5)
    }
    expect(held.lost.aborted).toBe(true)
    await held.release()
    expect(existsSync(`${path}.lock`)).toBe(true)
    expect(existsSync(`${path}.lock-owner`)).toBe(true)
  })
})

describe('sameCommand', () => {
  it('leaves out the key and a URL password, and quotes what the shell would split', () => {
    expect(sameCommand(['batch', 'a b.jsonl', '--api-key', 'ima_secret', '--queue', 'redis://:s3cr3tPW@127.0.0.1:6379/2', '--yes'])).toBe(
      "ima batch 'a b.jsonl' --queue redis://:…@127.0.0.1:6379/2 --yes",
    )
    expect(sameCommand(['batch', 'x.jsonl', '--api-key=ima_secret', '--queue=rediss://worker:pa%40ss@redis.example:6380'])).toBe('ima batch x.jsonl --queue=rediss://worker:…@redis.example:6380')
    expect(sameCommand(['batch', 'x.jsonl', '--queue', 'redis://127.0.0.1:6379'])).toBe('ima batch x.jsonl --queue redis://127.0.0.1:6379')
  })
})
