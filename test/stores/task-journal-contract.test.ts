/**
 * ONE task-journal contract suite (exported from ima-open-sdk/testing) run
 * against every journal: memory, file, and unstorage over its memory driver
 * and a real redis-server started here.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createStorage } from 'unstorage'
import memoryDriver from 'unstorage/drivers/memory'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FileTaskJournal } from '../../src/node/stores/file-task-journal.js'
import { MemoryTaskJournal } from '../../src/stores/task-journal.js'
import { UnstorageTaskJournal } from '../../src/stores/unstorage-task-journal.js'
import { describeTaskJournalContract } from '../../src/testing/task-journal-contract.js'
import { describeOnRedisStorage } from '../support/redis-storage.js'

const api = { describe, it, expect }

let dir = ''
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ima-journal-contract-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describeTaskJournalContract('MemoryTaskJournal', () => new MemoryTaskJournal(), api)

describeTaskJournalContract('FileTaskJournal', () => new FileTaskJournal({ path: join(dir, 'memory', 'ima_tasks.jsonl') }), api, { shared: true })

const memoryStorage = createStorage({ driver: memoryDriver() })
describeTaskJournalContract('UnstorageTaskJournal + memory driver', () => new UnstorageTaskJournal(memoryStorage), api, { shared: true })

describeOnRedisStorage('UnstorageTaskJournal + redis driver', (redis) => {
  describeTaskJournalContract('redis', () => new UnstorageTaskJournal(redis.storage()), api, { shared: true })

  it('keeps one key <prefix><ref> per entry, holding the entry as JSON, and lists only its own prefix', async () => {
    const storage = redis.storage()
    const journal = new UnstorageTaskJournal(storage, { prefix: 'layout:tasks:' })
    const neighbour = new UnstorageTaskJournal(storage, { prefix: 'layout:tasks2:' })
    const entry = {
      ref: 'ima-layout-1',
      state: 'created' as const,
      taskId: 'task-1',
      taskType: 'text_to_image' as const,
      model: { id: 'midjourney', name: 'Midjourney', version: 'midjourney' },
      attributeId: 1,
      credit: 8,
      n: 1,
      totalCredit: 8,
      parameters: {},
      baseURL: 'https://api.imastudio.com',
      createdAt: '2026-02-26T03:07:27.000Z',
      updatedAt: '2026-02-26T03:07:28.000Z',
    }
    await journal.put(entry)
    await neighbour.put({ ...entry, ref: 'ima-layout-2' })
    const { Redis } = await import('ioredis')
    const raw = new Redis(redis.url())
    try {
      expect(JSON.parse((await raw.get('ima-test:layout:tasks:ima-layout-1')) ?? 'null')).toEqual(entry)
    } finally {
      raw.disconnect()
    }
    expect((await journal.list()).map((item) => item.ref)).toEqual(['ima-layout-1'])
    expect(journal.keyOf('a:b/c')).toBe('layout:tasks:a%3Ab%2Fc')
  })
})

describe('the contract suite fails a journal that breaks it', () => {
  it('a claim that counts only an intent as holding its ref (and would let a charged ref be created again)', async () => {
    const tests = new Map<string, () => unknown>()
    const recorder = {
      describe: (_name: string, body: () => void) => body(),
      it: (name: string, test: () => unknown) => void tests.set(name, test),
      expect,
    } as unknown as Parameters<typeof describeTaskJournalContract>[2]
    class IntentOnlyClaims extends MemoryTaskJournal {
      override async claim(entry: Parameters<MemoryTaskJournal['put']>[0]) {
        const held = await this.get(entry.ref)
        if (held?.state === 'intent') return held
        await this.put(entry)
        return undefined
      }
    }
    describeTaskJournalContract('intent-only claims', () => new IntentOnlyClaims(), recorder)
    const claimTest = [...tests].find(([name]) => name.startsWith('claim, when the journal has it: writes'))?.[1]
    expect(claimTest).toBeDefined()
    await expect(Promise.resolve().then(() => claimTest?.())).rejects.toThrow()
    // The journal as shipped passes the same test.
    const sound = new Map<string, () => unknown>()
    describeTaskJournalContract('memory', () => new MemoryTaskJournal(), { ...recorder, it: (name: string, test: () => unknown) => void sound.set(name, test) } as typeof recorder)
    await [...sound].find(([name]) => name.startsWith('claim, when the journal has it: writes'))?.[1]()
  })
})
