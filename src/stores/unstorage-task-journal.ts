import { checkJournalEntry, isJournalEntry, sortJournalEntries, type JournalEntry, type TaskJournal } from './task-journal.js'
import type { KeyValueStorage } from './unstorage.js'
import { encodeKeySegment, normaliseKey } from './unstorage-keys.js'
import { checkStoreOptions } from '../internal/did-you-mean.js'

/** Options of {@link UnstorageTaskJournal}. @public */
export interface UnstorageTaskJournalOptions {
  /**
   * Put before every key, to share a storage with other data: the key of an
   * entry is `<prefix><ref>`. unstorage treats `:` as a separator (and on
   * the fs driver, as a folder).
   * @defaultValue `'ima:tasks:'`
   */
  prefix?: string
}

/** The default key prefix of {@link UnstorageTaskJournal}. @example `new UnstorageTaskJournal(storage, { prefix: DEFAULT_JOURNAL_PREFIX })` @public */
export const DEFAULT_JOURNAL_PREFIX = 'ima:tasks:'

/**
 * The task journal in any unstorage storage — Redis, Cloudflare KV, Vercel
 * KV, the file system… — so every worker of a deployment finds the tasks
 * the others created after a crash. Each entry is one key, `<prefix><ref>`,
 * holding the entry as JSON; `put` replaces the whole entry, so writers never
 * merge and never lose another entry. Runs wherever unstorage does (no
 * Node-only imports).
 *
 * @example
 * ```ts
 * import { createStorage } from 'unstorage'
 * import redisDriver from 'unstorage/drivers/redis'
 * import { ImaClient, UnstorageTaskJournal } from 'ima-open-sdk'
 * const journal = new UnstorageTaskJournal(createStorage({ driver: redisDriver({ url: process.env.REDIS_URL }) }))
 * const ima = new ImaClient({ journal })
 * ```
 * @public
 */
export class UnstorageTaskJournal implements TaskJournal {
  readonly #storage: KeyValueStorage
  readonly #prefix: string

  constructor(storage: KeyValueStorage, options: UnstorageTaskJournalOptions = {}) {
    if (
      typeof storage !== 'object' ||
      storage === null ||
      typeof storage.getItem !== 'function' ||
      typeof storage.setItem !== 'function' ||
      typeof storage.getKeys !== 'function'
    ) {
      throw new TypeError('Expected an unstorage Storage (createStorage() from unstorage) or an object with getItem, setItem, removeItem and getKeys')
    }
    checkStoreOptions(options, ['prefix'] satisfies (keyof UnstorageTaskJournalOptions)[], 'UnstorageTaskJournal')
    const prefix = options.prefix ?? DEFAULT_JOURNAL_PREFIX
    if (typeof prefix !== 'string') throw new TypeError(`Expected prefix to be a string, got ${JSON.stringify(prefix)}`)
    this.#storage = storage
    this.#prefix = prefix
  }

  /** The storage key of an entry. */
  keyOf(ref: string): string {
    return `${this.#prefix}${encodeKeySegment(ref)}`
  }

  /** Writes the entry at `<prefix><ref>`, replacing any earlier one. */
  async put(entry: JournalEntry): Promise<void> {
    checkJournalEntry(entry)
    // A copy: a storage that keeps values as given (a plain Map) must not share the caller's object.
    await this.#storage.setItem(this.keyOf(entry.ref), { ...structuredClone(entry) })
  }

  /** A copy of the entry with this `ref`, or `undefined`. */
  async get(ref: string): Promise<JournalEntry | undefined> {
    if (typeof ref !== 'string' || ref === '') throw new TypeError(`Expected ref to be a non-empty string, got ${JSON.stringify(ref)}`)
    return this.#read(this.keyOf(ref))
  }

  /** Copies of every entry under this journal's prefix, oldest `createdAt` first. */
  async list(): Promise<JournalEntry[]> {
    const base = normaliseKey(this.#prefix)
    // With a prefix ending in a separator, `a:tasks:` must not also match keys of `a:tasks2:`.
    const start = /[:/\\]$/.test(this.#prefix) ? `${base}:` : base
    const keys = (await this.#storage.getKeys(base)).map(normaliseKey).filter((key) => key.startsWith(start) && key !== base)
    const entries = await Promise.all(keys.map((key) => this.#read(key)))
    return sortJournalEntries(entries.filter((entry): entry is JournalEntry => entry !== undefined))
  }

  async #read(key: string): Promise<JournalEntry | undefined> {
    let value = await this.#storage.getItem(key)
    // A raw driver (or another writer) may hand back the JSON text.
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value)
      } catch {
        return undefined
      }
    }
    return isJournalEntry(value) ? structuredClone(value) : undefined
  }
}
