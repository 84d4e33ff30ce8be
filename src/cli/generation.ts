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
import { downloadResult, type ImaClient } from '../node/index.js'
import { CliError, EXIT, InterruptedError, ReportedError, SaveFailedError } from './errors.js'
import { openWithDefaultApp, resolveOutPath } from './files.js'
import { awaitDetachedCreate, interruptible, isOutcomeUnknown, taskIdOfError } from './interrupt.js'
import { say, type CliIO } from './io.js'
import { Progress } from './progress.js'

/** How to wait: the SDK's options and whether to show progress. */
export interface WaitSettings {
  intervalMs: number | undefined
  timeoutMs: number | undefined
  quiet: boolean
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
function withTaskId(error: unknown, taskId: string | undefined): unknown {
  if (taskId === undefined || taskIdOfError(error) !== undefined || error instanceof CliError) return error
  if (typeof error === 'object' && error !== null && Object.isExtensible(error)) {
    Object.defineProperty(error, 'taskId', { value: taskId, enumerable: true, configurable: true })
    return error
  }
  return new CliError(`Task ${taskId}: ${String(error)}`, { hint: `Resume with: ima wait ${taskId}` })
}

function describeTask(task: CreatedTask): string {
  const [fastest, slowest] = task.estimatedSeconds
  const size = task.size ? ` · ${task.size}` : ''
  return `Task ${task.id} created: ${task.model.name}${size} · ${task.totalCredit} pts · usually ${fastest}–${slowest} s`
}

/**
 * Creates a task and waits for it, with progress and Ctrl-C. The task id is
 * on stderr as soon as the service gives it, so an interrupted or timed-out
 * run can be resumed with `ima wait <id>`.
 */
export async function runGeneration(ima: ImaClient, io: CliIO, params: Omit<GenerateParams, keyof WaitOptions>, settings: WaitSettings): Promise<GenerateResult> {
  let created: CreatedTask | undefined
  let progress: Progress | undefined
  const onUpload = (event: UploadCompletedEvent) => {
    if (!settings.quiet) say(io, `Uploaded an input image (${event.bytes} bytes${event.cached ? ', reused' : ''})`)
  }
  const onCreated = ({ task, detached }: TaskCreatedEvent) => {
    // A late answer after Ctrl-C: awaitDetachedCreate reports it; nothing is waited for.
    if (detached) return
    created = task
    if (!settings.quiet) say(io, describeTask(task))
    const capabilities = findModelCapabilities(task.model.id)
    progress = new Progress(
      io,
      {
        label: task.model.name,
        estimatedSeconds: task.estimatedSeconds,
        progressEveryMs: capabilities?.progressEveryMs ?? UNKNOWN_MODEL_TIMING.progressEveryMs,
        startedAt: task.createdAt,
      },
      { quiet: settings.quiet },
    )
  }
  const onStatus = (event: TaskEvent) => {
    if (event.taskId === created?.id) progress?.update(event)
  }
  ima.on('upload.completed', onUpload).on('task.created', onCreated).on('task.status', onStatus)
  try {
    let result: GenerateResult
    try {
      result = await interruptible((signal) => ima.generate({ ...params, ...waitOptions(settings) }, { signal }), () => created?.id)
    } catch (error) {
      progress?.stop()
      // Ctrl-C while the create was in flight: it may be charged; wait (bounded) for its answer to be journaled.
      if (isOutcomeUnknown(error) && error.detached === true) {
        await awaitDetachedCreate(ima, io, error)
        throw new ReportedError(EXIT.interrupted)
      }
      throw withTaskId(error, created?.id)
    }
    progress?.stop()
    if (!settings.quiet) say(io, `Done in ${Math.round(result.elapsedMs / 1000)} s: ${result.task.model.name} · ${result.task.totalCredit} pts · task ${result.taskId}`)
    return result
  } finally {
    progress?.stop()
    ima.off('upload.completed', onUpload).off('task.created', onCreated).off('task.status', onStatus)
  }
}

/** Waits for a task known by its id (`ima wait`), with progress and Ctrl-C. */
export async function runWait(ima: ImaClient, io: CliIO, taskId: string, settings: WaitSettings): Promise<TaskResult> {
  const progress = new Progress(
    io,
    { label: `Task ${taskId}`, estimatedSeconds: UNKNOWN_MODEL_TIMING.estimatedSeconds, progressEveryMs: UNKNOWN_MODEL_TIMING.progressEveryMs, startedAt: Date.now() },
    { quiet: settings.quiet },
  )
  const onStatus = (event: TaskEvent) => {
    if (event.taskId === taskId) progress.update(event)
  }
  ima.on('task.status', onStatus)
  try {
    const ref: TaskRef = taskId
    let result: TaskResult
    try {
      result = await interruptible((signal) => ima.tasks.wait(ref, { ...waitOptions(settings), signal }), () => taskId)
    } catch (error) {
      throw withTaskId(error, taskId)
    }
    progress.stop()
    if (!settings.quiet) say(io, `Done: task ${taskId}`)
    return result
  } finally {
    progress.stop()
    ima.off('task.status', onStatus)
  }
}

/** Saves a result for `--out` (streamed, atomic rename) and opens it for `--open`; returns the saved path. */
export async function saveResult(
  io: CliIO,
  result: { url: string; taskId: string },
  options: { out: string | undefined; open: boolean; prompt: string },
): Promise<string | undefined> {
  let path: string | undefined
  if (options.out !== undefined) {
    const target = resolveOutPath(options.out, options.prompt, result.taskId, result.url)
    try {
      const saved = await interruptible(
        (signal) => downloadResult(result.url, target, { signal }),
        () => result.taskId,
        () =>
          new InterruptedError(result.taskId, {
            message: `Interrupted while saving. Task ${result.taskId} is done: the image exists at ${result.url}`,
            hint: `Nothing needs re-creating; save it with: ima wait ${result.taskId} --out ${options.out || '<file>'}`,
          }),
      )
      path = saved.path
    } catch (error) {
      if (error instanceof CliError) throw error
      // The task is done and paid for: the failure is only the copy on this disk.
      throw new SaveFailedError({ taskId: result.taskId, url: result.url, target, cause: error })
    }
  }
  if (options.open) openWithDefaultApp(path ?? result.url, (message) => say(io, message))
  return path
}
