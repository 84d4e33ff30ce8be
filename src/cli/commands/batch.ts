/**
 * `ima batch <file>`: one generation per line of a JSONL or CSV file. Every
 * line is checked, then quoted, and the total confirmed, before anything is
 * created; the items run through one client, `--concurrency` at a time; the
 * summary file (one JSON row per line) is the run's state, so the same
 * command resumes an interrupted or failed batch and never creates a line
 * twice (batch/state.ts has the rules). With `--queue redis://…` the lines
 * are jobs of a BullMQ queue made by `ima worker`s instead, this process
 * planning, waiting and saving as it does for its own (batch/queue-runner.ts).
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import type { ImaLanguage } from '../../http/transport-options.js'
import type { ImaClient } from '../../node/index.js'
import type { CommandInput } from '../command.js'
import { createClient, readCommon, readTimeoutMs } from '../common.js'
import { CliError, CliUsageError, InterruptedError } from '../errors.js'
import { awaitDetachedCreate, interruptible } from '../interrupt.js'
import { out, say, type CliIO } from '../io.js'
import { wordsFor, type BatchWords, type QueueWords, type Sentence } from '../messages.js'
import type { BatchOptions } from '../options.js'
import { createPreferenceStore } from '../preferences.js'
import { createDisplay } from '../batch/display.js'
import { isCsvPath, parseBatch, type BatchItem } from '../batch/items.js'
import { fieldOfPath, planItems, planTotals, QuoteRefusedError, quoteItems, type PlanTotals, type PlannedItem } from '../batch/plan.js'
import type { BatchQueue, QueueEngine } from '../batch/queue-runner.js'
import { readGenerationRef } from '../../queue/generation-ref.js'
import { runBatch, type BatchWork, type RunReport } from '../batch/runner.js'
import { readSummaryFile, SummaryFile, type SummaryRow } from '../batch/state.js'
import { lockSummary, SummaryLockedError, type SummaryLock } from '../batch/summary-lock.js'
import { sameCommand } from '../batch/same-command.js'

/** Whose saved model a line without `model` uses: the CLI's default user, as `ima generate`. */
const PREFERENCE_USER = 'default'

function usage(sentence: Sentence): CliUsageError {
  return new CliUsageError(sentence.message, sentence.hint)
}

function failure(sentence: Sentence): CliError {
  return new CliError(sentence.message, { hint: sentence.hint })
}

/** Reads and checks the batch file; a bad line is a usage error naming it. */
async function readItems(path: string, typed: string, words: BatchWords): Promise<BatchItem[]> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw usage(words.unreadable(typed, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder' : (error as Error).message))
  }
  const baseDir = dirname(path)
  const parsed = parseBatch(text, { csv: isCsvPath(path), exists: (input) => existsSync(resolve(baseDir, input)) })
  if (parsed.ok) return parsed.items
  const [first, ...rest] = parsed.issues
  const others = [...new Set(rest.map((issue) => issue.line))].filter((line) => line !== first?.line)
  throw usage(words.badLines(first ? words.lineIssue(first) : '', others))
}

/** Holds the summary file for this run: two runs of one batch would create its lines twice. */
async function holdSummary(path: string, words: BatchWords): Promise<SummaryLock> {
  try {
    return await lockSummary(path)
  } catch (error) {
    if (error instanceof SummaryLockedError) throw failure(words.locked(path, error.pid))
    throw error
  }
}

function printPlan(io: CliIO, words: BatchWords, totals: PlanTotals, total: number): void {
  if (totals.lines === 0) say(io, words.nothingToCreate(totals.done, total))
  else {
    say(io, words.plan({ images: totals.images, lines: totals.lines, credits: totals.credits, done: totals.done }))
    for (const model of totals.byModel) say(io, words.planModel(model))
  }
  if (totals.resume > 0) say(io, words.planResume(totals.resume))
  if (totals.unknown.length > 0) {
    say(io, words.planUnknown(totals.unknown.length))
    for (const { row } of totals.unknown) say(io, words.unknownItem(row.line, row.ref ?? undefined))
  }
}

/** Asks on the terminal; Ctrl-C there is an interruption before anything was sent. */
async function confirm(io: CliIO, question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: io.stderr, terminal: true })
  try {
    return await new Promise<boolean>((resolveAnswer, reject) => {
      prompt.on('SIGINT', () => reject(new InterruptedError(undefined)))
      prompt.on('close', () => resolveAnswer(false))
      prompt.question(question, (answer) => resolveAnswer(/^\s*y(es)?\s*$/i.test(answer)))
    })
  } finally {
    prompt.close()
  }
}

/**
 * The jobs of changed lines that no worker took yet are removed: the line's old version would
 * otherwise still be made and charged, outside the summary and the budget. One a worker took is named.
 */
async function withdrawOrphanJobs(queue: BatchQueue, orphans: readonly SummaryRow[], context: { io: CliIO; words: QueueWords; quiet: boolean }): Promise<void> {
  for (const row of orphans) {
    const job = row.state === 'done' || row.task_id !== null ? undefined : readGenerationRef(row.ref)
    if (!job || job.queue !== queue.name) continue
    const outcome = await queue.withdraw(job.jobId)
    if (outcome === 'withdrawn' && !context.quiet) say(context.io, context.words.orphanWithdrawn(row.line, job.jobId))
    if (outcome === 'taken') say(context.io, context.words.orphanTaken(row.line, row.ref ?? ''))
  }
}

/** A line whose row is a job of a queue (`ima batch --queue`): only a run with `--queue` collects it, never this one's own create. */
function refuseQueueJobs(planned: readonly PlannedItem[], words: QueueWords): void {
  for (const { row, action } of planned) {
    const job = action === 'done' ? undefined : readGenerationRef(row.ref)
    if (job) throw usage(words.queueRow({ line: row.line, queue: job.queue, ref: row.ref ?? '' }))
  }
}

/** The counts of the final rows. */
function countRows(rows: readonly SummaryRow[]): { done: number; failed: number; pending: number; unknown: number; running: number } {
  const count = (state: SummaryRow['state']) => rows.filter((row) => row.state === state).length
  return {
    done: count('done'),
    failed: count('failed'),
    pending: count('pending') + count('creating'),
    unknown: count('unknown'),
    // Created and not finished (a task that failed on the service is over, not running).
    running: rows.filter((row) => row.state === 'pending' && row.task_id !== null).length,
  }
}

/** `ima batch`: check, quote, confirm, run, summarize; exit 0 all done, 1 some failed or unknown, 2 usage, 130 interrupted. */
export async function run({ options, words: args, io }: CommandInput<BatchOptions>): Promise<void> {
  const common = readCommon(options, io)
  const words = wordsFor(common.language).batch
  const typed = args[0] ?? ''
  const path = resolve(typed)
  const items = await readItems(path, typed, words)
  const summaryPath = resolve(options.summary ?? `${path}.summary.jsonl`)
  const quiet = options.quiet === true
  const ima = createClient(common, { preferences: createPreferenceStore(options, io), maxCredits: options.maxCredits })
  // --queue: bullmq and ioredis are loaded (and the Redis reached) only then, and only when a line is not done yet.
  const queued = options.queue !== undefined ? await import('../batch/queue-runner.js') : undefined
  const queue = queued && options.queue !== undefined ? queued.batchQueue(options.queue, options.queueName, common.language) : undefined

  const lock = await holdSummary(summaryPath, words)
  try {
    const previous = await readSummaryFile(summaryPath)
    const queueWords = wordsFor(common.language).queue
    const { planned, orphans } =
      queued && queue
        ? await queued.planQueueItems(items, previous, { queue, summaryPath, words: queueWords })
        : await planItems(items, previous, () => ima.tasks.recent())
    if (!queue) refuseQueueJobs(planned, queueWords)
    try {
      await quoteItems(ima, planned, PREFERENCE_USER)
    } catch (error) {
      if (!(error instanceof QuoteRefusedError)) throw error
      const issue = (error.error as { issues?: { path?: string }[] }).issues?.[0]
      throw usage(words.quoteRefused(error.item.line, fieldOfPath(issue?.path), error.message))
    }
    const totals = planTotals(planned)
    const asking = totals.lines > 0 && options.yes !== true
    if (!quiet || asking) {
      for (const row of orphans) {
        // A done row too: its task was paid for, and the summary was its record. A queued one's job is withdrawn below, or named there.
        const ref = queue && readGenerationRef(row.ref) ? undefined : (row.ref ?? undefined)
        if (row.task_id !== null || row.ref !== null) say(io, words.orphan({ line: row.line, state: row.state, taskId: row.task_id ?? undefined, ref }))
      }
      printPlan(io, words, totals, planned.length)
    }
    if (options.maxCredits !== undefined && totals.credits > options.maxCredits) throw failure(words.overBudget(totals.credits, options.maxCredits))
    if (asking) {
      if (process.stdin.isTTY !== true) throw usage(words.needYes)
      if (!(await confirm(io, words.confirm))) throw failure(words.declined)
    }
    if (queue) await withdrawOrphanJobs(queue, orphans, { io, words: queueWords, quiet })
    const engine = queued && queue ? queued.queueEngine(ima, queue, common.language) : undefined
    await runPlanned(planned, { options, io, words, summaryPath, path, quiet, ima, language: common.language, intervalMs: common.intervalMs, engine, lockLost: lock.lost })
  } finally {
    await queue?.close()
    await lock.release().catch(() => undefined)
  }
}

async function runPlanned(
  planned: PlannedItem[],
  context: {
    options: BatchOptions
    io: CliIO
    words: BatchWords
    summaryPath: string
    path: string
    quiet: boolean
    ima: ImaClient
    language: ImaLanguage
    intervalMs: number | undefined
    /** `--queue`: the lines run as jobs of the queue instead of through `ima`. */
    engine?: QueueEngine | undefined
    /** Aborts when another run took the summary's lock: nothing more may be created. */
    lockLost: AbortSignal
  },
): Promise<void> {
  const { options, io, words, summaryPath, ima, quiet, language, engine } = context
  const creditsSpent = () => engine?.creditsSpent() ?? ima.creditsSpent
  const summary = new SummaryFile(summaryPath)
  await summary.begin(planned.map((entry) => entry.row))
  const works: BatchWork[] = planned
    .filter((entry) => entry.action === 'create' || entry.action === 'resume')
    .map((entry) => ({ item: entry.item, row: entry.row, action: entry.action === 'create' ? 'create' : 'resume', ...(entry.quote ? { quote: entry.quote } : {}) }))
  const display = createDisplay(io, { quiet, language, total: planned.length, alreadyDone: planned.filter((entry) => entry.action === 'done').length })
  let interrupted = false
  let report: RunReport
  try {
    report = await interruptible(
      async (signal) => {
        // A lost lock only stops new lines: creates and waits in flight finish, their tasks recorded.
        const stopStarting = context.lockLost
        const settings = {
          concurrency: options.concurrency,
          baseDir: dirname(context.path),
          outDir: options.out !== undefined ? resolve(options.out) : undefined,
          intervalMs: context.intervalMs,
          timeoutMs: readTimeoutMs(options),
        }
        const ran = engine ? await engine.run(planned, { summary, display, signal, settings, stopStarting }) : await runBatch(ima, works, { summary, display, signal, settings, stopStarting })
        interrupted = signal.aborted
        return ran
      },
      () => undefined,
    )
  } finally {
    display.stop()
  }

  // Creates in flight at Ctrl-C: their answers are read in the background and journaled; wait for them (bounded).
  for (const detached of report.detached) {
    const verdict = await awaitDetachedCreate(ima, io, detached.error, { language })
    if (verdict.kind === 'created') await summary.update({ ...detached.row, state: 'pending', task_id: verdict.taskId, error: null }).catch(() => undefined)
    // Refused: nothing was charged; the ref stays, so the next run reads the journal's "refused" and creates it.
    else if (verdict.kind === 'refused') await summary.update({ ...detached.row, state: 'pending', error: null }).catch(() => undefined)
  }

  const rows = await summary.finish(!context.lockLost.aborted).catch((error: unknown) => {
    throw failure(words.summaryWriteFailed(summaryPath, error instanceof Error ? error.message : String(error)))
  })
  const counts = countRows(rows)
  if (options.json) {
    out(
      io,
      JSON.stringify({
        file: context.path,
        summary: summaryPath,
        total: rows.length,
        done: counts.done,
        failed: counts.failed,
        pending: counts.pending,
        unknown: counts.unknown,
        credits_spent: creditsSpent(),
        interrupted,
        items: rows,
      }),
    )
  } else out(io, summaryPath)
  if (!quiet) say(io, words.finished({ done: counts.done, total: rows.length, credits: creditsSpent(), summary: summaryPath }))

  if (summary.failure !== undefined) {
    const reason = summary.failure instanceof Error ? summary.failure.message : String(summary.failure)
    throw failure(words.summaryWriteFailed(summaryPath, reason))
  }
  if (context.lockLost.aborted) throw failure(words.lockLost(summaryPath))
  const queueWords = wordsFor(language).queue
  if (interrupted) {
    const command = sameCommand(process.argv.slice(2))
    const sentence = engine
      ? queueWords.interrupted({ done: counts.done, total: rows.length, jobs: engine.jobsLeft(), queue: engine.name, summary: summaryPath, command })
      : words.interrupted({ done: counts.done, total: rows.length, running: counts.running, summary: summaryPath, command })
    throw new InterruptedError(undefined, sentence, language)
  }
  if (counts.failed + counts.unknown + counts.pending > 0) {
    const facts = { failed: counts.failed, pending: counts.pending, unknown: counts.unknown, total: rows.length, summary: summaryPath }
    throw failure(engine ? queueWords.unfinished(facts) : words.unfinished(facts))
  }
}
