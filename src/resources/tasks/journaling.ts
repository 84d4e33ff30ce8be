import type { ClientContext } from '../context.js'
import { settledWithin } from '../../internal/deadline.js'
import { ImaError } from '../../errors.js'
import { redactSecrets } from '../../internal/redact.js'
import type { CreateTaskBody } from '../../schemas/tasks.js'
import type { JournalEntry, JournalState } from '../../stores/task-journal.js'
import type { PreparedTask } from './preparation.js'

/** Longest a journal write may hold up a create or a wait; a slower store is written in the background. */
export const JOURNAL_WRITE_BUDGET_MS = 1_000

/** A fresh client reference for one create (Web Crypto: Node, Bun, Deno, workers and browsers have it). */
function newReference(): string {
  return `ima-${crypto.randomUUID()}`
}

/**
 * Writes the client's creates into its task journal: the intent before a
 * create is sent, then the task id or "outcome unknown", then the result.
 * A journal that fails or is slow never fails a create or a wait — it is
 * logged, and a slow write goes on in the background — but writes of one
 * entry always land in order.
 */
export class TaskJournaling {
  readonly #context: ClientContext
  /** The last write of each entry, so a later state is never overtaken by an earlier one. */
  readonly #writes = new Map<string, Promise<void>>()
  /** Task id → entry, for the tasks this client created (waits by id find their entry without a scan). */
  readonly #byTaskId = new Map<string, JournalEntry>()

  /** The last intent's time: intents of one client get distinct, increasing times, so "newest first" is exact. */
  #lastIntentAt = 0

  constructor(context: ClientContext) {
    this.#context = context
  }

  /** Records that a create is about to be sent, and returns its entry. */
  async recordIntent(prepared: PreparedTask, body: CreateTaskBody, userId: string | undefined, ref?: string): Promise<JournalEntry> {
    const { prompt, ...parameters } = body.parameters[0].parameters
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
    await this.#write(entry)
    return entry
  }

  /** Moves an entry to a new state (with its task id, urls or error) and returns the new entry. */
  async record(
    entry: JournalEntry,
    state: JournalState,
    details: { taskId?: string; urls?: string[]; error?: unknown; detached?: boolean } = {},
  ): Promise<JournalEntry> {
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

  /** Resolves once every write started so far has landed or failed (for tests and shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.#writes.values()])
  }

  #describe(error: unknown): { name: string; code?: string | number; message: string } {
    const secrets = [this.#context.config.apiKey]
    if (error instanceof Error) {
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
    this.#writes.set(entry.ref, write)
    void write.then(() => {
      if (this.#writes.get(entry.ref) === write) this.#writes.delete(entry.ref)
    })
    return settledWithin(write, JOURNAL_WRITE_BUDGET_MS)
  }
}
