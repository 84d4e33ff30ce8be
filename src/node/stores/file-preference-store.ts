import { mkdir, readFile, rename } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import writeFileAtomic from 'write-file-atomic'
import type { TaskType } from '../../schemas/task-type.js'
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
import { FileLockCompromisedError, FileStoreConflictError, positiveMs, removeStaleTempFiles, withFileLock } from './file-lock.js'
import { recoverObjectMembers } from './json-recovery.js'
import { checkStoreOptions } from '../../internal/did-you-mean.js'

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
   * takes it over (its holder crashed or stalls), in ms; at least 2000 in
   * effect. @defaultValue 10000
   */
  staleLockMs?: number
  /** How long a write waits for the lock before it fails with `FileLockTimeoutError`, in ms. @defaultValue 30000 */
  lockTimeoutMs?: number
}

const OPTION_NAMES = Object.keys({ path: true, staleLockMs: true, lockTimeoutMs: true } satisfies Record<keyof FilePreferenceStoreOptions, true>)

type PreferenceFile = Record<string, unknown>

/**
 * What reading the file found. `text` is the file as read (`undefined`: no
 * file), kept to tell before writing whether the file changed meanwhile.
 * A corrupt file's `data` is what could be recovered of it.
 */
type Reading =
  | { kind: 'ok'; data: PreferenceFile; text: string }
  | { kind: 'missing'; text: string | undefined }
  | { kind: 'corrupt'; data: PreferenceFile; text: string }
  | { kind: 'unreadable'; error: Error }

/** Each try re-reads the file and applies the change again; past this many the write fails with `FileStoreConflictError`. */
const MAX_WRITE_ATTEMPTS = 5

/**
 * Preferences in the skills' own file, `~/.openclaw/memory/ima_prefs.json`,
 * so an existing install keeps its memory and the skills and the SDK can
 * share it. The file keeps exactly the skills' shape —
 * `{ "user_<id>": { "<task_type>": { "model_id", "model_name", "credit", "last_used" } } }` —
 * and every key this store does not understand is kept as it was.
 *
 * - Reads never fail: a missing or unreadable file means "no preference".
 * - Writes are a read-modify-write under a lock file (`<path>.lock`, taken
 *   over when its holder stops refreshing it, removed at once when dated in
 *   the future), then an atomic replace (temporary file + rename): many
 *   processes writing at once lose nothing, and a reader never sees half a
 *   file.
 * - Right before replacing the file, a write checks that its lock is still
 *   its own and that the file is still what it read (the skills' Python
 *   writer takes no lock); if not, it reads again and applies its change
 *   again, up to 5 times, then fails with `FileStoreConflictError`. An old
 *   snapshot is never written over a newer file.
 * - A corrupt file (e.g. cut short by a killed writer) is read for every
 *   whole top-level entry that still parses; the next write keeps those,
 *   moves the original aside to `<path>.corrupt-<timestamp>` and writes the
 *   recovered entries plus its change.
 * - The first write of a store removes temporary files that writers killed
 *   mid-write left behind more than a minute ago.
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
  /** The start-up clean-up of leftover temporary files, run once before the first write. */
  #cleanup: Promise<void> | undefined

  constructor(options: FilePreferenceStoreOptions = {}) {
    checkStoreOptions(options, OPTION_NAMES, 'FilePreferenceStore')
    if (options.path !== undefined && (typeof options.path !== 'string' || options.path === '')) {
      throw new TypeError(`Expected path to be a file path, got ${JSON.stringify(options.path)}`)
    }
    this.path = resolve(options.path ?? defaultPreferencesPath())
    this.#staleMs = positiveMs('staleLockMs', options.staleLockMs, 10_000)
    this.#timeoutMs = positiveMs('lockTimeoutMs', options.lockTimeoutMs, 30_000)
  }

  async get(userId: string, taskType: TaskType): Promise<ModelPreference | undefined> {
    checkStoreKey(userId, taskType)
    return (await this.list(userId))[taskType]
  }

  async list(userId: string): Promise<Partial<Record<TaskType, ModelPreference>>> {
    checkStoreKey(userId)
    const reading = await this.#read()
    return reading.kind === 'ok' || reading.kind === 'corrupt' ? readUserEntry(reading.data[userKey(userId)]) : {}
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
    if (reading.kind !== 'ok' && reading.kind !== 'corrupt') return []
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
      return (error as NodeJS.ErrnoException).code === 'ENOENT' ? { kind: 'missing', text: undefined } : { kind: 'unreadable', error: error as Error }
    }
    if (text.trim() === '') return { kind: 'missing', text }
    try {
      const data: unknown = JSON.parse(text.replace(/^\uFEFF/, ''))
      if (isPlainObject(data)) return { kind: 'ok', data, text }
    } catch {
      // Cut short or damaged: recovered below.
    }
    return { kind: 'corrupt', data: recoverObjectMembers(text) ?? {}, text }
  }

  /**
   * Read, change and write the file under the lock. `change` returns false
   * when there is nothing to write. The change is applied again to a fresh
   * read whenever the file changed or the lock was lost before the write.
   */
  async #update(change: (data: PreferenceFile) => boolean): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true })
    this.#cleanup ??= removeStaleTempFiles(this.path).then(() => undefined)
    await this.#cleanup
    let attempts = 0
    let lastLoss: FileLockCompromisedError | undefined
    while (attempts < MAX_WRITE_ATTEMPTS) {
      try {
        const settled = await withFileLock(this.path, { staleMs: this.#staleMs, timeoutMs: this.#timeoutMs }, async (lock) => {
          while (attempts < MAX_WRITE_ATTEMPTS) {
            attempts += 1
            const reading = await this.#read()
            // A file that cannot be read (permissions) is not replaced blindly: it may hold other users' memory.
            if (reading.kind === 'unreadable') throw reading.error
            const data = reading.kind === 'missing' ? {} : reading.data
            if (!change(data)) return true
            await lock.assertHeld()
            // Written meanwhile without the lock (the skills' writer takes none): start again from what is there now.
            if (!(await this.#stillReads(reading.text))) continue
            if (reading.kind === 'corrupt') await this.#moveAside()
            await writeFileAtomic(this.path, `${JSON.stringify(data, null, 2)}\n`, { encoding: 'utf8' })
            return true
          }
          return false
        })
        if (settled) return
      } catch (error) {
        // Another process took the lock over while this one stalled: take it again and redo the change on its file.
        if (!(error instanceof FileLockCompromisedError)) throw error
        lastLoss = error
      }
    }
    throw new FileStoreConflictError(this.path, attempts, { cause: lastLoss })
  }

  /** Whether the file still holds `text` (`undefined`: still no file). */
  async #stillReads(text: string | undefined): Promise<boolean> {
    try {
      return (await readFile(this.path, 'utf8')) === text
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT' && text === undefined
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
