/**
 * `ima tasks`: the task journal, newest first — every create this machine's
 * `ima` sent (or was about to send when it stopped), with its task id or
 * "no id", and how it ended. Reads the journal file only: no key, no request.
 */
import type { ImaLanguage } from '../../http/transport-options.js'
import type { ImaClient } from '../../node/index.js'
import type { JournalEntry } from '../../stores/task-journal.js'
import type { CommandInput } from '../command.js'
import { createClient, readCommon } from '../common.js'
import { renderTable } from '../format.js'
import { out, say } from '../io.js'
import { wordsFor } from '../messages.js'
import type { TasksOptions } from '../options.js'

/** States of a create that may have been charged while no task id is known. */
const UNKNOWN_STATES = ['unknown', 'intent'] as const

/** `2025-06-01 12:00:03Z`: the journal's UTC time, short and unambiguous for a support request. */
function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')
}

/** What the note column says: detached, and the error's class name. */
function noteOf(entry: JournalEntry): string {
  return [entry.detached ? 'detached' : undefined, entry.error?.name].filter(Boolean).join(' · ')
}

/** The journal as a table: one line per entry. */
export function journalTable(entries: readonly JournalEntry[], language: ImaLanguage = 'en'): string {
  const words = wordsFor(language)
  const rows = entries.map((entry) => [
    shortTime(entry.createdAt),
    entry.state,
    entry.taskId ?? words.noId,
    `${entry.model.name} (${entry.model.id})`,
    entry.size ?? '—',
    words.points(entry.totalCredit),
    noteOf(entry),
  ])
  return renderTable(words.journalHeaders, rows)
}

/** Newest first, like `tasks.recent()`. */
function newestFirst(entries: JournalEntry[]): JournalEntry[] {
  return entries.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.ref.localeCompare(a.ref))
}

/** The entries the flags ask for: all, or the union of `--pending` and `--unknown`. */
async function selectEntries(ima: ImaClient, options: { pending: boolean; unknown: boolean; limit: number | undefined }): Promise<JournalEntry[]> {
  if (!options.pending && !options.unknown) return ima.tasks.recent(options.limit === undefined ? {} : { limit: options.limit })
  const chosen = new Map<string, JournalEntry>()
  if (options.pending) for (const entry of await ima.tasks.pending()) chosen.set(entry.ref, entry)
  if (options.unknown) for (const entry of await ima.tasks.recent({ state: [...UNKNOWN_STATES] })) chosen.set(entry.ref, entry)
  const entries = newestFirst([...chosen.values()])
  return options.limit === undefined ? entries : entries.slice(0, options.limit)
}

/** What a person should do about the entries shown: resume the pending ones, check the unknown ones. */
function advice(entries: readonly JournalEntry[], language: ImaLanguage): string[] {
  const words = wordsFor(language)
  const lines: string[] = []
  const unknown = entries.filter((entry) => entry.taskId === undefined && (UNKNOWN_STATES as readonly string[]).includes(entry.state))
  if (unknown.length > 0) {
    lines.push(
      ...words.unknownAdvice(unknown.length),
      ...unknown.map((entry) => words.unknownLine(shortTime(entry.createdAt), `${entry.model.name} (${entry.model.id})`, entry.totalCredit, entry.ref)),
      words.lateAnswerNote,
    )
  }
  const pending = entries.filter((entry) => entry.state === 'created' && entry.taskId !== undefined)
  if (pending.length > 0) lines.push(words.pendingAdvice(pending.length))
  return lines
}

/** `ima tasks`: the journal, newest first, as a table or JSON. */
export async function run({ options, io }: CommandInput<TasksOptions>): Promise<void> {
  const common = readCommon(options, io)
  // Only the journal file is read: no key needed, no request made.
  const ima = createClient(common, { requireKey: false })
  const entries = await selectEntries(ima, { pending: options.pending === true, unknown: options.unknown === true, limit: options.limit })
  if (options.json) {
    out(io, JSON.stringify(entries))
    return
  }
  if (entries.length === 0) {
    const which = options.pending && options.unknown ? 'pending-or-unknown' : options.pending ? 'pending' : options.unknown ? 'unknown' : 'all'
    say(io, wordsFor(common.language).noTasks(which, common.journalPath))
    return
  }
  out(io, journalTable(entries, common.language))
  for (const line of advice(entries, common.language)) say(io, line)
}
