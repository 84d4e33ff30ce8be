/**
 * `ima wait <task-id>`: resume waiting for a task (after Ctrl-C or a
 * time-out); `ima wait --all-pending`: every task the journal holds as
 * created but not finished.
 */
import { translateError } from '../../chat/translate-error.js'
import type { ImaLanguage } from '../../http/transport-options.js'
import type { ImaClient } from '../../node/index.js'
import type { ResumeOutcome } from '../../resources/tasks/types.js'
import type { CommandInput } from '../command.js'
import { createClient, readCommon, readTimeoutMs, type CommonOptions } from '../common.js'
import { CliError, CliUsageError, EXIT, InterruptedError } from '../errors.js'
import { printResult, runWait, saveResult, savedFields } from '../generation.js'
import { interruptible } from '../interrupt.js'
import { out, say, type CliIO } from '../io.js'
import { wordsFor } from '../messages.js'
import type { WaitOptions } from '../options.js'

/** A task of `--all-pending` that ended without a saved result, and why, in the report's words. */
function failureLine(taskId: string, error: unknown, language: ImaLanguage): string {
  const words = wordsFor(language)
  if (error instanceof CliError) return error.hint ? words.resumedFailure(taskId, error.message, error.hint) : words.taskOf(taskId, error.message).message
  // Not "may still arrive": the service says it does not know the task — most often another key or base URL made it.
  if ((error as { name?: unknown } | undefined)?.name === 'NotFoundError') return words.resumedFailure(taskId, `${words.unknownToService.message} (NotFoundError)`, words.unknownToService.next)
  const translated = translateError(error, language)
  const name = typeof (error as { name?: unknown })?.name === 'string' ? ` (${(error as { name: string }).name})` : ''
  const next = translated.kind === 'timeout' || translated.kind === 'network' || translated.kind === 'unavailable' || translated.kind === 'server'
    ? words.stillRunning(taskId)
    : translated.action
  // The service's reason, when it gave one, names the cause better than the table's sentence.
  const reason = (error as { reason?: unknown } | undefined)?.reason
  const message = typeof reason === 'string' && reason !== '' ? `${translated.message}: ${reason}` : translated.message
  return words.resumedFailure(taskId, `${message}${name}`, next)
}

/** `--all-pending`: `tasks.resume()`, one result line per task; false when any failed. */
async function resumeAll(
  ima: ImaClient,
  io: CliIO,
  common: CommonOptions,
  args: { out?: string; open?: boolean; json?: boolean; quiet?: boolean; timeoutMs: number | undefined },
): Promise<boolean> {
  const words = wordsFor(common.language)
  const pending = await ima.tasks.pending()
  if (pending.length === 0) {
    if (args.json) out(io, '[]')
    if (!args.quiet) say(io, words.noPending(common.journalPath, ima.baseURL))
    return true
  }
  if (!args.quiet) say(io, words.resuming(pending.length, pending.map((entry) => entry.taskId).join(', ')))
  // `tasks.resume()` answers each wait a Ctrl-C stopped as an outcome rather than throwing: whether one came is read here.
  let interrupted = false
  const outcomes: ResumeOutcome[] = await interruptible(
    async (signal) => {
      const resumed = await ima.tasks.resume({
        signal,
        ...(common.intervalMs !== undefined ? { intervalMs: common.intervalMs } : {}),
        ...(args.timeoutMs !== undefined ? { timeoutMs: args.timeoutMs } : {}),
      })
      interrupted = signal.aborted
      return resumed
    },
    () => undefined,
    () => new InterruptedError(undefined, words.interruptedPending),
  )
  // Several results never share one file name: --out names a folder here.
  const folder = args.out === undefined ? undefined : args.out === '' || args.out.endsWith('/') ? args.out : `${args.out}/`
  const json: Record<string, unknown>[] = []
  let allDone = true
  for (const { entry, result, error } of outcomes) {
    const taskId = entry.taskId as string
    // As `ima wait <id> --json` prints them, from the journal entry.
    const known = { model_id: entry.model.id, model_name: entry.model.name, credit: entry.totalCredit }
    let paths: string[] | undefined
    let failure: unknown = error
    if (result) {
      try {
        paths = await saveResult(io, result, { out: folder, open: args.open === true, prompt: entry.prompt ?? 'task', language: common.language })
      } catch (saveError) {
        failure = saveError
      }
    }
    if (failure !== undefined || !result) {
      allDone = false
      const name = (failure as { name?: unknown } | undefined)?.name
      // Stopped by Ctrl-C: one line for all of them below, with the command that resumes them.
      if (!(interrupted && name === 'AbortError')) say(io, failureLine(taskId, failure, common.language))
      json.push({ task_id: taskId, ref: entry.ref, ...known, error: { name: typeof name === 'string' ? name : 'Error', message: failure instanceof Error ? failure.message : String(failure) } })
      continue
    }
    json.push({ task_id: taskId, ref: entry.ref, ...known, url: result.url, cover_url: result.coverUrl ?? null, urls: result.urls, ...savedFields(paths) })
    if (!args.quiet) say(io, words.doneResumed(taskId, paths?.[0]))
    if (!args.json) for (const line of paths ?? result.urls) out(io, line)
  }
  if (args.json) out(io, JSON.stringify(json))
  // The interrupt is still an interrupt (exit 130), once what did arrive is printed and saved.
  if (interrupted) throw new InterruptedError(undefined, words.interruptedPending)
  return allDone
}

/** `ima wait <task-id>`: `tasks.wait` with progress, optionally saving the picture. */
export async function run({ options, words, io }: CommandInput<WaitOptions>): Promise<void> {
  const taskId = words[0]?.trim()
  const common = readCommon(options, io)
  const messages = wordsFor(common.language)
  if (options.allPending) {
    if (taskId) throw new CliUsageError(messages.idOrAllPending)
    const ima = createClient(common)
    const done = await resumeAll(ima, io, common, {
      ...(options.out !== undefined ? { out: options.out } : {}),
      open: options.open === true,
      json: options.json === true,
      quiet: options.quiet === true,
      timeoutMs: readTimeoutMs(options),
    })
    if (!done) throw new CliError(messages.somePendingFailed.message, { hint: messages.somePendingFailed.hint, exitCode: EXIT.failure })
    return
  }
  if (!taskId) throw new CliUsageError(messages.whichTask)
  const ima = createClient(common)
  const result = await runWait(ima, io, taskId, {
    intervalMs: common.intervalMs,
    timeoutMs: readTimeoutMs(options),
    quiet: options.quiet === true,
    language: common.language,
  })
  // What the journal knows of the task (when this machine created it): its model and cost, for the same JSON as ima generate's.
  const entry = (await ima.tasks.recent().catch(() => [])).find((item) => item.taskId === result.taskId)
  const paths = await saveResult(io, result, { out: options.out, open: options.open === true, prompt: entry?.prompt ?? 'task', language: common.language })
  printResult(io, result, paths, { json: options.json === true, quiet: options.quiet === true, language: common.language }, {
    task_id: result.taskId,
    url: result.url,
    cover_url: result.coverUrl ?? null,
    model_id: entry?.model.id ?? null,
    model_name: entry?.model.name ?? null,
    credit: entry?.totalCredit ?? null,
  })
}
