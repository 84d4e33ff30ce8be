import { appendFile, mkdir, open, readFile, stat, type FileHandle } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import writeFileAtomic from 'write-file-atomic'
import { checkJournalEntry, holdsRef, isJournalEntry, sortJournalEntries, type JournalEntry, type JournalState, type TaskJournal } from '../../stores/task-journal.js'
import { FileLockCompromisedError, FileStoreConflictError, positiveMs, removeStaleTempFiles, withFileLock, type HeldFileLock } from './file-lock.js'
import { checkStoreOptions } from '../../internal/did-you-mean.js'

/** Where the journal is kept by default: `~/.openclaw/memory/ima_tasks.jsonl`, beside the skills' `ima_prefs.json`. @example `new FileTaskJournal({ path: defaultJournalPath() })` @public */
export function defaultJournalPath(): string {
  return join(homedir(), '.openclaw', 'memory', 'ima_tasks.jsonl')
}

/** Options of {@link FileTaskJournal}. @public */
export interface FileTaskJournalOptions {
  /** The JSON-lines file. @defaultValue `~/.openclaw/memory/ima_tasks.jsonl` */
  path?: string
  /**
   * How long a lock may go without being refreshed before another process
   * takes it over (its holder crashed or stalls), in ms; at least 2000 in
   * effect. @defaultValue 10000
   */
  staleLockMs?: number
  /** How long a write waits for the lock before it fails with `FileLockTimeoutError`, in ms. @defaultValue 30000 */
  lockTimeoutMs?: number
  /**
   * Finished entries (`succeeded`, `failed`, `refused`) last updated more
   * than this many days ago are dropped when the file is compacted. Entries
   * that may still be charged (`intent`, `created`, `unknown`) are never
   * dropped. @defaultValue 30
   */
  retentionDays?: number
}

const OPTION_NAMES = Object.keys({ path: true, retentionDays: true, staleLockMs: true, lockTimeoutMs: true } satisfies Record<keyof FileTaskJournalOptions, true>)

/** What {@link FileTaskJournal.compact} did. @public */
export interface JournalCompaction {
  /** Entries in the file afterwards. */
  kept: number
  /** Finished entries dropped for being older than `retentionDays`. */
  dropped: number
  /** Whether the file was rewritten (false: it was already compact, or there is no file). */
  rewritten: boolean
  /**
   * Lines that were not JSON, moved out of the file to `<path>.damaged`
   * (appended, never overwritten): a damaged line may name a charged task,
   * so it is kept for a human to read.
   */
  movedAside: number
}

/** The file is compacted once it grows past this (or past twice its size after the last compaction, when that is larger). */
const COMPACT_AT_BYTES = 512 * 1024
const FINISHED_STATES: ReadonlySet<JournalState> = new Set<JournalState>(['succeeded', 'failed', 'refused'])
const DAY_MS = 86_400_000
/** Each try takes the lock again after losing it, or re-reads a file that changed; past this many a write fails. */
const MAX_ATTEMPTS = 5

/** What the lines of the file say, folded by `ref`. */
interface Folded {
  /** The last valid entry of each ref, in order of first appearance. */
  entries: Map<string, JournalEntry>
  /**
   * Lines that parse as an object with a `ref` but are not an entry this SDK
   * understands (a newer SDK's state): not read, but kept by compaction.
   */
  foreign: string[]
  /** Lines that are not JSON (cut short by a killed writer, or damaged by hand): never read, moved aside by compaction. */
  damaged: string[]
  /** Non-blank lines, to tell whether compaction would shrink the file. */
  lines: number
}

function fold(text: string): Folded {
  const entries = new Map<string, JournalEntry>()
  const foreign = new Set<string>()
  const damaged: string[] = []
  let lines = 0
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '') continue
    lines += 1
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch {
      // A line cut short by a killed writer (its entry was never confirmed written), or damaged by hand: it may still hold a task id.
      damaged.push(line)
      continue
    }
    if (isJournalEntry(value)) {
      // A ref keeps its place (its first line) and takes the value of its last line.
      entries.set(value.ref, value)
    } else if (typeof value === 'object' && value !== null && typeof (value as { ref?: unknown }).ref === 'string') {
      foreign.add(line)
    }
  }
  return { entries, foreign: [...foreign], damaged, lines }
}

/**
 * The task journal in a JSON-lines file, `~/.openclaw/memory/ima_tasks.jsonl`
 * by default, shared by every process of the machine: each `put` appends one
 * line holding the whole entry, and reading folds the lines by `ref` (the
 * last line wins).
 *
 * - Appends take the same cross-process lock as `FilePreferenceStore`
 *   (`<path>.lock`), so they never interleave and never race a compaction.
 * - Each append starts with a newline, so a line cut short by a killed
 *   process cannot swallow the next one; lines that do not parse, or are not
 *   entries, are skipped. Compaction moves lines that do not parse to
 *   `<path>.damaged` rather than drop them: one may name a charged task.
 * - Once the file passes 512 KiB (and at the first write of each instance)
 *   it is rewritten atomically with one line per entry, dropping finished
 *   entries older than `retentionDays` — never one that may still be charged.
 *   A compaction that finds the file changed under it (an append by a
 *   writer that lost the lock) starts again instead of losing that append.
 *
 * @example
 * ```ts
 * import { ImaClient, FileTaskJournal } from 'ima-open-sdk/node'
 * const journal = new FileTaskJournal() // ~/.openclaw/memory/ima_tasks.jsonl
 * const ima = new ImaClient({ journal })
 * const pending = (await journal.list()).filter((entry) => entry.state === 'created' || entry.state === 'unknown')
 * ```
 * @public
 */
export class FileTaskJournal implements TaskJournal {
  /** The file, as an absolute path. */
  readonly path: string
  /** Days a finished entry is kept. */
  readonly retentionDays: number
  readonly #staleMs: number
  readonly #timeoutMs: number
  /** The first-write work (leftover temporary files, an overdue compaction), run once. */
  #started: Promise<void> | undefined
  #compactAtBytes = COMPACT_AT_BYTES
  #lastCompactionError: Error | undefined

  constructor(options: FileTaskJournalOptions = {}) {
    checkStoreOptions(options, OPTION_NAMES, 'FileTaskJournal')
    if (options.path !== undefined && (typeof options.path !== 'string' || options.path === '')) {
      throw new TypeError(`Expected path to be a file path, got ${JSON.stringify(options.path)}`)
    }
    const retention = options.retentionDays ?? 30
    if (typeof retention !== 'number' || !Number.isFinite(retention) || retention < 0) {
      throw new TypeError(`Expected retentionDays to be a number of days ≥ 0, got ${String(options.retentionDays)}`)
    }
    this.path = resolve(options.path ?? defaultJournalPath())
    this.retentionDays = retention
    this.#staleMs = positiveMs('staleLockMs', options.staleLockMs, 10_000)
    this.#timeoutMs = positiveMs('lockTimeoutMs', options.lockTimeoutMs, 30_000)
  }

  /** Appends the entry; it replaces any earlier one with the same `ref`. */
  async put(entry: JournalEntry): Promise<void> {
    await this.#append(entry, false)
  }

  /**
   * Appends the entry unless a create of its ref holds it, reading and
   * appending under the file's lock, so processes sharing the file cannot
   * both claim one ref; see `TaskJournal.claim`.
   */
  async claim(entry: JournalEntry): Promise<JournalEntry | undefined> {
    return this.#append(entry, true)
  }

  async #append(entry: JournalEntry, unlessHeld: boolean): Promise<JournalEntry | undefined> {
    checkJournalEntry(entry)
    const line = `\n${JSON.stringify(entry)}\n`
    await mkdir(dirname(this.path), { recursive: true })
    this.#started ??= this.#start()
    await this.#started
    const written = await this.#locked(async (lock) => {
      if (unlessHeld) {
        const held = (await this.#fold()).entries.get(entry.ref)
        if (holdsRef(held)) return { held }
      }
      await lock.assertHeld()
      await appendFile(this.path, line, 'utf8')
      return { size: (await stat(this.path)).size }
    })
    if ('held' in written) return written.held
    if (written.size > this.#compactAtBytes) await this.#compactQuietly()
    return undefined
  }

  /** A copy of the entry with this `ref`, or `undefined`. */
  async get(ref: string): Promise<JournalEntry | undefined> {
    if (typeof ref !== 'string' || ref === '') throw new TypeError(`Expected ref to be a non-empty string, got ${JSON.stringify(ref)}`)
    return (await this.#fold()).entries.get(ref)
  }

  /** Copies of every entry, oldest `createdAt` first. */
  async list(): Promise<JournalEntry[]> {
    return sortJournalEntries([...(await this.#fold()).entries.values()])
  }

  /**
   * Rewrites the file with one line per entry, dropping finished entries
   * older than `retentionDays`. Runs by itself when the file grows; call it
   * to compact at a time of your choosing. Nothing is rewritten when the
   * file is already compact.
   *
   * @example
   * ```ts
   * const { kept, dropped } = await new FileTaskJournal().compact()
   * ```
   */
  async compact(): Promise<JournalCompaction> {
    await mkdir(dirname(this.path), { recursive: true })
    return this.#locked(async (lock) => {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
        const outcome = await this.#compactOnce(lock)
        if (outcome) return outcome
      }
      throw new FileStoreConflictError(this.path, MAX_ATTEMPTS)
    })
  }

  /** One compaction under the lock; `undefined` when the file changed before the rename (read it again). */
  async #compactOnce(lock: HeldFileLock): Promise<JournalCompaction | undefined> {
    let handle: FileHandle
    try {
      handle = await open(this.path, 'r')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kept: 0, dropped: 0, rewritten: false, movedAside: 0 }
      throw error
    }
    try {
      // Read through a handle on this very file, to see afterwards whether anything was appended to it.
      const bytes = await handle.readFile()
      const { entries, foreign, damaged, lines } = fold(bytes.toString('utf8'))
      const cutoff = Date.now() - this.retentionDays * DAY_MS
      const kept = [...entries.values()].filter((entry) => !(FINISHED_STATES.has(entry.state) && Date.parse(entry.updatedAt) < cutoff))
      const dropped = entries.size - kept.length
      if (dropped === 0 && lines === kept.length + foreign.length) return { kept: kept.length, dropped, rewritten: false, movedAside: 0 }
      const text = [...kept.map((entry) => JSON.stringify(entry)), ...foreign].map((line) => `${line}\n`).join('')

      await lock.assertHeld()
      // Appends hold the lock, but one whose writer lost it while stalled may still land: never rename over it.
      const [ours, current] = await Promise.all([handle.stat(), stat(this.path)])
      if (ours.size !== bytes.length || current.ino !== ours.ino) return undefined
      // Set aside before the rewrite: a failure here leaves the journal as it was.
      if (damaged.length > 0) await appendFile(`${this.path}.damaged`, damaged.map((line) => `${line}\n`).join(''), { mode: 0o600 })
      await writeFileAtomic(this.path, text, { encoding: 'utf8' })
      // Last resort for the same case, after the rename: carry over what reached the old file meanwhile.
      const after = await handle.stat()
      if (after.size > bytes.length) {
        const tail = Buffer.alloc(after.size - bytes.length)
        await handle.read(tail, 0, tail.length, bytes.length)
        await appendFile(this.path, Buffer.concat([Buffer.from('\n'), tail]))
      }
      this.#compactAtBytes = Math.max(COMPACT_AT_BYTES, 2 * Buffer.byteLength(text))
      return { kept: kept.length, dropped, rewritten: true, movedAside: damaged.length }
    } finally {
      await handle.close()
    }
  }

  /** First write: remove temporary files of killed compactions, and compact a file with expired entries. */
  async #start(): Promise<void> {
    await removeStaleTempFiles(this.path)
    await this.#compactQuietly()
  }

  /**
   * A compaction a put runs by itself. It never fails the put: the entry is
   * written either way, and a compaction that could not run (the lock busy,
   * the file changing) runs again at a later put.
   */
  async #compactQuietly(): Promise<void> {
    try {
      await this.compact()
    } catch (error) {
      this.#lastCompactionError = error as Error
    }
  }

  /** Why the last compaction a put ran by itself failed, if it did (puts do not fail for it). */
  get lastCompactionError(): Error | undefined {
    return this.#lastCompactionError
  }

  async #fold(): Promise<Folded> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: new Map(), foreign: [], damaged: [], lines: 0 }
      throw error
    }
    return fold(text)
  }

  /** Runs `body` under the file's lock, taking the lock again (up to 5 times) when another process took it over. */
  async #locked<T>(body: (lock: HeldFileLock) => Promise<T>): Promise<T> {
    let lastLoss: FileLockCompromisedError | undefined
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      try {
        return await withFileLock(this.path, { staleMs: this.#staleMs, timeoutMs: this.#timeoutMs }, body)
      } catch (error) {
        if (!(error instanceof FileLockCompromisedError)) throw error
        lastLoss = error
      }
    }
    throw new FileStoreConflictError(this.path, MAX_ATTEMPTS, { cause: lastLoss })
  }
}
