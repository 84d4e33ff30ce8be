/**
 * The summary file of `ima batch`, which is also its state: one JSON row per
 * input item, appended as the item moves (the last row of an item wins) and
 * rewritten compacted, atomically, at the start and the end of a run. The
 * rules here decide, from the rows of an earlier run (and the task journal),
 * what each item needs now — and never create an item twice:
 *
 * - `done`: skipped, no request.
 * - a `task_id` (pending, failed, or found in the journal): waited for, never created again.
 * - `unknown` — a create whose answer was lost — and `creating` — a create
 *   sent by a run that stopped before recording its answer: looked up in the
 *   journal by `ref`; with a task id there, resumed; refused there (nothing
 *   was charged), created again; otherwise left `unknown` and never created again.
 * - `pending` or `failed` without a task id: nothing was created (the SDK
 *   proves it before it throws anything but `CreateOutcomeUnknownError`), so it is created.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import writeFileAtomic from 'write-file-atomic'
import type { JournalEntry } from '../../stores/task-journal.js'
import type { BatchItem } from './items.js'

/** Where an item stands. `creating` is on disk only between "about to send" and the create's answer. */
export type RowState = 'done' | 'failed' | 'pending' | 'unknown' | 'creating'

const ROW_STATES: readonly RowState[] = ['done', 'failed', 'pending', 'unknown', 'creating']

/** One row of the summary file (snake_case, every key present, for jq and spreadsheets). */
export interface SummaryRow {
  /** The input line (1-based). */
  line: number
  /** The item's hash (`itemKey`). */
  key: string
  state: RowState
  task_id: string | null
  /** The task journal's reference of the create (`JournalEntry.ref`), once known. */
  ref: string | null
  urls: string[]
  /** Saved files (with `--out`), absolute paths. */
  files: string[]
  /** Points of the task (credit × n): the quote's until the service accepted it. */
  credit: number | null
  error: string | null
  /** The model id the create asked for. */
  model: string | null
  /** When the create was about to be sent (ISO-8601): finds its journal entry if the run stopped before the answer. */
  sent_at: string | null
  updated_at: string
}

/** What an item needs, from its row alone. */
export type RowDecision =
  | { kind: 'done' }
  | { kind: 'create' }
  | { kind: 'resume'; taskId: string }
  /** Only the journal can tell: a create whose outcome is unknown, or one left `creating`. */
  | { kind: 'check' }

/** What an item needs once the journal was read. */
export type Resolution =
  | { kind: 'resume'; taskId: string; ref: string; credit: number }
  | { kind: 'create' }
  | { kind: 'unknown'; ref: string | undefined }

/** The identity of an item: its line and its key. */
export function identity(row: { line: number; key: string }): string {
  return `${row.line}:${row.key}`
}

/** A fresh row for an item no run has touched. */
export function newRow(item: Pick<BatchItem, 'line' | 'key'>, now = new Date()): SummaryRow {
  return {
    line: item.line,
    key: item.key,
    state: 'pending',
    task_id: null,
    ref: null,
    urls: [],
    files: [],
    credit: null,
    error: null,
    model: null,
    sent_at: null,
    updated_at: now.toISOString(),
  }
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : []
}

/** A row read back from the file, or undefined for a line that is not one (a torn last write, a stray edit). */
export function readRow(value: unknown): SummaryRow | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const raw = value as Record<string, unknown>
  if (typeof raw.line !== 'number' || !Number.isInteger(raw.line) || typeof raw.key !== 'string' || raw.key === '') return undefined
  if (typeof raw.state !== 'string' || !ROW_STATES.includes(raw.state as RowState)) return undefined
  return {
    line: raw.line,
    key: raw.key,
    state: raw.state as RowState,
    task_id: stringOrNull(raw.task_id),
    ref: stringOrNull(raw.ref),
    urls: strings(raw.urls),
    files: strings(raw.files),
    credit: typeof raw.credit === 'number' && Number.isFinite(raw.credit) ? raw.credit : null,
    error: stringOrNull(raw.error),
    model: stringOrNull(raw.model),
    sent_at: stringOrNull(raw.sent_at),
    updated_at: stringOrNull(raw.updated_at) ?? new Date(0).toISOString(),
  }
}

/**
 * The latest row of each item in the text of a summary file (appended rows:
 * the last one of an item wins), in the order items first appear. Lines
 * that are not rows are skipped.
 */
export function parseSummary(text: string): SummaryRow[] {
  const latest = new Map<string, SummaryRow>()
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch {
      continue
    }
    const row = readRow(value)
    if (!row) continue
    // A Map keeps the order of first insertion: a later row replaces the value, not the place.
    latest.set(identity(row), row)
  }
  return [...latest.values()]
}

/** The rows of the summary file at `path`; none when it does not exist yet. */
export async function readSummaryFile(path: string): Promise<SummaryRow[]> {
  try {
    return parseSummary(await readFile(path, 'utf8'))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
}

/** The earlier rows matched to the items of this run, and the rows no item matched. */
export interface MatchedRows {
  /** By item index: the item's earlier row (its `line` set to the item's own), if any. */
  rows: (SummaryRow | undefined)[]
  /** Rows of items the input no longer has (a line edited or removed). */
  orphans: SummaryRow[]
}

/**
 * Matches earlier rows to items: first by line and key; then a row whose key
 * no item of its line has goes to an unmatched item with the same key (a
 * line moved by an inserted or removed line keeps its row, in order), so
 * adding a comment line never creates anything twice.
 */
export function matchRows(items: readonly Pick<BatchItem, 'line' | 'key'>[], previous: readonly SummaryRow[]): MatchedRows {
  const byIdentity = new Map(previous.map((row) => [identity(row), row]))
  const used = new Set<SummaryRow>()
  const rows: (SummaryRow | undefined)[] = items.map((item) => {
    const row = byIdentity.get(identity(item))
    if (row) used.add(row)
    return row
  })
  const spareByKey = new Map<string, SummaryRow[]>()
  for (const row of [...previous].sort((a, b) => a.line - b.line)) {
    if (used.has(row)) continue
    spareByKey.set(row.key, [...(spareByKey.get(row.key) ?? []), row])
  }
  items.forEach((item, index) => {
    if (rows[index]) return
    const spare = spareByKey.get(item.key)?.shift()
    if (!spare) return
    used.add(spare)
    rows[index] = { ...spare, line: item.line }
  })
  return { rows, orphans: previous.filter((row) => !used.has(row)) }
}

/** What an item needs from its earlier row alone. */
export function decide(row: SummaryRow | undefined): RowDecision {
  if (!row) return { kind: 'create' }
  if (row.state === 'done') return { kind: 'done' }
  if (row.task_id !== null) return { kind: 'resume', taskId: row.task_id }
  if (row.state === 'unknown' || row.state === 'creating') return { kind: 'check' }
  // pending or failed without a task id: nothing was created, unless a ref says a create went out (the journal tells).
  return row.ref !== null ? { kind: 'check' } : { kind: 'create' }
}

/** What a row the journal must settle needs: resume its task, create it (refused: nothing charged), or stay unknown. */
export function resolveWithJournal(row: SummaryRow, entries: readonly JournalEntry[]): Resolution {
  // A row without a ref (a summary written before refs were kept) cannot be matched: it stays unknown, never created again.
  const entry = row.ref !== null ? entries.find((found) => found.ref === row.ref) : undefined
  const ref = entry?.ref ?? row.ref ?? undefined
  if (!entry) return { kind: 'unknown', ref }
  if (entry.taskId !== undefined) return { kind: 'resume', taskId: entry.taskId, ref: entry.ref, credit: entry.totalCredit }
  if (entry.state === 'refused') return { kind: 'create' }
  return { kind: 'unknown', ref: entry.ref }
}

/**
 * The summary file of a run: every change appended as a row (so a crash
 * leaves each item's last state on disk), then the whole file rewritten with
 * one row per item, atomically (write-file-atomic). Writes land in order.
 */
export class SummaryFile {
  readonly path: string
  readonly #rows = new Map<string, SummaryRow>()
  #order: string[] = []
  #chain: Promise<void> = Promise.resolve()
  #failure: unknown

  constructor(path: string) {
    this.path = path
  }

  /** The first write that failed, if any: the run must not create more. */
  get failure(): unknown {
    return this.#failure
  }

  /** Every row, in input order. */
  rows(): SummaryRow[] {
    return this.#order.map((id) => this.#rows.get(id)).filter((row): row is SummaryRow => row !== undefined)
  }

  /** Starts the run's file: one row per item, in this order, written atomically. */
  async begin(rows: readonly SummaryRow[]): Promise<void> {
    this.#order = rows.map(identity)
    for (const row of rows) this.#rows.set(identity(row), row)
    await mkdir(dirname(this.path), { recursive: true })
    await this.#enqueue(() => this.#rewrite())
  }

  /** Records an item's new row: appended to the file; resolves once it is written. */
  update(row: SummaryRow): Promise<SummaryRow> {
    const stamped = { ...row, updated_at: new Date().toISOString() }
    this.#rows.set(identity(stamped), stamped)
    return this.#enqueue(() => appendFile(this.path, `${JSON.stringify(stamped)}\n`)).then(() => stamped)
  }

  /**
   * Ends the run's file: every pending write landed, then one row per item
   * rewritten atomically. A row still `creating` (its create never settled in
   * this process) is written `unknown`: it may have been charged.
   *
   * @param rewrite - false when another run holds the file now: its rows must stay, so this run's last rows are only appended.
   */
  async finish(rewrite = true): Promise<SummaryRow[]> {
    for (const [id, row] of this.#rows) {
      if (row.state !== 'creating') continue
      const unknown = { ...row, state: 'unknown' as const }
      if (rewrite) this.#rows.set(id, { ...unknown, updated_at: new Date().toISOString() })
      else await this.update(unknown)
    }
    if (rewrite) await this.#enqueue(() => this.#rewrite())
    else await this.#chain
    return this.rows()
  }

  #rewrite(): Promise<void> {
    const text = this.rows()
      .map((row) => `${JSON.stringify(row)}\n`)
      .join('')
    return writeFileAtomic(this.path, text)
  }

  #enqueue(write: () => Promise<void>): Promise<void> {
    const next = this.#chain.then(write)
    this.#chain = next.catch((error: unknown) => {
      this.#failure ??= error
    })
    return next
  }
}
