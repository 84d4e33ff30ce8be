import type { TaskType } from '../schemas/task-type.js'

/**
 * Where a create stands in the journal:
 * - `intent`: about to be sent (a crash here leaves this; the task may or may not exist).
 * - `created`: the service gave a task id; not finished yet (what `tasks.resume()` waits for).
 * - `unknown`: the create may have reached the service but no answer proved it either way; may be charged.
 * - `refused`: the service's answer proved nothing was created (nothing charged).
 * - `succeeded` / `failed`: the wait ended with the images, or with a failure.
 * @public
 */
export type JournalState = 'intent' | 'created' | 'unknown' | 'refused' | 'succeeded' | 'failed'

/** Every journal state, in the order a task goes through them. @public */
export const JOURNAL_STATES: readonly JournalState[] = ['intent', 'created', 'unknown', 'refused', 'succeeded', 'failed']

/**
 * One create in the task journal: written before the create is sent, then
 * updated with the task id (or "outcome unknown"), then with the result.
 * Entries are plain JSON, so any store can keep them.
 * @public
 */
export interface JournalEntry {
  /** The client's own reference for this create, made before it was sent (`CreateOutcomeUnknownError.ref`). */
  ref: string
  /** Where the create stands. */
  state: JournalState
  /** The service's task id, once known. */
  taskId?: string
  /** `text_to_image` or `image_to_image`. */
  taskType: TaskType
  /** The model and version the create asked for. */
  model: { id: string; name: string; version: string }
  /** The credit rule's `attribute_id`. */
  attributeId: number
  /** Points per image. */
  credit: number
  /** Number of images. */
  n: number
  /** Points the create costs (credit × n): what may have been charged. */
  totalCredit: number
  /** The size sent, in the service's spelling. */
  size?: string
  /** The nested parameters sent, without the prompt. */
  parameters: Record<string, unknown>
  /** The prompt, only when the client has `logPrompts: true`. */
  prompt?: string
  /** The `userId` of the call, when it had one. */
  userId?: string
  /** The API host the create went to (tasks of one host cannot be read on another). */
  baseURL: string
  /** ISO-8601 time the intent was recorded, before the create was sent. */
  createdAt: string
  /** ISO-8601 time of the last change. */
  updatedAt: string
  /** True when the caller aborted while the create was in flight and the SDK read its answer in the background. */
  detached?: boolean
  /** The result URLs, once the task succeeded. */
  urls?: string[]
  /** Why the create or the wait did not succeed: the error's class name, code and message (redacted). */
  error?: { name: string; code?: string | number; message: string }
}

/**
 * Where the client journals its creates, so that every charged task can be
 * found again after an abort, an unknown outcome or a crash. Implement it to
 * keep the journal in your own storage; run `describeTaskJournalContract`
 * from `ima-open-sdk/testing` against it.
 * @public
 */
export interface TaskJournal {
  /** Writes the entry, replacing any earlier one with the same `ref`. */
  put(entry: JournalEntry): Promise<void>
  /** The entry with this `ref`, or `undefined`. */
  get(ref: string): Promise<JournalEntry | undefined>
  /** Every entry, oldest `createdAt` first. */
  list(): Promise<JournalEntry[]>
  /**
   * Optional, for journals several processes share: writes `entry` (a
   * create's intent under the caller's `ref`) only when the journal holds no
   * entry with that ref, or a `refused` one, in one atomic step; otherwise
   * writes nothing and resolves to the entry it holds. With it, two
   * processes cannot both send a create of one ref; without it the client
   * reads with `get` and then writes with `put`.
   *
   * @example
   * ```ts
   * const held = await journal.claim(intent)
   * if (held) console.log(`ref ${held.ref} is ${held.state} already`)
   * ```
   */
  claim?(entry: JournalEntry): Promise<JournalEntry | undefined>
}

/**
 * Whether an entry already held under a ref keeps a new create of that ref
 * from being sent: any entry but a `refused` one (nothing was created then).
 *
 * @example
 * ```ts
 * if (holdsRef(await journal.get(ref))) throw new Error('sent already')
 * ```
 */
export function holdsRef(entry: JournalEntry | undefined): entry is JournalEntry {
  return entry !== undefined && entry.state !== 'refused'
}

/**
 * The journal kept in this process's memory (the client's default): it
 * finds tasks after an abort or an unknown outcome, but not after a crash —
 * use `FileTaskJournal` (`ima-open-sdk/node`) or `UnstorageTaskJournal` for that.
 *
 * @example
 * ```ts
 * import { ImaClient, MemoryTaskJournal } from 'ima-open-sdk'
 * const journal = new MemoryTaskJournal()
 * const ima = new ImaClient({ journal })
 * console.log(await journal.list())
 * ```
 * @public
 */
export class MemoryTaskJournal implements TaskJournal {
  readonly #entries = new Map<string, JournalEntry>()

  /** Keeps a copy of the entry. */
  async put(entry: JournalEntry): Promise<void> {
    checkJournalEntry(entry)
    this.#entries.set(entry.ref, structuredClone(entry))
  }

  /** Keeps a copy of the entry unless a create of its ref holds it; see {@link TaskJournal.claim}. */
  async claim(entry: JournalEntry): Promise<JournalEntry | undefined> {
    const held = this.#entries.get(entry.ref)
    if (holdsRef(held)) return structuredClone(held)
    await this.put(entry)
    return undefined
  }

  /** A copy of the entry with this `ref`, or `undefined`. */
  async get(ref: string): Promise<JournalEntry | undefined> {
    const entry = this.#entries.get(ref)
    return entry ? structuredClone(entry) : undefined
  }

  /** Copies of every entry, oldest first. */
  async list(): Promise<JournalEntry[]> {
    return sortJournalEntries([...this.#entries.values()].map((entry) => structuredClone(entry)))
  }
}

/** Entries oldest `createdAt` first (ties by `ref`, so the order is stable across stores). */
export function sortJournalEntries(entries: JournalEntry[]): JournalEntry[] {
  return entries.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.ref.localeCompare(b.ref))
}

/** Whether a value read back from storage is a journal entry this SDK understands. */
export function isJournalEntry(value: unknown): value is JournalEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const entry = value as Partial<JournalEntry>
  return (
    typeof entry.ref === 'string' &&
    entry.ref !== '' &&
    typeof entry.state === 'string' &&
    JOURNAL_STATES.includes(entry.state) &&
    typeof entry.createdAt === 'string' &&
    typeof entry.updatedAt === 'string' &&
    typeof entry.model === 'object' &&
    entry.model !== null
  )
}

/** Throws a `TypeError` for an entry a store cannot keep. */
export function checkJournalEntry(entry: unknown): asserts entry is JournalEntry {
  if (!isJournalEntry(entry)) {
    throw new TypeError('Expected a journal entry { ref, state, model, createdAt, updatedAt, … } with a known state')
  }
}
