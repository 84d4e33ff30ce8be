/**
 * Runs the items of `ima batch` through one client: a pool of
 * `--concurrency` items, each an upload (local inputs), a create and a wait
 * (`ima.generate`), or only a wait for a task created by an earlier run
 * (`ima.tasks.wait`), then the download into `--out`. Every step is written
 * to the summary file as it happens, in this order: `creating` before the
 * create is sent, the task id as soon as the service gives it (`onCreated`,
 * before the wait), the result at the end — so a stop at any point leaves on
 * disk what the next run needs to never create an item twice.
 *
 * Each create carries its own journal ref (`batch-<uuid>`, written in the
 * `creating` row before it is sent), so a run stopped between "about to
 * send" and the answer finds that create in the journal by its ref, and the
 * SDK refuses to send a ref its journal holds. Creates go out one at a time
 * (waits, uploads and downloads overlap): a create takes a fraction of a
 * second next to the wait, and the service sees no burst.
 */
import { join, resolve } from 'node:path'
import { downloadResult, type ImaClient } from '../../node/index.js'
import type { CreatedTask, TaskQuote, TaskResult } from '../../resources/tasks/types.js'
import { defaultResultFileName, numberedFileName } from '../files.js'
import { isOutcomeUnknown } from '../interrupt.js'
import { TaskFailedError } from '../../errors.js'
import type { BatchDisplay, ItemEnd } from './display.js'
import { isUrl, type BatchItem } from './items.js'
import type { SummaryFile, SummaryRow } from './state.js'

/** One item to run, and what it needs. */
export interface BatchWork {
  item: BatchItem
  /** Its row as the run starts. */
  row: SummaryRow
  /** `create`: upload, create and wait; `resume`: wait for `row.task_id`, created before. */
  action: 'create' | 'resume'
  /** What the create was quoted (model, version, points): what it asks for. Required for `create`. */
  quote?: TaskQuote
}

/** A create in flight when the run was interrupted: its answer is read in the background (`awaitDetachedCreate`). */
export interface DetachedCreate {
  work: BatchWork
  row: SummaryRow
  error: { ref?: string; totalCredit?: number }
}

/** How to run. */
export interface RunSettings {
  concurrency: number
  /** The batch file's folder: relative input paths are read from there. */
  baseDir: string
  /** Save every result into this folder; undefined: record the URLs only. */
  outDir: string | undefined
  intervalMs: number | undefined
  timeoutMs: number | undefined
}

/** What the pool left for the command to settle. */
export interface RunReport {
  detached: DetachedCreate[]
}

/**
 * The file names of a task's results inside `--out`: the line's `out` (then
 * `name-2.png`… for more images), else `<prompt-slug>-<task-id>.png`
 * (`-<task-id>-2` for more).
 */
export function resultFileNames(item: Pick<BatchItem, 'out' | 'prompt'>, taskId: string, urls: readonly string[]): string[] {
  const { out } = item
  return urls.map((url, index) => (out !== undefined ? numberedFileName(out, index) : defaultResultFileName(item.prompt, taskId, url, index, urls.length)))
}

/** One create at a time: `acquire` resolves with its release (which may be called more than once). */
class CreateGate {
  #tail: Promise<void> = Promise.resolve()

  acquire(): Promise<() => void> {
    let open: () => void = () => undefined
    const held = new Promise<void>((resolveHeld) => (open = resolveHeld))
    const ready = this.#tail.then(() => open)
    this.#tail = this.#tail.then(() => held)
    return ready
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * Runs the works, at most `concurrency` at a time, until they are done or
 * `signal` aborts (Ctrl-C): then no new item starts, waits and downloads
 * stop (their tasks keep their ids in the summary), and a create in flight
 * is handed back as detached. `stopStarting` (the summary's lock was taken)
 * only stops new items: what is in flight finishes.
 */
export async function runBatch(
  ima: ImaClient,
  works: readonly BatchWork[],
  context: { summary: SummaryFile; display: BatchDisplay; settings: RunSettings; signal: AbortSignal; stopStarting?: AbortSignal },
): Promise<RunReport> {
  const { summary, display, settings, signal } = context
  const mayStart = () => !signal.aborted && context.stopStarting?.aborted !== true && summary.failure === undefined
  const queue = [...works]
  const gate = new CreateGate()
  const detached: DetachedCreate[] = []
  const waitOptions = {
    ...(settings.intervalMs !== undefined ? { intervalMs: settings.intervalMs } : {}),
    ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
  }
  // A write that failed is recorded by the summary (its `failure` stops the pool); the row goes on in memory.
  const write = (row: SummaryRow): Promise<SummaryRow> => summary.update(row).catch(() => row)
  const failed = async (row: SummaryRow, error: unknown): Promise<ItemEnd> => ({ row: await write({ ...row, state: 'failed', error: messageOf(error) }), message: messageOf(error) })
  // A wait that ended without the task's verdict (its deadline, an outage): the task runs on and is paid for — pending, for the next run.
  const waitEnded = async (row: SummaryRow, error: unknown): Promise<ItemEnd> =>
    error instanceof TaskFailedError ? failed(row, error) : { row: await write({ ...row, state: 'pending', error: messageOf(error) }), message: messageOf(error) }

  /** The result saved (with `--out`), then the row `done`; an abort leaves it pending with its task id and URLs. */
  const finish = async (work: BatchWork, start: SummaryRow, result: TaskResult): Promise<ItemEnd | undefined> => {
    let row: SummaryRow = { ...start, task_id: result.taskId, urls: result.urls }
    const files: string[] = []
    if (settings.outDir !== undefined) {
      const names = resultFileNames(work.item, result.taskId, result.urls)
      try {
        for (const [index, url] of result.urls.entries()) {
          const saved = await downloadResult(url, join(settings.outDir, names[index] ?? `${result.taskId}-${index + 1}.png`), { signal })
          files.push(saved.path)
        }
      } catch (error) {
        row = await write({ ...row, state: signal.aborted ? 'pending' : 'failed', error: messageOf(error) })
        // The task is done and paid for: the next run waits for it again (an instant answer) and saves it, it never creates it.
        return signal.aborted ? undefined : { row, message: messageOf(error) }
      }
    }
    row = await write({ ...row, state: 'done', files, error: null })
    return { row }
  }

  const create = async (work: BatchWork): Promise<ItemEnd | undefined> => {
    const { item, quote } = work
    let row = work.row
    if (!quote) return failed(row, new Error('internal: no quote for a create'))
    let inputImages: string[] | undefined
    if (item.inputs.length > 0) {
      try {
        // Uploaded before the create's turn, so uploads overlap; URLs pass as they are.
        inputImages = await ima.uploads.putAll(
          item.inputs.map((input) => (isUrl(input) ? input : resolve(settings.baseDir, input))),
          { signal },
        )
      } catch (error) {
        return signal.aborted ? undefined : failed(row, error)
      }
    }
    const release = await gate.acquire()
    let created: CreatedTask | undefined
    try {
      if (!mayStart()) return undefined
      // On disk before the create is sent: a run that stops from here on never sends it again blindly.
      // A fresh ref per attempt: an attempt the service refused leaves its ref 'refused' in the journal, and the next one needs its own.
      const ref = `batch-${crypto.randomUUID()}`
      row = await summary.update({ ...row, state: 'creating', task_id: null, ref, urls: [], files: [], error: null, model: quote.model.id, credit: quote.totalCredit, sent_at: new Date().toISOString() })
      if (signal.aborted) {
        row = await write({ ...row, state: 'pending', sent_at: null, ref: null })
        return undefined
      }
      const result = await ima.generate(
        {
          prompt: item.prompt,
          // The model and version quoted: what was shown and confirmed is what is created.
          model: quote.model.id,
          versionId: quote.model.version,
          taskType: item.taskType,
          n: item.n,
          ...(item.size !== undefined ? { size: item.size } : {}),
          ...(item.ratio !== undefined ? { aspectRatio: item.ratio } : {}),
          ...(inputImages ? { inputImages } : {}),
          ...waitOptions,
          ref,
          onCreated: (task) => {
            created = task
            release()
            row = { ...row, state: 'pending', task_id: task.id, ref: task.ref, credit: task.totalCredit }
            void write(row)
            display.spent(ima.creditsSpent)
          },
        },
        { signal },
      )
      return await finish(work, row, result)
    } catch (error) {
      if (created) {
        // The task exists (its id is on disk): interrupted, it is resumed next run; a failure is recorded with its id.
        if (signal.aborted) return undefined
        return waitEnded(row, error)
      }
      if (isOutcomeUnknown(error)) {
        // May have been created and charged: never created again by a later run unless the journal proves what happened.
        row = await write({ ...row, state: 'unknown', ref: error.ref ?? row.ref, error: messageOf(error) })
        if (error.detached === true) {
          detached.push({ work, row, error })
          return undefined
        }
        return { row, message: messageOf(error) }
      }
      // Anything else proves nothing was created: refused by the service, or stopped before the send. Its ref is spent.
      if (signal.aborted) {
        await write({ ...row, state: 'pending', sent_at: null, ref: null })
        return undefined
      }
      return failed({ ...row, sent_at: null, ref: null }, error)
    } finally {
      // The next create's turn (already given in onCreated when the service accepted this one).
      release()
    }
  }

  const resume = async (work: BatchWork): Promise<ItemEnd | undefined> => {
    const taskId = work.row.task_id
    if (taskId === null) return failed(work.row, new Error('internal: no task id to resume'))
    let result: TaskResult
    try {
      result = await ima.tasks.wait(taskId, { signal, ...waitOptions })
    } catch (error) {
      return signal.aborted ? undefined : waitEnded(work.row, error)
    }
    return finish(work, work.row, result)
  }

  const worker = async (): Promise<void> => {
    for (;;) {
      if (!mayStart()) return
      const work = queue.shift()
      if (!work) return
      display.started()
      let end: ItemEnd | undefined
      try {
        end = work.action === 'create' ? await create(work) : await resume(work)
      } catch (error) {
        // Not expected (every step catches its own): the row keeps what was written; say it and go on.
        end = signal.aborted ? undefined : { row: { ...work.row, state: 'failed', error: messageOf(error) }, message: messageOf(error) }
      }
      display.ended(end)
    }
  }
  await Promise.all(Array.from({ length: Math.min(Math.max(1, settings.concurrency), queue.length) }, () => worker()))
  return { detached }
}
