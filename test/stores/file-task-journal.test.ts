import { appendFile, mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FileTaskJournal, defaultJournalPath } from '../../src/node/stores/file-task-journal.js'
import type { JournalEntry, JournalState } from '../../src/stores/task-journal.js'
import { fixture, killLeftoverChildren, runTsx, spawnTsx } from '../support/tsx-child.js'

let dir = ''
let path = ''
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ima-journal-'))
  path = join(dir, 'memory', 'ima_tasks.jsonl')
  await mkdir(join(dir, 'memory'))
})
afterEach(async () => {
  killLeftoverChildren()
  await rm(dir, { recursive: true, force: true })
})

const DAY_MS = 86_400_000
// One clock reading for the whole file, so entry() builds equal entries each time it is called.
const NOW = Date.now()
const daysAgo = (days: number) => new Date(NOW - days * DAY_MS).toISOString()

function entry(ref: string, state: JournalState = 'intent', updatedDaysAgo = 0): JournalEntry {
  return {
    ref,
    state,
    taskType: 'text_to_image',
    model: { id: 'midjourney', name: 'Midjourney', version: 'midjourney' },
    attributeId: 1,
    credit: 8,
    n: 1,
    totalCredit: 8,
    parameters: { size: '1k' },
    baseURL: 'https://api.imastudio.com',
    createdAt: daysAgo(updatedDaysAgo + 1),
    updatedAt: daysAgo(updatedDaysAgo),
    ...(state === 'intent' ? {} : { taskId: `task-${ref}` }),
  }
}

const nonBlankLines = async () => (await readFile(path, 'utf8')).split('\n').filter((line) => line.trim() !== '')

describe('FileTaskJournal', () => {
  it('defaults to ~/.openclaw/memory/ima_tasks.jsonl, beside the skills’ preferences', () => {
    expect(new FileTaskJournal().path).toBe(defaultJournalPath())
    expect(defaultJournalPath()).toMatch(/[/\\]\.openclaw[/\\]memory[/\\]ima_tasks\.jsonl$/)
  })

  it('appends one JSON line per put, and reads the last line of each ref', async () => {
    const journal = new FileTaskJournal({ path: join(dir, 'new', 'folder', 'ima_tasks.jsonl') })
    expect(await journal.list()).toEqual([])
    await journal.put(entry('a'))
    await journal.put(entry('b'))
    await journal.put(entry('a', 'created'))
    const lines = (await readFile(journal.path, 'utf8')).split('\n').filter((line) => line !== '')
    expect(lines.map((line) => (JSON.parse(line) as JournalEntry).state)).toEqual(['intent', 'intent', 'created'])
    expect(await journal.get('a')).toEqual(entry('a', 'created'))
    expect((await journal.list()).map((item) => item.ref)).toEqual(['a', 'b'])
    // No lock or temporary file left behind.
    expect(await readdir(join(dir, 'new', 'folder'))).toEqual(['ima_tasks.jsonl'])
  })

  it('skips a truncated last line, and the next put is not swallowed by it', async () => {
    const journal = new FileTaskJournal({ path })
    await journal.put(entry('whole-1'))
    await journal.put(entry('whole-2', 'created'))
    // What a kill in the middle of an append leaves: half a line, no newline.
    const half = JSON.stringify(entry('half', 'created')).slice(0, 60)
    await appendFile(path, half)
    expect((await journal.list()).map((item) => item.ref)).toEqual(['whole-1', 'whole-2'])
    expect(await journal.get('half')).toBeUndefined()

    await journal.put(entry('after', 'unknown'))
    expect(await journal.get('after')).toEqual(entry('after', 'unknown'))
    expect((await journal.list()).map((item) => item.ref).sort()).toEqual(['after', 'whole-1', 'whole-2'])
    // The half line is still there, on a line of its own.
    expect(await nonBlankLines()).toContain(half)
  })

  // A damaged line (a charged task's id in it) was skipped on read and then deleted by the next instance's first compaction, with no copy.
  it('compaction moves a damaged line to <path>.damaged instead of dropping it', async () => {
    const damaged = `${JSON.stringify(entry('paid', 'created')).slice(0, -1)},}`
    await writeFile(path, [JSON.stringify(entry('ok', 'created')), damaged, JSON.stringify(entry('later', 'unknown')), ''].join('\n'))
    const journal = new FileTaskJournal({ path })
    expect((await journal.list()).map((item) => item.ref).sort()).toEqual(['later', 'ok'])
    expect(await journal.compact()).toEqual({ kept: 2, dropped: 0, rewritten: true, movedAside: 1 })
    expect(await readFile(`${path}.damaged`, 'utf8')).toBe(`${damaged}\n`)
    expect(await nonBlankLines()).toEqual([JSON.stringify(entry('ok', 'created')), JSON.stringify(entry('later', 'unknown'))])
    // Another damaged line later is appended beside the first, never over it.
    await appendFile(path, '\n{"ref":"cut')
    expect((await journal.compact()).movedAside).toBe(1)
    expect(await readFile(`${path}.damaged`, 'utf8')).toBe(`${damaged}\n{"ref":"cut\n`)
    expect(await journal.compact()).toEqual({ kept: 2, dropped: 0, rewritten: false, movedAside: 0 })
  })

  it('skips lines that parse but are not entries', async () => {
    await writeFile(path, ['not json', '[1,2]', '{"ref":"x"}', JSON.stringify(entry('ok', 'created')), '{"ref":"y","state":"cancelled"}', ''].join('\n'))
    const journal = new FileTaskJournal({ path })
    expect(await journal.list()).toEqual([entry('ok', 'created')])
  })

  it('compaction keeps pending entries, whatever their age, and drops finished ones older than retentionDays', async () => {
    const journal = new FileTaskJournal({ path, retentionDays: 30 })
    const lines: JournalEntry[] = [
      entry('old-intent', 'intent', 40),
      entry('old-created', 'intent', 41),
      entry('old-created', 'created', 40),
      entry('old-unknown', 'unknown', 400),
      entry('old-succeeded', 'created', 41),
      entry('old-succeeded', 'succeeded', 40),
      entry('old-failed', 'failed', 31),
      entry('old-refused', 'refused', 90),
      entry('recent-succeeded', 'created', 2),
      entry('recent-succeeded', 'succeeded', 1),
      entry('succeeded-then-resumed', 'succeeded', 40),
      entry('succeeded-then-resumed', 'created', 40),
    ]
    const foreign = '{"ref":"from-a-newer-sdk","state":"cancelled","updatedAt":"2020-01-01T00:00:00.000Z"}'
    await writeFile(path, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n{"ref": "cut sho\n${foreign}\n`)

    expect(await journal.compact()).toEqual({ kept: 5, dropped: 3, rewritten: true, movedAside: 1 })
    const refs = (await journal.list()).map((item) => item.ref).sort()
    expect(refs).toEqual(['old-created', 'old-intent', 'old-unknown', 'recent-succeeded', 'succeeded-then-resumed'])
    expect(await journal.get('old-created')).toEqual(entry('old-created', 'created', 40))
    expect(await journal.get('succeeded-then-resumed')).toEqual(entry('succeeded-then-resumed', 'created', 40))
    // One line per entry; the cut line moved aside; a line this SDK does not understand kept for the SDK that wrote it.
    expect(await nonBlankLines()).toHaveLength(6)
    expect(await nonBlankLines()).toContain(foreign)
    // Already compact: not rewritten again.
    expect(await journal.compact()).toEqual({ kept: 5, dropped: 0, rewritten: false, movedAside: 0 })
    expect(await readdir(join(dir, 'memory'))).toEqual(['ima_tasks.jsonl', 'ima_tasks.jsonl.damaged'])
    expect(await readFile(`${path}.damaged`, 'utf8')).toBe('{"ref": "cut sho\n')
  })

  it('compacts by itself at the first put, and when the file grows past 512 KiB', async () => {
    await writeFile(path, `${JSON.stringify(entry('expired', 'succeeded', 60))}\n${JSON.stringify(entry('pending', 'created', 60))}\n`)
    const journal = new FileTaskJournal({ path })
    await journal.put(entry('first'))
    expect((await journal.list()).map((item) => item.ref).sort()).toEqual(['first', 'pending'])

    // Another process's many updates of a few refs.
    const updates = Array.from({ length: 3_000 }, (_, index) => JSON.stringify(entry(`busy-${index % 3}`, 'created'))).join('\n')
    await appendFile(path, `\n${updates}\n`)
    expect((await stat(path)).size).toBeGreaterThan(512 * 1024)
    await journal.put(entry('trigger'))
    expect((await stat(path)).size).toBeLessThan(8 * 1024)
    expect((await journal.list()).map((item) => item.ref).sort()).toEqual(['busy-0', 'busy-1', 'busy-2', 'first', 'pending', 'trigger'])
  })

  it('refuses what is not an entry, and bad options, with a message', async () => {
    const journal = new FileTaskJournal({ path })
    await expect(journal.put({ ref: 'x' } as JournalEntry)).rejects.toThrow(/journal entry/)
    await expect(journal.get('')).rejects.toThrow(/ref/)
    expect(() => new FileTaskJournal({ retentionDays: -1 })).toThrow(/retentionDays/)
    expect(() => new FileTaskJournal({ staleLockMs: 0 })).toThrow(/staleLockMs/)
    expect(() => new FileTaskJournal({ path: '' })).toThrow(/path/)
  })

  it('20 processes putting at once (while this one compacts) lose nothing', async () => {
    const workers = Array.from({ length: 20 }, (_, index) => `worker-${index}`)
    const runs = Promise.all(workers.map((worker) => runTsx(fixture('put-journal-entries.ts'), [path, worker, '5'])))
    // Compactions racing the appends must not drop one.
    const journal = new FileTaskJournal({ path })
    let finished = false
    void runs.finally(() => (finished = true))
    let rewrites = 0
    while (!finished) {
      if ((await journal.compact()).rewritten) rewrites += 1
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    for (const [index, result] of (await runs).entries()) {
      expect(result.code, result.out).toBe(0)
      expect(result.out.trim().split('\n')).toEqual(Array.from({ length: 5 }, (_, n) => `put worker-${index}-${n}`))
    }
    const entries = await journal.list()
    expect(entries).toHaveLength(100)
    expect(entries.every((item) => item.state === 'created' && item.taskId === `task-${item.ref}`)).toBe(true)
    // The race was run: this process rewrote the file while the others appended.
    expect(rewrites).toBeGreaterThan(0)
    expect(await readdir(join(dir, 'memory'))).toEqual(['ima_tasks.jsonl'])
  }, 60_000)

  it('a writer killed with SIGKILL mid-append loses none of its completed entries, and the next put works', async () => {
    const writer = spawnTsx(fixture('put-journal-entries.ts'), [path, 'killed', 'forever'])
    await writer.waitFor(/put killed-19\n/)
    writer.child.kill('SIGKILL')
    await writer.done
    const completed = [...writer.output().matchAll(/^put (\S+)$/gm)].map((match) => match[1] as string)
    expect(completed.length).toBeGreaterThanOrEqual(20)

    // Make the kill "long ago": a lock it may have held looks abandoned (what staleLockMs of real time does).
    const longAgo = new Date(Date.now() - 120_000)
    await utimes(`${path}.lock`, longAgo, longAgo).catch(() => {})
    const journal = new FileTaskJournal({ path })
    const byRef = new Map((await journal.list()).map((item) => [item.ref, item]))
    for (const ref of completed) expect(byRef.get(ref)?.state).toBe('created')

    await journal.put(entry('after-the-kill', 'created'))
    expect(await journal.get('after-the-kill')).toEqual(entry('after-the-kill', 'created'))
    const again = new Map((await journal.list()).map((item) => [item.ref, item]))
    for (const ref of completed) expect(again.get(ref)?.state).toBe('created')
    expect((await readdir(join(dir, 'memory'))).filter((name) => name.endsWith('.lock'))).toEqual([])
  }, 60_000)
})
