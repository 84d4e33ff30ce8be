/**
 * The one cross-process lock of the SDK's files (`ima_prefs.json`,
 * `ima_tasks.jsonl`): a `<path>.lock` directory made with proper-lockfile,
 * plus what proper-lockfile leaves to its callers:
 *
 * - a lock dated in the future (clock skew, a restored home folder) is
 *   removed instead of blocking every write until the timeout;
 * - the holder can ask, right before it replaces the file, whether the lock
 *   is still its own (it is not once another process took it over during a
 *   pause — SIGSTOP, laptop sleep — longer than `staleMs`);
 * - writes from one process queue in memory instead of polling the lock;
 * - temporary files of interrupted atomic writes can be cleaned up.
 */
import * as fs from 'node:fs'
import { readdir, rmdir, stat, unlink } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import lockfile from 'proper-lockfile'
import { ImaError } from '../../errors.js'

/** Options of {@link withFileLock}. @public */
export interface FileLockOptions {
  /**
   * How long a lock may go without being refreshed before another process
   * takes it over (its holder crashed or stalls), in ms. proper-lockfile
   * never goes below 2000. @defaultValue 10000
   */
  staleMs?: number
  /** How long to wait for the lock before failing with {@link FileLockTimeoutError}, in ms. @defaultValue 30000 */
  timeoutMs?: number
}

/** The lock a {@link withFileLock} body holds. @public */
export interface HeldFileLock {
  /** The file the lock is for. */
  readonly path: string
  /** The lock itself, `<path>.lock` (a directory). */
  readonly lockPath: string
  /** True once the lock is known to have been taken over by another process. */
  readonly compromised: boolean
  /**
   * Throws {@link FileLockCompromisedError} unless the lock is still this
   * holder's: call it right before replacing the file, so a holder that was
   * paused past `staleMs` never writes its old snapshot over a newer file.
   */
  assertHeld(): Promise<void>
}

/**
 * The lock of a file could not be taken within `timeoutMs`: another process
 * holds it and keeps it fresh.
 *
 * @example
 * ```ts
 * try {
 *   await prefs.set('42', 'text_to_image', preference)
 * } catch (error) {
 *   if (error instanceof FileLockTimeoutError) console.error(`${error.lockPath} is held by another process`)
 * }
 * ```
 * @public
 */
export class FileLockTimeoutError extends ImaError {
  /** Literal class name, for `error.name` checks. */
  override name = 'FileLockTimeoutError' as const
  /** The file that could not be locked. */
  readonly path: string
  /** The lock directory another process holds. */
  readonly lockPath: string

  constructor(path: string, lockPath: string, timeoutMs: number, options: { cause?: unknown } = {}) {
    super(
      `Could not lock ${path} within ${timeoutMs} ms: another process holds ${lockPath} and keeps it fresh. ` +
        `Wait for it to finish or raise lockTimeoutMs; if no process using this file is running, delete ${lockPath}.`,
      { code: 'file_lock_timeout', ...options },
    )
    this.path = path
    this.lockPath = lockPath
  }
}

/**
 * Another process took the lock over while this one held it (this process
 * stalled for longer than `staleMs`): what it read may be out of date, so it
 * did not write. Writers retry with a fresh lock before this reaches you.
 *
 * @example
 * ```ts
 * await withFileLock(path, {}, async (lock) => {
 *   const text = await readFile(path, 'utf8')
 *   await lock.assertHeld() // throws FileLockCompromisedError after a takeover
 *   await writeFileAtomic(path, change(text))
 * })
 * ```
 * @public
 */
export class FileLockCompromisedError extends ImaError {
  /** Literal class name, for `error.name` checks. */
  override name = 'FileLockCompromisedError' as const
  /** The file whose lock was lost. */
  readonly path: string

  constructor(path: string, options: { cause?: unknown } = {}) {
    super(
      `The lock of ${path} was taken over by another process while this one held it (it stalled for longer than staleLockMs), ` +
        'so nothing was written. Retry; if this keeps happening, raise staleLockMs above the longest pause of this process.',
      { code: 'file_lock_compromised', ...options },
    )
    this.path = path
  }
}

/**
 * A file store could not apply a change: the file kept changing between
 * its read and its write (another program writes it without the lock, e.g.
 * the skills' own Python writer in a loop), or the lock kept being taken
 * over, for every attempt. Nothing was written.
 *
 * @example
 * ```ts
 * try {
 *   await prefs.set('42', 'text_to_image', preference)
 * } catch (error) {
 *   if (error instanceof FileStoreConflictError) console.error(`gave up after ${error.attempts} attempts on ${error.path}`)
 * }
 * ```
 * @public
 */
export class FileStoreConflictError extends ImaError {
  /** Literal class name, for `error.name` checks. */
  override name = 'FileStoreConflictError' as const
  /** The file that could not be updated. */
  readonly path: string
  /** How many times the change was tried. */
  readonly attempts: number

  constructor(path: string, attempts: number, options: { cause?: unknown } = {}) {
    super(
      `Could not update ${path}: it changed under this process on each of ${attempts} attempts ` +
        '(another program writes it without taking the lock, or this process keeps stalling past staleLockMs). ' +
        'Nothing was written; retry once the other writer is done.',
      { code: 'file_store_conflict', ...options },
    )
    this.path = path
    this.attempts = attempts
  }
}

/** A lock dated more than this far ahead of our clock is no live holder's: live holders date it "now". */
const FUTURE_SLACK_MS = 2_000
/** Temporary files of an atomic write live for milliseconds; one this old belongs to a killed writer. */
const DEFAULT_TEMP_FILE_AGE_MS = 60_000

/**
 * The mtimes this process gave its lock directory. proper-lockfile refreshes
 * the mtime every few seconds and a process that takes the lock over makes a
 * new directory, so "the directory carries one of our mtimes" is "the lock is
 * still ours".
 */
class LockMtimes {
  #values: number[] = []
  reset(value: number): void {
    this.#values = [value]
  }
  /** Called before each refresh: the refresh may land at any moment after, so both old and new count as ours. */
  add(value: number): void {
    this.#values = [...this.#values.slice(-1), value]
  }
  includes(value: number): boolean {
    // Sub-millisecond digits of a stat are noise next to the whole milliseconds proper-lockfile writes.
    return this.#values.some((ours) => Math.abs(ours - value) < 1)
  }
}

/** Per lock path: the tracked mtimes, the fs given to proper-lockfile, and this process's queue of holders. */
interface LockSlot {
  mtimes: LockMtimes
  /**
   * Set once this process's lock was taken over: releasing it must then not
   * remove the directory, which is the new holder's (proper-lockfile would,
   * on release and at exit, since it learns of a takeover only at its next
   * refresh).
   */
  disowned: boolean
  fs: object
  queue: Promise<void>
}
const slots = new Map<string, LockSlot>()

function slotFor(lockPath: string): LockSlot {
  let slot = slots.get(lockPath)
  if (!slot) {
    const mtimes = new LockMtimes()
    const created: LockSlot = { mtimes, disowned: false, fs: {}, queue: Promise.resolve() }
    // proper-lockfile's own calls, with each refresh of our lock noted first and no removal of a lock that is no longer ours.
    created.fs = {
      mkdir: fs.mkdir,
      stat: fs.stat,
      realpath: fs.realpath,
      rmdir(target: fs.PathLike, callback: fs.NoParamCallback): void {
        if (target === lockPath && created.disowned) return callback(null)
        fs.rmdir(target, callback)
      },
      rmdirSync(target: fs.PathLike): void {
        if (target === lockPath && created.disowned) return
        fs.rmdirSync(target)
      },
      utimes(target: fs.PathLike, atime: Date, mtime: Date, callback: fs.NoParamCallback): void {
        if (target === lockPath) mtimes.add(mtime.getTime())
        fs.utimes(target, atime, mtime, callback)
      },
    }
    slot = created
    slots.set(lockPath, slot)
  }
  return slot
}

/** The lock directory of a file: `<path>.lock`. @example `lockPathOf('/home/me/.openclaw/memory/ima_prefs.json') // …/ima_prefs.json.lock` @public */
export function lockPathOf(path: string): string {
  return `${resolve(path)}.lock`
}

/**
 * Runs `body` while holding the cross-process lock of `path` (the file need
 * not exist; its folder must). Holders in this process queue in memory;
 * other processes wait on `<path>.lock`, take it over once it has not been
 * refreshed for `staleMs`, and remove at once a lock dated in the future.
 * Fails with {@link FileLockTimeoutError} after `timeoutMs`.
 *
 * The body should call `lock.assertHeld()` right before it replaces the file.
 *
 * @example
 * ```ts
 * import { withFileLock } from './file-lock.js'
 * await withFileLock('/tmp/data.json', { staleMs: 10_000 }, async (lock) => {
 *   const data = JSON.parse(await readFile('/tmp/data.json', 'utf8'))
 *   data.count += 1
 *   await lock.assertHeld()
 *   await writeFileAtomic('/tmp/data.json', JSON.stringify(data))
 * })
 * ```
 * @public
 */
export async function withFileLock<T>(path: string, options: FileLockOptions, body: (lock: HeldFileLock) => Promise<T>): Promise<T> {
  const file = resolve(path)
  const lockPath = lockPathOf(file)
  const slot = slotFor(lockPath)
  const previous = slot.queue
  let done!: () => void
  const mine = new Promise<void>((resolvePromise) => (done = resolvePromise))
  slot.queue = previous.then(() => mine)
  await previous
  try {
    return await holding(file, lockPath, slot, options, body)
  } finally {
    done()
  }
}

async function holding<T>(file: string, lockPath: string, slot: LockSlot, options: FileLockOptions, body: (lock: HeldFileLock) => Promise<T>): Promise<T> {
  const staleMs = options.staleMs ?? 10_000
  const timeoutMs = options.timeoutMs ?? 30_000
  let compromised = false
  const release = await acquire(file, lockPath, slot, staleMs, timeoutMs, () => {
    compromised = true
  })
  const lock: HeldFileLock = {
    path: file,
    lockPath,
    get compromised() {
      return compromised
    },
    async assertHeld() {
      if (!compromised) {
        // Read the directory itself: proper-lockfile only notices a takeover at its next refresh, which can come after our write.
        const mtime = await stat(lockPath).then(
          (stats) => stats.mtimeMs,
          () => undefined,
        )
        if (mtime === undefined || !slot.mtimes.includes(mtime)) compromised = true
      }
      if (compromised) throw new FileLockCompromisedError(file)
    },
  }
  try {
    return await body(lock)
  } finally {
    // Released either way, so proper-lockfile stops refreshing it; a lock no longer ours is left in place for its new holder.
    if (compromised) slot.disowned = true
    await release().catch(() => {})
  }
}

/** Takes the lock, polling with a growing, jittered delay; removes a future-dated lock at once. */
async function acquire(
  file: string,
  lockPath: string,
  slot: LockSlot,
  staleMs: number,
  timeoutMs: number,
  onCompromised: () => void,
): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs
  let delay = 5
  for (;;) {
    // A stale lock proper-lockfile removes before taking it is not the one we disowned.
    slot.disowned = false
    try {
      const release = await lockfile.lock(file, {
        // The file may not exist yet: lock its path, not its real path.
        realpath: false,
        lockfilePath: lockPath,
        stale: staleMs,
        update: Math.max(1_000, Math.floor(staleMs / 2)),
        retries: 0,
        fs: slot.fs,
        // proper-lockfile's default throws from a timer; the holder checks the flag (assertHeld) instead.
        onCompromised,
      })
      // The directory's mtime right after taking it is ours (refreshes are noted by the tracking fs).
      slot.mtimes.reset((await stat(lockPath)).mtimeMs)
      return release
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error
      if (await removeFutureLock(lockPath)) continue
      if (Date.now() >= deadline) throw new FileLockTimeoutError(file, lockPath, timeoutMs, { cause: error })
      await new Promise((wake) => setTimeout(wake, Math.min(delay, Math.max(0, deadline - Date.now())) * (0.5 + Math.random() / 2)))
      delay = Math.min(100, delay * 1.5)
    }
  }
}

/** proper-lockfile sees a lock dated in the future as fresh for ever: remove it. True when one was removed. */
async function removeFutureLock(lockPath: string): Promise<boolean> {
  const stats = await stat(lockPath).catch(() => undefined)
  if (!stats || stats.mtimeMs <= Date.now() + FUTURE_SLACK_MS) return false
  try {
    await rmdir(lockPath)
  } catch (error) {
    // Gone already (another process removed it) is as good; anything else is a real lock we must not force.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return false
  }
  return true
}

/** write-file-atomic 7 names its temporary file `<file>.<unsigned 32-bit number>` beside the file. */
function isTempFileOf(fileName: string, candidate: string): boolean {
  return candidate.startsWith(`${fileName}.`) && /^\d{1,10}$/.test(candidate.slice(fileName.length + 1))
}

/**
 * Removes the temporary files that atomic writes of `path` left behind when
 * their process was killed mid-write (`<path>.<number>`, write-file-atomic's
 * naming), once they are older than `olderThanMs`. Never throws. Returns the
 * files removed.
 *
 * @example
 * ```ts
 * const removed = await removeStaleTempFiles('/home/me/.openclaw/memory/ima_prefs.json')
 * // ['/home/me/.openclaw/memory/ima_prefs.json.2834710592']
 * ```
 * @public
 */
export async function removeStaleTempFiles(path: string, olderThanMs: number = DEFAULT_TEMP_FILE_AGE_MS): Promise<string[]> {
  const file = resolve(path)
  const folder = dirname(file)
  const name = basename(file)
  const names = await readdir(folder).catch(() => [] as string[])
  const removed: string[] = []
  const cutoff = Date.now() - olderThanMs
  for (const candidate of names) {
    if (!isTempFileOf(name, candidate)) continue
    const target = join(folder, candidate)
    try {
      const stats = await stat(target)
      if (!stats.isFile() || stats.mtimeMs > cutoff) continue
      await unlink(target)
      removed.push(target)
    } catch {
      // Gone meanwhile, or not ours to remove: either way nothing to do.
    }
  }
  return removed
}

/** Validates a positive number-of-ms option. @example `positiveMs('staleLockMs', options.staleLockMs, 10_000)` @public */
export function positiveMs(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`Expected ${name} to be a positive number of ms, got ${String(value)}`)
  }
  return value
}
