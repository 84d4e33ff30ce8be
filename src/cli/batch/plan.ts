/**
 * What a run of `ima batch` will do, decided before anything is spent: each
 * item's earlier row (state.ts) settled against the task journal where only
 * the journal can tell, then a quote for every item to create, and the
 * totals the person confirms.
 */
import type { ImaClient } from '../../node/index.js'
import type { TaskQuote } from '../../resources/tasks/types.js'
import type { JournalEntry } from '../../stores/task-journal.js'
import { QUOTE_PLACEHOLDER_IMAGE } from '../common.js'
import type { BatchItem } from './items.js'
import { decide, matchRows, newRow, resolveWithJournal, type SummaryRow } from './state.js'

/** What the run does with an item: nothing (done), create it, wait for its task, or leave it (unknown: may be charged). */
export type PlannedAction = 'done' | 'create' | 'resume' | 'unknown'

/** An item, its row as the run starts, and what the run does with it. */
export interface PlannedItem {
  item: BatchItem
  row: SummaryRow
  action: PlannedAction
  /** Filled by {@link quoteItems} for `create`. */
  quote?: TaskQuote
}

/** The items of this run, and the earlier rows no item has any more. */
export interface Plan {
  planned: PlannedItem[]
  orphans: SummaryRow[]
}

/** The error of a row left `creating` by a run that stopped: what is known of it. */
export const UNKNOWN_NOTE = 'the run stopped while the create was being sent: it may have been created and charged; no task id is known'

/** A row made ready for a new create: nothing of an earlier attempt (which created nothing) is kept. */
function freshRow(item: BatchItem, row: SummaryRow | undefined): SummaryRow {
  if (!row) return newRow(item)
  return { ...row, line: item.line, state: 'pending', task_id: null, ref: null, urls: [], files: [], credit: null, error: null, model: null, sent_at: null }
}

/**
 * Decides every item from the earlier rows; the journal is read (once) only
 * when a row needs it (`unknown`, `creating`, or a ref without a task id).
 */
export async function planItems(items: readonly BatchItem[], previous: readonly SummaryRow[], readJournal: () => Promise<JournalEntry[]>): Promise<Plan> {
  const { rows, orphans } = matchRows(items, previous)
  const decisions = rows.map((row) => decide(row))
  const entries = decisions.some((decision) => decision.kind === 'check') ? await readJournal() : []
  const planned = items.map((item, index): PlannedItem => {
    const row = rows[index]
    const decision = decisions[index] ?? { kind: 'create' }
    if (!row || decision.kind === 'create') return { item, row: freshRow(item, row), action: 'create' }
    if (decision.kind === 'done') return { item, row, action: 'done' }
    if (decision.kind === 'resume') return { item, row, action: 'resume' }
    const resolution = resolveWithJournal(row, entries)
    if (resolution.kind === 'resume') {
      return { item, row: { ...row, state: 'pending', task_id: resolution.taskId, ref: resolution.ref, credit: row.credit ?? resolution.credit, error: null }, action: 'resume' }
    }
    // Refused, by the journal's word: nothing was created or charged.
    if (resolution.kind === 'create') return { item, row: freshRow(item, row), action: 'create' }
    return { item, row: { ...row, state: 'unknown', ref: resolution.ref ?? null, error: row.error ?? UNKNOWN_NOTE }, action: 'unknown' }
  })
  return { planned, orphans }
}

/** A refused quote: the item and the SDK's error. */
export class QuoteRefusedError extends Error {
  override readonly name = 'QuoteRefusedError'

  constructor(
    readonly item: BatchItem,
    readonly error: unknown,
  ) {
    super(error instanceof Error ? error.message : String(error))
  }
}

/** Whether an SDK error refused the parameters themselves (a `ValidationError` and its kind): a fault of the line. */
export function isParameterRefusal(error: unknown): error is Error & { issues: { path: string; message: string }[] } {
  return error instanceof Error && Array.isArray((error as { issues?: unknown }).issues)
}

/** The batch field a refused parameter stands for (`inputImages` → `inputs`). */
export function fieldOfPath(path: string | undefined): string | undefined {
  if (path === undefined || path === '') return undefined
  const root = path.split('.')[0] ?? path
  const fields: Record<string, string> = { inputImages: 'inputs', aspectRatio: 'ratio', taskType: 'task_type', versionId: 'model', model: 'model', size: 'size', n: 'n', prompt: 'prompt' }
  return fields[root] ?? root
}

/**
 * Quotes every item to create (`tasks.quote`: nothing is sent but the
 * product list), one after the other — the list is read once and cached. A
 * line the SDK refuses throws {@link QuoteRefusedError}; other errors (the
 * network, the key) are thrown as they are.
 */
export async function quoteItems(ima: ImaClient, planned: PlannedItem[], userId: string): Promise<void> {
  for (const entry of planned) {
    if (entry.action !== 'create') continue
    const { item } = entry
    try {
      entry.quote = await ima.tasks.quote({
        prompt: item.prompt,
        taskType: item.taskType,
        n: item.n,
        // The saved model of `userId` when the line names none, as `ima generate` reads it.
        userId,
        ...(item.model !== undefined ? { model: item.model } : {}),
        ...(item.size !== undefined ? { size: item.size } : {}),
        ...(item.ratio !== undefined ? { aspectRatio: item.ratio } : {}),
        // A quote only checks that inputs exist: nothing is uploaded for it.
        ...(item.inputs.length > 0 ? { inputImages: item.inputs.map(() => QUOTE_PLACEHOLDER_IMAGE) } : {}),
      })
    } catch (error) {
      if (isParameterRefusal(error)) throw new QuoteRefusedError(item, error)
      throw error
    }
  }
}

/** What the confirmation says: the images to make and their points, by model, and what is done, resumed or left. */
export interface PlanTotals {
  /** Lines to create. */
  lines: number
  images: number
  credits: number
  done: number
  resume: number
  unknown: PlannedItem[]
  byModel: { model: string; images: number; credits: number }[]
}

/** The totals of a quoted plan. */
export function planTotals(planned: readonly PlannedItem[]): PlanTotals {
  const byModel = new Map<string, { model: string; images: number; credits: number }>()
  let images = 0
  let credits = 0
  let lines = 0
  for (const { action, quote, item } of planned) {
    if (action !== 'create') continue
    lines += 1
    const n = quote?.n ?? item.n
    const points = quote?.totalCredit ?? 0
    images += n
    credits += points
    const name = quote?.model.name ?? '?'
    const model = byModel.get(name) ?? { model: name, images: 0, credits: 0 }
    model.images += n
    model.credits += points
    byModel.set(name, model)
  }
  return {
    lines,
    images,
    credits,
    done: planned.filter((entry) => entry.action === 'done').length,
    resume: planned.filter((entry) => entry.action === 'resume').length,
    unknown: planned.filter((entry) => entry.action === 'unknown'),
    byModel: [...byModel.values()].sort((a, b) => b.credits - a.credits || a.model.localeCompare(b.model)),
  }
}
