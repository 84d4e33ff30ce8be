/**
 * One generation as every generating command runs it: create and wait
 * through the SDK's `generate` (so the user's preference is read and saved
 * exactly as the SDK does), progress on stderr, Ctrl-C to the SDK's signal,
 * and the result saved with `downloadResult` when asked.
 */
import type { GenerateParams, GenerateResult } from '../client.js'
import { findModelCapabilities, UNKNOWN_MODEL_TIMING } from '../catalog/models.js'
import type { CreatedTask, TaskEvent, TaskResult, TaskRef, WaitOptions } from '../resources/tasks/types.js'
import type { TaskCreatedEvent, UploadCompletedEvent } from '../events.js'
import type { ImaLanguage } from '../http/transport-options.js'
import { downloadResult, type ImaClient } from '../node/index.js'
import { CliError, EXIT, InterruptedError, ReportedError, SaveFailedError } from './errors.js'
import { openWithDefaultApp, resolveOutPaths } from './files.js'
import { awaitDetachedCreate, interruptible, isOutcomeUnknown, taskIdOfError } from './interrupt.js'
import { out, say, type CliIO } from './io.js'
import { wordsFor, type CliWords } from './messages.js'
import { Progress } from './progress.js'

/** How to wait: the SDK's options, whether to show progress, and in which language. */
export interface WaitSettings {
  intervalMs: number | undefined
  timeoutMs: number | undefined
  quiet: boolean
  language: ImaLanguage
}

function waitOptions(settings: WaitSettings): Omit<WaitOptions, 'signal'> {
  return {
    ...(settings.intervalMs !== undefined ? { intervalMs: settings.intervalMs } : {}),
    ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
  }
}

/**
 * Marks an error that came after a create was accepted with the task's id
 * (the SDK does so for its own errors: `ImaError.taskId`), so the report
 * always names the task that may be charged and how to resume it.
 */
function withTaskId(error: unknown, taskId: string | undefined, words: CliWords): unknown {
  if (taskId === undefined || taskIdOfError(error) !== undefined || error instanceof CliError) return error
  if (typeof error === 'object' && error !== null && Object.isExtensible(error)) {
    Object.defineProperty(error, 'taskId', { value: taskId, enumerable: true, configurable: true })
    return error
  }
  const { message, hint } = words.taskOf(taskId, String(error))
  return new CliError(message, { hint })
}

function describeTask(task: CreatedTask, words: CliWords): string {
  const [fastest, slowest] = task.estimatedSeconds
  return words.taskCreated({ taskId: task.id, model: task.model.name, size: task.size, points: task.totalCredit, fastest, slowest })
}

/**
 * Creates a task and waits for it, with progress and Ctrl-C. The task id is
 * on stderr as soon as the service gives it, so an interrupted or timed-out
 * run can be resumed with `ima wait <id>`.
 */
export async function runGeneration(ima: ImaClient, io: CliIO, params: Omit<GenerateParams, keyof WaitOptions>, settings: WaitSettings): Promise<GenerateResult> {
  const words = wordsFor(settings.language)
  let created: CreatedTask | undefined
  let progress: Progress | undefined
  const onUpload = (event: UploadCompletedEvent) => {
    if (!settings.quiet) say(io, words.uploaded(event.bytes, event.cached))
  }
  const onCreated = ({ task, detached }: TaskCreatedEvent) => {
    // A late answer after Ctrl-C: awaitDetachedCreate reports it; nothing is waited for.
    if (detached) return
    created = task
    if (!settings.quiet) say(io, describeTask(task, words))
    const capabilities = findModelCapabilities(task.model.id)
    progress = new Progress(
      io,
      {
        label: task.model.name,
        estimatedSeconds: task.estimatedSeconds,
        progressEveryMs: capabilities?.progressEveryMs ?? UNKNOWN_MODEL_TIMING.progressEveryMs,
        startedAt: task.createdAt,
      },
      { quiet: settings.quiet, language: settings.language },
    )
  }
  const onStatus = (event: TaskEvent) => {
    if (event.taskId === created?.id) progress?.update(event)
  }
  ima.on('upload.completed', onUpload).on('task.created', onCreated).on('task.status', onStatus)
  try {
    let result: GenerateResult
    try {
      result = await interruptible(
        (signal) => ima.generate({ ...params, ...waitOptions(settings) }, { signal }),
        () => created?.id,
        (id) => new InterruptedError(id, undefined, settings.language),
      )
    } catch (error) {
      progress?.stop()
      // Ctrl-C while the create was in flight: it may be charged; wait (bounded) for its answer to be journaled.
      if (isOutcomeUnknown(error) && error.detached === true) {
        await awaitDetachedCreate(ima, io, error, { language: settings.language })
        throw new ReportedError(EXIT.interrupted)
      }
      throw withTaskId(error, created?.id, words)
    }
    progress?.stop()
    if (!settings.quiet) {
      say(io, words.doneIn({ seconds: Math.round(result.elapsedMs / 1000), model: result.task.model.name, points: result.task.totalCredit, taskId: result.taskId }))
    }
    return result
  } finally {
    progress?.stop()
    ima.off('upload.completed', onUpload).off('task.created', onCreated).off('task.status', onStatus)
  }
}

/** Waits for a task known by its id (`ima wait`), with progress and Ctrl-C. */
export async function runWait(ima: ImaClient, io: CliIO, taskId: string, settings: WaitSettings): Promise<TaskResult> {
  const words = wordsFor(settings.language)
  const progress = new Progress(
    io,
    { label: words.taskLabel(taskId), estimatedSeconds: UNKNOWN_MODEL_TIMING.estimatedSeconds, progressEveryMs: UNKNOWN_MODEL_TIMING.progressEveryMs, startedAt: Date.now() },
    { quiet: settings.quiet, language: settings.language },
  )
  const onStatus = (event: TaskEvent) => {
    if (event.taskId === taskId) progress.update(event)
  }
  ima.on('task.status', onStatus)
  try {
    const ref: TaskRef = taskId
    let result: TaskResult
    try {
      result = await interruptible(
        (signal) => ima.tasks.wait(ref, { ...waitOptions(settings), signal }),
        () => taskId,
        (id) => new InterruptedError(id, undefined, settings.language),
      )
    } catch (error) {
      throw withTaskId(error, taskId, words)
    }
    progress.stop()
    if (!settings.quiet) say(io, words.doneTask(taskId))
    return result
  } finally {
    progress.stop()
    ima.off('task.status', onStatus)
  }
}

/** Saves every image of a result for `--out` (streamed, atomic rename) and opens the first for `--open`; returns the saved paths, in the order of the urls. */
export async function saveResult(
  io: CliIO,
  result: { url: string; urls: readonly string[]; taskId: string },
  options: { out: string | undefined; open: boolean; prompt: string; language: ImaLanguage },
): Promise<string[] | undefined> {
  const words = wordsFor(options.language)
  let paths: string[] | undefined
  if (options.out !== undefined) {
    const out = options.out
    // Every image of the task is paid for: each one is saved (a result with no list still has its url).
    const urls = result.urls.length > 0 ? result.urls : [result.url]
    const targets = resolveOutPaths(out, options.prompt, result.taskId, urls)
    paths = []
    for (const [index, url] of urls.entries()) {
      const target = targets[index] as string
      try {
        const saved = await interruptible(
          (signal) => downloadResult(url, target, { signal }),
          () => result.taskId,
          () => new InterruptedError(result.taskId, words.interruptedSaving(result.taskId, url, out)),
        )
        paths.push(saved.path)
      } catch (error) {
        if (error instanceof CliError) throw error
        // The task is done and paid for: the failure is only the copy on this disk.
        throw new SaveFailedError({ taskId: result.taskId, url, target, cause: error, language: options.language })
      }
    }
  }
  const first = paths?.[0] ?? result.url
  if (options.open) openWithDefaultApp(first, (reason) => say(io, words.couldNotOpen(first, reason)))
  return paths
}

/** What `--json` adds for the saved files: `path` (the first, as before) and `paths`, every image's. */
export function savedFields(paths: readonly string[] | undefined): { path?: string; paths?: string[] } {
  return paths && paths.length > 0 ? { path: paths[0] as string, paths: [...paths] } : {}
}

/**
 * Prints a finished task: with `--json` one object (`head`, then every
 * image's `urls` and the saved files); else the saved paths, or the URLs,
 * one per line on stdout — every image the task made, not only the first.
 */
export function printResult(
  io: CliIO,
  result: { urls: readonly string[]; url: string },
  paths: readonly string[] | undefined,
  settings: { json: boolean; quiet: boolean; language: ImaLanguage },
  head: Record<string, unknown>,
): void {
  const urls = result.urls.length > 0 ? result.urls : [result.url]
  if (settings.json) {
    out(io, JSON.stringify({ ...head, urls, ...savedFields(paths) }))
    return
  }
  if (paths && !settings.quiet) for (const path of paths) say(io, wordsFor(settings.language).saved(path))
  for (const line of paths ?? urls) out(io, line)
}
