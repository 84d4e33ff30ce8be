/**
 * `ima wait <task-id>`: resume waiting for a task (after Ctrl-C or a
 * time-out); `ima wait --all-pending`: every task the journal holds as
 * created but not finished.
 */
import { translateError } from '../../chat/translate-error.js'
import type { ImaLanguage } from '../../core/config.js'
import type { ImaClient } from '../../node/index.js'
import type { ResumeOutcome } from '../../resources/task-types.js'
import { CONNECTION_ARGS, createClient, readCommon, readTimeoutMs, WAIT_ARGS, type CommonOptions } from '../common.js'
import { imaCommand, type CliEnv } from '../command.js'
import { CliError, CliUsageError, EXIT, InterruptedError } from '../errors.js'
import { runWait, saveResult } from '../generation.js'
import { interruptible } from '../interrupt.js'
import { out, say, type CliIO } from '../io.js'

/** A task of `--all-pending` that ended without a saved result, and why, in the report's words. */
function failureLine(taskId: string, error: unknown, language: ImaLanguage): string {
  if (error instanceof CliError) return `Task ${taskId}: ${error.message}${error.hint ? ` — ${error.hint}` : ''}`
  const translated = translateError(error, language)
  const name = typeof (error as { name?: unknown })?.name === 'string' ? ` (${(error as { name: string }).name})` : ''
  const next = translated.kind === 'timeout' || translated.kind === 'network' || translated.kind === 'unavailable' || translated.kind === 'server'
    ? `still running, resume with: ima wait ${taskId}`
    : translated.action
  return `Task ${taskId}: ${translated.message}${name} — ${next}`
}

/** `--all-pending`: `tasks.resume()`, one result line per task; false when any failed. */
async function resumeAll(
  ima: ImaClient,
  io: CliIO,
  common: CommonOptions,
  args: { out?: string; open?: boolean; json?: boolean; quiet?: boolean; timeoutMs: number | undefined },
): Promise<boolean> {
  const pending = await ima.tasks.pending()
  if (pending.length === 0) {
    if (args.json) out(io, '[]')
    if (!args.quiet) say(io, `No pending tasks in the journal (${common.journalPath}) for ${ima.baseURL}`)
    return true
  }
  if (!args.quiet) say(io, `Resuming ${pending.length === 1 ? '1 pending task' : `${pending.length} pending tasks`}: ${pending.map((entry) => entry.taskId).join(', ')}`)
  const outcomes: ResumeOutcome[] = await interruptible(
    (signal) =>
      ima.tasks.resume({
        signal,
        ...(common.intervalMs !== undefined ? { intervalMs: common.intervalMs } : {}),
        ...(args.timeoutMs !== undefined ? { timeoutMs: args.timeoutMs } : {}),
      }),
    () => undefined,
    () =>
      new InterruptedError(undefined, {
        message: 'Interrupted. The pending tasks keep running on the service',
        hint: 'Resume them with: ima wait --all-pending',
      }),
  )
  // Several results never share one file name: --out names a folder here.
  const folder = args.out === undefined ? undefined : args.out === '' || args.out.endsWith('/') ? args.out : `${args.out}/`
  const json: Record<string, unknown>[] = []
  let allDone = true
  for (const { entry, result, error } of outcomes) {
    const taskId = entry.taskId as string
    let path: string | undefined
    let failure: unknown = error
    if (result) {
      try {
        path = await saveResult(io, result, { out: folder, open: args.open === true, prompt: entry.prompt ?? 'task' })
      } catch (saveError) {
        failure = saveError
      }
    }
    if (failure !== undefined || !result) {
      allDone = false
      say(io, failureLine(taskId, failure, common.language))
      const name = (failure as { name?: unknown } | undefined)?.name
      json.push({ task_id: taskId, ref: entry.ref, error: { name: typeof name === 'string' ? name : 'Error', message: failure instanceof Error ? failure.message : String(failure) } })
      continue
    }
    json.push({ task_id: taskId, ref: entry.ref, url: result.url, cover_url: result.coverUrl ?? null, urls: result.urls, ...(path ? { path } : {}) })
    if (!args.quiet) say(io, `Done: task ${taskId}${path ? `, saved ${path}` : ''}`)
    if (!args.json) out(io, path ?? result.url)
  }
  if (args.json) out(io, JSON.stringify(json))
  return allDone
}

/** `ima wait <task-id>`: `tasks.wait` with progress, optionally saving the picture. */
export function waitCommand(env: CliEnv) {
  return imaCommand(env, {
    meta: { name: 'wait', description: 'Wait for a task by its id (resume after Ctrl-C or a time-out), or for every pending task' },
    args: {
      'task-id': { type: 'positional', required: false, description: 'The task id printed when the task was created' },
      'all-pending': { type: 'boolean', description: 'Wait for every task the journal holds as created but not finished (ima tasks --pending)' },
      out: { type: 'string', description: 'Save the image: a file, a folder, or nothing for task-<id>.png here (a folder with --all-pending)', valueHint: 'file' },
      open: { type: 'boolean', description: 'Open the result when done' },
      json: { type: 'boolean', description: 'Print one JSON object on stdout (task_id, url, cover_url, urls, path); an array with --all-pending' },
      ...WAIT_ARGS,
      ...CONNECTION_ARGS,
    },
    async run({ args }) {
      const taskId = args['task-id']?.trim()
      if (args['all-pending']) {
        if (taskId) throw new CliUsageError('Give a task id or --all-pending, not both')
        const common = readCommon(args, env.io)
        const ima = createClient(common)
        const done = await resumeAll(ima, env.io, common, {
          ...(args.out !== undefined ? { out: args.out } : {}),
          open: args.open === true,
          json: args.json === true,
          quiet: args.quiet === true,
          timeoutMs: readTimeoutMs(args),
        })
        if (!done) throw new CliError('Some pending tasks did not finish', { hint: 'See the lines above; ima tasks lists the journal', exitCode: EXIT.failure })
        return
      }
      if (!taskId) throw new CliUsageError('Which task? ima wait <task-id> (or ima wait --all-pending)')
      const common = readCommon(args, env.io)
      const ima = createClient(common)
      const result = await runWait(ima, env.io, taskId, { intervalMs: common.intervalMs, timeoutMs: readTimeoutMs(args), quiet: args.quiet === true })
      const path = await saveResult(env.io, result, { out: args.out, open: args.open === true, prompt: 'task' })
      if (args.json) {
        out(env.io, JSON.stringify({ task_id: result.taskId, url: result.url, cover_url: result.coverUrl ?? null, urls: result.urls, ...(path ? { path } : {}) }))
        return
      }
      if (path && !args.quiet) say(env.io, `Saved ${path}`)
      out(env.io, path ?? result.url)
    },
  })
}
