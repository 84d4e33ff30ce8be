/**
 * ONE contract suite (exported from ima-open-sdk/testing) run against every
 * preference store: memory, file, and unstorage over its memory, fs and
 * redis drivers. The Redis run uses a real redis-server started here.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createStorage, type Storage } from 'unstorage'
import fsDriver from 'unstorage/drivers/fs'
import memoryDriver from 'unstorage/drivers/memory'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MemoryPreferenceStore } from 'ima-open-sdk'
import { FilePreferenceStore } from 'ima-open-sdk/node'
import { describePreferenceStoreContract } from 'ima-open-sdk/testing'
import { UnstoragePreferenceStore } from '../../src/stores/unstorage.js'
import { describeOnRedisStorage } from '../support/redis-storage.js'

const api = { describe, it, expect }

let dir = ''
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ima-contract-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describePreferenceStoreContract('MemoryPreferenceStore', () => new MemoryPreferenceStore(), api)

describePreferenceStoreContract('FilePreferenceStore', () => new FilePreferenceStore({ path: join(dir, 'memory', 'ima_prefs.json') }), api, { shared: true })

const memoryStorage = createStorage({ driver: memoryDriver() })
describePreferenceStoreContract('UnstoragePreferenceStore + memory driver', () => new UnstoragePreferenceStore(memoryStorage), api, { shared: true })

let fsStorage: Storage | undefined
describePreferenceStoreContract(
  'UnstoragePreferenceStore + fs driver',
  () => {
    fsStorage ??= createStorage({ driver: fsDriver({ base: join(dir, 'unstorage-fs') }) })
    return new UnstoragePreferenceStore(fsStorage, { prefix: 'bots:prefs:' })
  },
  api,
  { shared: true },
)

describeOnRedisStorage('UnstoragePreferenceStore + redis driver', (redis) => {
  describePreferenceStoreContract('redis', () => new UnstoragePreferenceStore(redis.storage()), api, { shared: true })

  it('keeps the layout <prefix>user_<id> → the task-type map, in the skills’ shape', async () => {
    const storage = redis.storage()
    const store = new UnstoragePreferenceStore(storage, { prefix: 'layout:' })
    await store.set('42', 'text_to_image', { modelId: 'midjourney', modelName: 'Midjourney', credit: 8, lastUsed: '2026-02-26T03:07:27Z' })
    const { Redis } = await import('ioredis')
    const raw = new Redis(redis.url())
    try {
      const text = await raw.get('ima-test:layout:user_42')
      expect(JSON.parse(text ?? 'null')).toEqual({
        text_to_image: { model_id: 'midjourney', model_name: 'Midjourney', credit: 8, last_used: '2026-02-26T03:07:27Z' },
      })
    } finally {
      raw.disconnect()
    }
    expect(await store.users()).toEqual(['42'])
  })
})
