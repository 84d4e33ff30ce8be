import type { TaskType } from '../schemas/task-type.js'
import {
  checkPreference,
  checkStoreKey,
  isPlainObject,
  readUserEntry,
  userKey,
  withoutPreference,
  withPreference,
} from './preference-format.js'
import type { ModelPreference, PreferenceStore } from './preferences.js'
import { encodeKeySegment, normaliseKey } from './unstorage-keys.js'
import { checkStoreOptions } from '../internal/did-you-mean.js'

/**
 * The part of an unstorage `Storage` (`createStorage()` from `unstorage`)
 * this store uses. Typed here so the core never loads unstorage: pass any
 * object with these methods.
 * @public
 */
export interface KeyValueStorage {
  /** The value stored at `key`, or `null`/`undefined` when there is none. */
  getItem(key: string): Promise<unknown>
  /** Stores a JSON object at `key` (a user's task-type map, a journal entry). */
  setItem(key: string, value: Record<string, unknown>): Promise<void>
  /** Deletes `key`. */
  removeItem(key: string): Promise<void>
  /** Every key, or those under the prefix `base`. */
  getKeys(base?: string): Promise<string[]>
}

/** Options of {@link UnstoragePreferenceStore}. @public */
export interface UnstoragePreferenceStoreOptions {
  /**
   * Put before every key, to share a storage with other data: the key of a
   * user is `<prefix>user_<id>`. unstorage treats `:` as a separator (and on
   * the fs driver, as a folder).
   * @defaultValue `'ima_prefs:'`
   */
  prefix?: string
}

/** The default key prefix of {@link UnstoragePreferenceStore}. @public */
export const DEFAULT_UNSTORAGE_PREFIX = 'ima_prefs:'

/**
 * Preferences in any unstorage storage — Redis, Cloudflare KV, Vercel KV,
 * the file system, memory, and every other unstorage driver — so workers on
 * several machines share them. Each user is one key, `<prefix>user_<id>`,
 * holding the same task-type map as the skills' `ima_prefs.json`:
 * `{ "text_to_image": { "model_id", "model_name", "credit", "last_used" } }`.
 *
 * Writes are a read-modify-write of one user's key, serialised within this
 * process; writers in other processes updating the SAME user at the same
 * moment may overwrite each other's change (different users never do).
 *
 * @example
 * ```ts
 * import { createStorage } from 'unstorage'
 * import redisDriver from 'unstorage/drivers/redis'
 * const storage = createStorage({ driver: redisDriver({ url: process.env.REDIS_URL }) })
 * const ima = new ImaClient({ preferences: new UnstoragePreferenceStore(storage) })
 * ```
 * @public
 */
export class UnstoragePreferenceStore implements PreferenceStore {
  readonly #storage: KeyValueStorage
  readonly #prefix: string
  /** The last write of each key still running, so writes to one user from this process never overlap. */
  readonly #queues = new Map<string, Promise<void>>()

  constructor(storage: KeyValueStorage, options: UnstoragePreferenceStoreOptions = {}) {
    if (typeof storage !== 'object' || storage === null || typeof storage.getItem !== 'function' || typeof storage.setItem !== 'function') {
      throw new TypeError('Expected an unstorage Storage (createStorage() from unstorage) or an object with getItem, setItem, removeItem and getKeys')
    }
    checkStoreOptions(options, ['prefix'] satisfies (keyof UnstoragePreferenceStoreOptions)[], 'UnstoragePreferenceStore')
    const prefix = options.prefix ?? DEFAULT_UNSTORAGE_PREFIX
    if (typeof prefix !== 'string') throw new TypeError(`Expected prefix to be a string, got ${JSON.stringify(prefix)}`)
    this.#storage = storage
    this.#prefix = prefix
  }

  /** The storage key of a user. */
  keyOf(userId: string): string {
    return `${this.#prefix}${userKey(encodeKeySegment(userId))}`
  }

  /** The user's preference for `taskType`, or `undefined` when none is saved. */
  async get(userId: string, taskType: TaskType): Promise<ModelPreference | undefined> {
    checkStoreKey(userId, taskType)
    return readUserEntry(await this.#read(userId))[taskType]
  }

  /** Saves the user's preference for `taskType`, keeping their other task types. */
  async set(userId: string, taskType: TaskType, preference: ModelPreference): Promise<void> {
    checkStoreKey(userId, taskType)
    checkPreference(preference)
    await this.#update(userId, (entry) => withPreference(entry, taskType, preference))
  }

  /** Forgets the user's preference for `taskType`; nothing happens when there is none. */
  async delete(userId: string, taskType: TaskType): Promise<void> {
    checkStoreKey(userId, taskType)
    await this.#update(userId, (entry) => withoutPreference(entry, taskType))
  }

  /** Every preference the user has, by task type. */
  async list(userId: string): Promise<Partial<Record<TaskType, ModelPreference>>> {
    checkStoreKey(userId)
    return readUserEntry(await this.#read(userId))
  }

  /** The ids of the users with an entry under this store's prefix. */
  async users(): Promise<string[]> {
    const base = normaliseKey(`${this.#prefix}user_`)
    const keys = await this.#storage.getKeys(normaliseKey(this.#prefix))
    return keys
      .map(normaliseKey)
      .filter((key) => key.startsWith(base))
      .map((key) => {
        const id = key.slice(base.length)
        try {
          return decodeURIComponent(id)
        } catch {
          return id
        }
      })
  }

  async #read(userId: string): Promise<unknown> {
    let value = await this.#storage.getItem(this.keyOf(userId))
    // A raw driver (or another writer) may hand back the JSON text.
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value)
      } catch {
        return undefined
      }
    }
    return isPlainObject(value) ? value : undefined
  }

  async #update(userId: string, change: (entry: Record<string, unknown> | undefined) => Record<string, unknown> | undefined): Promise<void> {
    const key = this.keyOf(userId)
    const previous = this.#queues.get(key) ?? Promise.resolve()
    const run = previous.then(async () => {
      const next = change((await this.#read(userId)) as Record<string, unknown> | undefined)
      if (next === undefined) await this.#storage.removeItem(key)
      else await this.#storage.setItem(key, next)
    })
    const settled = run.catch(() => {})
    this.#queues.set(key, settled)
    try {
      await run
    } finally {
      if (this.#queues.get(key) === settled) this.#queues.delete(key)
    }
  }
}
