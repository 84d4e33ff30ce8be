/**
 * Ctrl-C for long waits: the first press aborts through the SDK's
 * `AbortSignal` (no request is left half-done, nothing is re-sent) and the
 * command reports the task id to resume; a second press exits at once.
 *
 * A create already sent when Ctrl-C comes is different: it may have been
 * charged. The SDK then rejects at once with a detached
 * `CreateOutcomeUnknownError` and goes on reading the create's answer in
 * the background; {@link awaitDetachedCreate} keeps the process alive
 * (bounded, or until a second Ctrl-C) so a late task id lands in the journal.
 */
import { DEFAULT_TIMEOUT_MS, type ImaLanguage } from '../http/transport-options.js'
import type { TaskDetachedSettledEvent } from '../events.js'
import type { ImaClient } from '../node/index.js'
import type { JournalEntry } from '../stores/task-journal.js'
import { EXIT, InterruptedError } from './errors.js'
import { say, type CliIO } from './io.js'
import { wordsFor } from './messages.js'

/** Extra time, past the request timeout, given to a detached create's answer (its last retry, the journal write). */
const DETACHED_GRACE_MS = 5_000

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined
}

/** Whether an error is the SDK's `CreateOutcomeUnknownError` (by name: the CLI may hold another copy of the class). */
export function isOutcomeUnknown(error: unknown): error is Error & { ref?: string; detached?: boolean; totalCredit?: number; taskId?: string } {
  return field(error, 'name') === 'CreateOutcomeUnknownError'
}

/** The task id an SDK error carries (`ImaError.taskId`), if any. */
export function taskIdOfError(error: unknown): string | undefined {
  const taskId = field(error, 'taskId')
  return typeof taskId === 'string' && taskId !== '' ? taskId : undefined
}

/**
 * Runs `work` with a signal that SIGINT (Ctrl-C) or SIGTERM (a supervisor
 * stopping the process) aborts. An abort becomes an {@link InterruptedError}
 * carrying the task id known at that moment, so it can be resumed — except
 * a `CreateOutcomeUnknownError` (Ctrl-C while the create was in flight),
 * which is passed on as it is: it may have been charged.
 *
 * @param interrupted - the error to throw for an abort, when the default words do not fit.
 */
export async function interruptible<T>(
  work: (signal: AbortSignal) => Promise<T>,
  taskId: () => string | undefined,
  interrupted: (taskId: string | undefined) => InterruptedError = (id) => new InterruptedError(id),
): Promise<T> {
  const controller = new AbortController()
  const onInterrupt = () => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted)
    controller.abort()
  }
  process.on('SIGINT', onInterrupt)
  process.on('SIGTERM', onInterrupt)
  try {
    return await work(controller.signal)
  } catch (error) {
    if (controller.signal.aborted && !isOutcomeUnknown(error)) throw interrupted(taskId() ?? taskIdOfError(error))
    throw error
  } finally {
    process.off('SIGINT', onInterrupt)
    process.off('SIGTERM', onInterrupt)
  }
}

/** How a detached create ended, as far as this process could see. */
export type DetachedVerdict =
  | { kind: 'created'; taskId: string }
  | { kind: 'refused' }
  | { kind: 'unknown' }
  /** No answer within the bound. */
  | { kind: 'no-answer' }

/**
 * Whether a journal entry holds the final word on a detached create: a task
 * id, a refusal, or an outcome still unknown after the answer failed. The
 * first `unknown` record of a detached create carries the abort itself.
 */
function verdictOf(entry: JournalEntry | undefined): DetachedVerdict | undefined {
  if (!entry) return undefined
  if (entry.taskId !== undefined) return { kind: 'created', taskId: entry.taskId }
  if (entry.state === 'refused') return { kind: 'refused' }
  if (entry.state === 'unknown' && entry.error !== undefined && entry.error.name !== 'AbortError') return { kind: 'unknown' }
  return undefined
}

/**
 * After Ctrl-C while a create was in flight: says the task may be charged
 * and where it is journaled, then waits — at most the request timeout and a
 * little more, or until a second Ctrl-C — for the create's answer, which the
 * SDK reads in the background and journals. Says what the answer was.
 */
export async function awaitDetachedCreate(
  ima: ImaClient,
  io: CliIO,
  error: { ref?: string; totalCredit?: number },
  options: { boundMs?: number; language?: ImaLanguage } = {},
): Promise<DetachedVerdict> {
  const words = wordsFor(options.language)
  const ref = error.ref
  // The intent was journaled before the create was sent: it names the model and the time.
  const entry = ref === undefined ? undefined : await ima.tasks.recent().then((entries) => entries.find((found) => found.ref === ref), () => undefined)
  const points = error.totalCredit ?? entry?.totalCredit
  const what = [entry ? `${entry.model.name} (${entry.model.id})` : undefined, points !== undefined ? words.points(points) : undefined].filter(Boolean).join(', ')
  say(io, words.detached.intro(what))
  if (ref) say(io, words.detached.reference(ref, entry?.createdAt))
  const boundMs = options.boundMs ?? DEFAULT_TIMEOUT_MS + DETACHED_GRACE_MS
  say(io, words.detached.waiting(Math.ceil(boundMs / 1000)))

  // The answer may have come before this function listened: then the journal already holds it.
  const early = verdictOf(entry)
  const verdict = early ?? await new Promise<DetachedVerdict>((resolve) => {
    let settled = false
    const finish = (value: DetachedVerdict) => {
      if (settled) return
      settled = true
      clearTimeout(deadline)
      ima.off('task.detached_settled', onSettled)
      process.off('SIGINT', onSecond)
      process.off('SIGTERM', onSecond)
      resolve(value)
    }
    const onSettled = (event: TaskDetachedSettledEvent) => {
      if (ref === undefined || event.ref !== ref) return
      finish(event.outcome === 'created' && event.taskId !== undefined ? { kind: 'created', taskId: event.taskId } : { kind: event.outcome === 'refused' ? 'refused' : 'unknown' })
    }
    const onSecond = () => {
      say(io, words.detached.exitingNow(ref))
      process.exit(EXIT.interrupted)
    }
    const deadline = setTimeout(() => finish({ kind: 'no-answer' }), boundMs)
    ima.on('task.detached_settled', onSettled)
    process.on('SIGINT', onSecond)
    process.on('SIGTERM', onSecond)
  })

  const lines =
    verdict.kind === 'created'
      ? words.detached.created(verdict.taskId)
      : verdict.kind === 'refused'
        ? words.detached.refused
        : words.detached.unknown(verdict.kind === 'no-answer', ref)
  for (const line of lines) say(io, line)
  return verdict
}
