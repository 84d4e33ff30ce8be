/**
 * A describe block over unstorage on a real redis-server started for it:
 * the scaffold every Redis-backed store test shares. Without redis-server on
 * PATH the block is skipped with a warning — except in CI, where it fails.
 */
import { createStorage, type Storage } from 'unstorage'
import redisDriver from 'unstorage/drivers/redis'
import { afterAll, beforeAll, describe } from 'vitest'
import { hasRedisServerFor, startRedisServer, type RedisServer } from './redis-server.js'

/** What the block's body gets: the storage and the server's URL, once started. */
export interface RedisStorageHandle {
  storage(): Storage
  url(): string
}

export function describeOnRedisStorage(title: string, body: (redis: RedisStorageHandle) => void): void {
  describe(title, () => {
    if (!hasRedisServerFor(title)) return
    let server: RedisServer | undefined
    let storage: Storage | undefined
    beforeAll(async () => {
      server = await startRedisServer()
      storage = createStorage({ driver: redisDriver({ url: server.url, base: 'ima-test' }) })
    })
    afterAll(async () => {
      await storage?.dispose()
      await server?.stop()
    })
    body({
      storage() {
        if (!storage) throw new Error('redis-server is not started')
        return storage
      },
      url() {
        if (!server) throw new Error('redis-server is not started')
        return server.url
      },
    })
  })
}
