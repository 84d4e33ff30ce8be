import { mkdir, mkdtemp, readdir, rm, rmdir, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FileLockCompromisedError, FileLockTimeoutError, lockPathOf, removeStaleTempFiles, withFileLock } from '../../src/node/stores/file-lock.js'
import { recoverObjectMembers } from '../../src/node/stores/json-recovery.js'

let dir = ''
let path = ''
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ima-lock-'))
  path = join(dir, 'data.json')
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('withFileLock', () => {
  it('holds <path>.lock while the body runs, and removes it after, even when the body throws', async () => {
    await withFileLock(path, {}, async (lock) => {
      expect(lock.lockPath).toBe(`${path}.lock`)
      expect((await stat(lock.lockPath)).isDirectory()).toBe(true)
      await lock.assertHeld()
    })
    await expect(withFileLock(path, {}, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await readdir(dir)).toEqual([])
  })

  it('runs the holders of one process one at a time, in order', async () => {
    let running = 0
    let most = 0
    const order: number[] = []
    await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        withFileLock(path, {}, async () => {
          running += 1
          most = Math.max(most, running)
          await new Promise((resolve) => setImmediate(resolve))
          order.push(index)
          running -= 1
        }),
      ),
    )
    expect(most).toBe(1)
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  it('removes at once a lock dated in the future instead of waiting for the timeout', async () => {
    await mkdir(lockPathOf(path))
    const nextYear = new Date(Date.now() + 365 * 86_400_000)
    await utimes(lockPathOf(path), nextYear, nextYear)
    const started = performance.now()
    await withFileLock(path, { timeoutMs: 30_000 }, async (lock) => lock.assertHeld())
    expect(performance.now() - started).toBeLessThan(5_000)
  }, 60_000)

  it('respects a fresh lock (a live holder), and says which lock it waited for', async () => {
    await mkdir(lockPathOf(path))
    // A second ahead is a live holder whose clock runs a little fast, not a skewed leftover.
    const soon = new Date(Date.now() + 1_000)
    await utimes(lockPathOf(path), soon, soon)
    const error = await withFileLock(path, { timeoutMs: 200 }, async () => {}).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(FileLockTimeoutError)
    expect(error).toMatchObject({ code: 'file_lock_timeout', path, lockPath: lockPathOf(path) })
    expect((await stat(lockPathOf(path))).isDirectory()).toBe(true)
  })

  it('assertHeld fails once another process took the lock over, and the new holder’s lock is left alone', async () => {
    const error = await withFileLock(path, {}, async (lock) => {
      // What a process that found the lock stale does: remove it and make its own.
      await rmdir(lock.lockPath)
      await mkdir(lock.lockPath)
      const newer = new Date(Date.now() + 500)
      await utimes(lock.lockPath, newer, newer)
      await lock.assertHeld()
    }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(FileLockCompromisedError)
    expect((error as Error).message).toMatch(/taken over by another process.*nothing was written/)
    // Our release did not remove the other process's lock.
    expect((await stat(lockPathOf(path))).isDirectory()).toBe(true)
  })

  it('assertHeld fails when the lock vanished under the holder', async () => {
    const error = await withFileLock(path, {}, async (lock) => {
      await rmdir(lock.lockPath)
      expect(lock.compromised).toBe(false)
      await lock.assertHeld()
    }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(FileLockCompromisedError)
    // The next holder gets the lock at once.
    await withFileLock(path, { timeoutMs: 5_000 }, async (lock) => lock.assertHeld())
  })
})

describe('removeStaleTempFiles', () => {
  it('removes only write-file-atomic temporary files of this file older than the limit', async () => {
    const old = new Date(Date.now() - 120_000)
    const names = ['data.json.2834710592', 'data.json.17', 'data.json.4294967295', 'data.json.corrupt-2026', 'data.json.lock', 'other.json.123', 'data.json.12x']
    for (const name of names) {
      await writeFile(join(dir, name), '')
      await utimes(join(dir, name), old, old)
    }
    await writeFile(join(dir, 'data.json.99'), '') // a live writer's, just made
    const removed = await removeStaleTempFiles(path)
    expect(removed.sort()).toEqual([join(dir, 'data.json.17'), join(dir, 'data.json.2834710592'), join(dir, 'data.json.4294967295')])
    expect((await readdir(dir)).sort()).toEqual(['data.json.12x', 'data.json.99', 'data.json.corrupt-2026', 'data.json.lock', 'other.json.123'])
    expect(await removeStaleTempFiles(join(dir, 'missing-folder', 'x.json'))).toEqual([])
  })
})

describe('recoverObjectMembers', () => {
  it('keeps every whole top-level member of a cut-short object', () => {
    expect(recoverObjectMembers('{"a": {"x": [1, {"y": "}]"}]}, "b": "q\\"uote", "c": {"z": 1')).toEqual({ a: { x: [1, { y: '}]' }] }, b: 'q"uote' })
    expect(recoverObjectMembers('\uFEFF{\n  "a": 1,\n  "b": true,\n  "c": 12')).toEqual({ a: 1, b: true })
    expect(recoverObjectMembers('{"a": 1, "b": 2}garbage')).toEqual({ a: 1, b: 2 })
    expect(recoverObjectMembers('{"a": 1, "b"')).toEqual({ a: 1 })
    expect(recoverObjectMembers('{')).toEqual({})
  })

  it('recovers nothing from what is not an object, and never touches the prototype', () => {
    expect(recoverObjectMembers('[1, 2')).toBeUndefined()
    expect(recoverObjectMembers('')).toBeUndefined()
    const members = recoverObjectMembers('{"__proto__": {"polluted": true}, "x": 1, "cut')
    expect(Object.getPrototypeOf(members)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.keys(members ?? {})).toEqual(['__proto__', 'x'])
  })
})
