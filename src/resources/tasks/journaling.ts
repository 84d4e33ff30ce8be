import type { ClientContext } from '../context.js'
import { promiseFrom, settledWithin } from '../../internal/deadline.js'
import { untilAborted } from '../../internal/abort.js'
import { DuplicateCreateError, ImaAbortError, ImaError } from '../../errors.js'
import { isErrorLike } from '../../internal/cause-chain.js'
import { isPromptField, redactSecrets } from '../../internal/redact.js'
import type { CreateTaskBody } from '../../schemas/tasks.js'
import { holdsRef, type JournalEntry, type JournalState, type TaskJournal } from '../../stores/task-journal.js'
import type { PreparedTask } from './preparation.js'

/** Longest a journal write may hold up a create or a wait; a slower store is written in the background. */
export const JOURNAL_WRITE_BUDGET_MS = 1_000

/** A fresh client reference for one create (Web Crypto: Node, Bun, Deno, workers and browsers have it). */
function newReference(): string {
  return `ima-${crypto.randomUUID()}`
}

/**
 * Writes a create's intent under a caller's ref unless a create that was not
 * refused holds the ref: in one step where the journal can (`claim`), else a
 * read and then a write. Resolves to the entry that holds it, if one does.
 */
async function claimRef(journal: TaskJournal, entry: JournalEntry): Promise<JournalEntry | undefined> {
  if (journal.claim) return journal.claim(entry)
  const held = await journal.get(entry.ref)
  if (holdsRef(held)) return held
  await journal.put(entry)
  return undefined
}

/**
 * Writes the client's creates into its task journal: the intent before a
 * create is sent, then the task id or "outcome unknown", then the result.
 * A create is sent only once its intent has landed, so a charged task can
 * always be found again; later writes that fail or are slow never fail a
 * create or a wait — they are logged, and a slow write goes on in the
 * background — but writes of one entry always land in order.
 */
export class TaskJournaling {
  readonly #context: ClientContext
  /** The last write of each entry, so a later state is never overtaken by an earlier one. */
  readonly #writes = new Map<string, Promise<void>>()
  /** Task id → entry, for the tasks this client created (waits by id find their entry without a scan). */
  readonly #byTaskId = new Map<string, JournalEntry>()

  /** Caller refs whose create this client is sending, from its intent to its answer: one client never sends two creates of one ref at once. */
  readonly #sendingRefs = new Map<string, JournalEntry>()

  /** The last intent's time: intents of one client get distinct, increasing times, so "newest first" is exact. */
  #lastIntentAt = 0

  constructor(context: ClientContext) {
    this.#context = context
  }

  /**
   * Records that a create is about to be sent, and returns its entry once it
   * has landed. Throws, and nothing may be sent, when the journal cannot be
   * written (`journal_unavailable`), when a create holds the caller's `ref`
   * (`DuplicateCreateError`), or when `signal` aborts first.
   */
  async recordIntent(prepared: PreparedTask, body: CreateTaskBody, userId: string | undefined, ref: string | undefined, signal: AbortSignal | undefined): Promise<JournalEntry> {
    const { prompt, ...sent } = body.parameters[0].parameters
    // Every field that carries the prompt (`negative_prompt` in extra parameters too) stays out unless the client logs prompts.
    const parameters = this.#context.config.logPrompts ? sent : Object.fromEntries(Object.entries(sent).filter(([name]) => !isPromptField(name)))
    this.#lastIntentAt = Math.max(Date.now(), this.#lastIntentAt + 1)
    const now = new Date(this.#lastIntentAt).toISOString()
    const entry: JournalEntry = {
      ref: ref ?? newReference(),
      state: 'intent',
      taskType: prepared.taskType,
      model: { id: prepared.leaf.model_id, name: prepared.leaf.name, version: prepared.leaf.id },
      attributeId: prepared.attributeId,
      credit: prepared.credit,
      n: prepared.n,
      totalCredit: prepared.totalCredit,
      ...(typeof parameters.size === 'string' ? { size: parameters.size } : {}),
      parameters,
      ...(this.#context.config.logPrompts ? { prompt } : {}),
      ...(userId !== undefined ? { userId } : {}),
      baseURL: this.#context.config.baseURL,
      createdAt: now,
      updatedAt: now,
    }
    if (ref !== undefined) {
      const sending = this.#sendingRefs.get(ref)
      if (sending) throw new DuplicateCreateError(sending)
      this.#sendingRefs.set(ref, entry)
    }
    const { journal } = this.#context.config
    // After the ref's last write: a refusal of an earlier try must not land over this intent.
    const previous = this.#writes.get(entry.ref) ?? Promise.resolve()
    const landing = previous.then(() => promiseFrom(() => (ref === undefined ? journal.put(entry).then(() => undefined) : claimRef(journal, entry))))
    // The entry's later writes land after its intent.
    this.#chain(entry.ref, landing.then(() => {}, () => {}))
    try {
      const held = await untilAborted(landing, signal)
      if (held) throw new DuplicateCreateError(held)
      return entry
    } catch (error) {
      if (ref !== undefined) this.#sendingRefs.delete(ref)
      if (error instanceof DuplicateCreateError) throw error
      if (error instanceof ImaAbortError) {
        // Nothing was sent: an intent that lands after the abort is marked refused, unless the ref was another create's.
        void landing.then((held) => (held ? undefined : this.record(entry, 'refused', { error })), () => {})
        throw error
      }
      throw this.unavailable(error, 'written', 'a create is sent only once it is journaled, so that a charged task can always be found again')
    }
  }

  /** Moves an entry to a new state (with its task id, urls or error) and returns the new entry. */
  async record(
    entry: JournalEntry,
    state: JournalState,
    details: { taskId?: string; urls?: string[]; error?: unknown; detached?: boolean } = {},
  ): Promise<JournalEntry> {
    // Past its intent the journal holds the ref (or, refused, frees it for the next try).
    if (this.#sendingRefs.get(entry.ref) === entry) this.#sendingRefs.delete(entry.ref)
    const next: JournalEntry = { ...entry, state, updatedAt: new Date().toISOString() }
    if (details.taskId !== undefined) next.taskId = details.taskId
    if (details.urls !== undefined) next.urls = details.urls
    if (details.detached) next.detached = true
    if (details.error !== undefined) next.error = this.#describe(details.error)
    else if (state === 'created' || state === 'succeeded') delete next.error
    // Only unfinished tasks are remembered, so a long-running client does not collect every task it made.
    if (next.taskId !== undefined) {
      if (state === 'succeeded' || state === 'failed') this.#byTaskId.delete(next.taskId)
      else this.#byTaskId.set(next.taskId, next)
    }
    await this.#write(next)
    return next
  }

  /** This client's own unfinished task of that id, without a read of the journal (for a wait by id: its model and start). */
  ownTask(taskId: string): JournalEntry | undefined {
    return this.#byTaskId.get(taskId)
  }

  /** The entry of a task, by its id: this client's own first, else a scan of the journal (another process's task). */
  async findByTaskId(taskId: string): Promise<JournalEntry | undefined> {
    const known = this.#byTaskId.get(taskId)
    if (known) return known
    try {
      const entries = await this.#context.config.journal.list()
      return [...entries].reverse().find((entry) => entry.taskId === taskId)
    } catch (error) {
      this.#context.config.logger.warn('ima journal read failed', { taskId, error: this.#describe(error).message })
      return undefined
    }
  }

  /** Records how a wait on a journaled task ended; a task the journal does not know is left alone. */
  async recordWaitOutcome(taskId: string, outcome: { urls: string[] } | { error: unknown }): Promise<void> {
    const entry = await this.findByTaskId(taskId)
    if (!entry) return
    if ('urls' in outcome) await this.record(entry, 'succeeded', { urls: outcome.urls })
    // Only a verdict on the task ends it; a timeout or an outage leaves it pending, to resume.
    else if (outcome.error instanceof ImaError && outcome.error.name === 'TaskFailedError') await this.record(entry, 'failed', { error: outcome.error })
  }

  /** The refusal of a create whose journal could not be read or written: nothing was sent. */
  unavailable(error: unknown, failed: 'read' | 'written', rule: string): ImaError {
    return new ImaError(`The task journal could not be ${failed} (${this.#describe(error).message}): ${rule}. Nothing was sent.`, { code: 'journal_unavailable', cause: error })
  }

  /** Resolves once every write started so far has landed or failed (for tests and shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.#writes.values()])
  }

  #describe(error: unknown): { name: string; code?: string | number; message: string } {
    const secrets = [this.#context.config.apiKey]
    if (isErrorLike(error)) {
      const code = error instanceof ImaError ? error.code : undefined
      return { name: error.name, ...(code !== undefined ? { code } : {}), message: redactSecrets(error.message, secrets) }
    }
    return { name: 'Error', message: redactSecrets(String(error), secrets) }
  }

  /** Writes after the entry's previous write, waiting at most the write budget for it. */
  #write(entry: JournalEntry): Promise<void> {
    const { journal, logger } = this.#context.config
    const previous = this.#writes.get(entry.ref) ?? Promise.resolve()
    const write = previous.then(() => journal.put(entry)).then(
      () => {},
      (error: unknown) => {
        logger.warn('ima journal write failed', { ref: entry.ref, taskId: entry.taskId, state: entry.state, error: this.#describe(error).message })
      },
    )
    this.#chain(entry.ref, write)
    return settledWithin(write, JOURNAL_WRITE_BUDGET_MS)
  }

  /** Makes `write` the entry's last write, forgotten once it has landed. */
  #chain(ref: string, write: Promise<void>): void {
    this.#writes.set(ref, write)
    void write.then(() => {
      if (this.#writes.get(ref) === write) this.#writes.delete(ref)
    })
  }
}
