import { mkdir, readFile, rename } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import lockfile from 'proper-lockfile'
import writeFileAtomic from 'write-file-atomic'
import type { TaskType } from '../../schemas/tasks.js'
import {
  checkPreference,
  checkStoreKey,
  isPlainObject,
  readUserEntry,
  userKey,
  withoutPreference,
  withPreference,
} from '../../stores/preference-format.js'
import type { ModelPreference, PreferenceStore } from '../../stores/preferences.js'

/** Where the skills keep preferences: `~/.openclaw/memory/ima_prefs.json`. @public */
export function defaultPreferencesPath(): string {
  return join(homedir(), '.openclaw', 'memory', 'ima_prefs.json')
}

/** Options of {@link FilePreferenceStore}. @public */
export interface FilePreferenceStoreOptions {
  /** The JSON file. @defaultValue `~/.openclaw/memory/ima_prefs.json` (the skills' file) */
  path?: string
  /**
   * How long a lock may go without being refreshed before another process
   * takes it over (its holder crashed), in ms. @defaultValue 10000
   */
  staleLockMs?: number
  /** How long a write waits for the lock before it fails, in ms. @defaultValue 30000 */
  lockTimeoutMs?: number
}

type PreferenceFile = Record<string, unknown>

/** What reading the file found. */
type Reading = { kind: 'ok'; data: PreferenceFile } | { kind: 'missing' } | { kind: 'corrupt' } | { kind: 'unreadable'; error: Error }

/**
 * Preferences in the skills' own file, `~/.openclaw/memory/ima_prefs.json`,
 * so an existing install keeps its memory and the skills and the SDK can
 * share it. The file keeps exactly the skills' shape —
 * `{ "user_<id>": { "<task_type>": { "model_id", "model_name", "credit", "last_used" } } }` —
 * and every key this store does not understand is kept as it was.
 *
 * - Reads never fail: a missing or unreadable file means "no preference".
 * - Writes are a read-modify-write under a lock file (`<path>.lock`, taken
 *   over when its holder stops refreshing it), then an atomic replace
 *   (temporary file + rename): many processes writing at once lose nothing,
 *   and a reader never sees half a file.
 * - A corrupt file is moved aside to `<path>.corrupt-<timestamp>` by the
 *   next write, which starts from an empty file.
 *
 * @example
 * ```ts
 * import { ImaClient, FilePreferenceStore } from 'ima-open-sdk/node'
 * const ima = new ImaClient({ preferences: new FilePreferenceStore() })
 * await ima.generate({ userId: '12345', prompt: 'a fox' }) // uses, then saves, user 12345's model
 * ```
 * @public
 */
export class FilePreferenceStore implements PreferenceStore {
  /** The file, as an absolute path. */
  readonly path: string
  readonly #staleMs: number
  readonly #timeoutMs: number

  constructor(options: FilePreferenceStoreOptions = {}) {
    if (options.path !== undefined && (typeof options.path !== 'string' || options.path === '')) {
      throw new TypeError(`Expected path to be a file path, got ${JSON.stringify(options.path)}`)
    }
    this.path = resolve(options.path ?? defaultPreferencesPath())
    this.#staleMs = positive('staleLockMs', options.staleLockMs, 10_000)
    this.#timeoutMs = positive('lockTimeoutMs', options.lockTimeoutMs, 30_000)
  }

  async get(userId: string, taskType: TaskType): Promise<ModelPreference | undefined> {
    checkStoreKey(userId, taskType)
    return (await this.list(userId))[taskType]
  }

  async list(userId: string): Promise<Partial<Record<TaskType, ModelPreference>>> {
    checkStoreKey(userId)
    const reading = await this.#read()
    return reading.kind === 'ok' ? readUserEntry(reading.data[userKey(userId)]) : {}
  }

  async set(userId: string, taskType: TaskType, preference: ModelPreference): Promise<void> {
    checkStoreKey(userId, taskType)
    checkPreference(preference)
    await this.#update((data) => {
      data[userKey(userId)] = withPreference(data[userKey(userId)], taskType, preference)
      return true
    })
  }

  async delete(userId: string, taskType: TaskType): Promise<void> {
    checkStoreKey(userId, taskType)
    await this.#update((data) => {
      const key = userKey(userId)
      const entry = data[key]
      if (!isPlainObject(entry) || !(taskType in entry)) return false
      const rest = withoutPreference(entry, taskType)
      if (rest === undefined) delete data[key]
      else data[key] = rest
      return true
    })
  }

  /** The ids of the users with an entry in the file. */
  async users(): Promise<string[]> {
    const reading = await this.#read()
    if (reading.kind !== 'ok') return []
    return Object.keys(reading.data)
      .filter((key) => key.startsWith('user_') && isPlainObject(reading.data[key]))
      .map((key) => key.slice('user_'.length))
  }

  async #read(): Promise<Reading> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (error) {
      // Missing, a directory, no permission: all mean "no preference" to a reader; only a writer cares why.
      return (error as NodeJS.ErrnoException).code === 'ENOENT' ? { kind: 'missing' } : { kind: 'unreadable', error: error as Error }
    }
    if (text.trim() === '') return { kind: 'missing' }
    try {
      const data: unknown = JSON.parse(text.replace(/^\uFEFF/, ''))
      return isPlainObject(data) ? { kind: 'ok', data } : { kind: 'corrupt' }
    } catch {
      return { kind: 'corrupt' }
    }
  }

  /** Read, change and write the file under the lock. `change` returns false when there is nothing to write. */
  async #update(change: (data: PreferenceFile) => boolean): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true })
    const release = await lockfile.lock(this.path, {
      // The file may not exist yet: lock its path, not its real path.
      realpath: false,
      lockfilePath: `${this.path}.lock`,
      stale: this.#staleMs,
      update: Math.max(1_000, Math.floor(this.#staleMs / 2)),
      retries: { retries: Math.ceil(this.#timeoutMs / 100), minTimeout: 5, maxTimeout: 100, factor: 1.5, randomize: true },
      // Losing the lock (a very long stall) must not throw from a timer: the write is atomic either way.
      onCompromised: () => {},
    })
    try {
      const reading = await this.#read()
      let data: PreferenceFile = {}
      if (reading.kind === 'ok') data = reading.data
      else if (reading.kind === 'corrupt') await this.#moveAside()
      // A file that cannot be read (permissions) is not replaced blindly: it may hold other users' memory.
      else if (reading.kind === 'unreadable') throw reading.error
      if (!change(data)) return
      await writeFileAtomic(this.path, `${JSON.stringify(data, null, 2)}\n`, { encoding: 'utf8' })
    } finally {
      await release().catch(() => {})
    }
  }

  /** Keeps a corrupt file for a human to look at, out of the way. */
  async #moveAside(): Promise<void> {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-')
    try {
      await rename(this.path, `${this.path}.corrupt-${stamp}`)
    } catch (error) {
      // Already gone (another writer moved it): nothing to keep.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`Expected ${name} to be a positive number of ms, got ${String(value)}`)
  }
  return value
}
