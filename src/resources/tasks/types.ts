import type { ResourceStatus, TaskFailure, TaskState } from '../../protocol/task-status.js'
import type { TaskType } from '../../schemas/task-type.js'
import type { CreateTaskBody } from '../../schemas/tasks.js'
import type { UploadSource } from '../uploads/sources.js'
import type { ImaError } from '../../errors.js'
import type { RequestOptions } from '../../http/http-client.js'
import type { JournalEntry, JournalState } from '../../stores/task-journal.js'

/**
 * Parameters of `ima.tasks.create()`: what to make. How the call runs —
 * cancelling it, its time limit and retries — goes in the second argument,
 * {@link RequestOptions}.
 *
 * @example
 * ```ts
 * const params: TaskCreateParams = { model: 'NB Pro', prompt: 'a red fox', size: '2K' }
 * const task = await ima.tasks.create(params, { signal: AbortSignal.timeout(60_000) })
 * ```
 * @public
 */
export interface TaskCreateParams {
  /** `text_to_image` or `image_to_image`. @defaultValue `image_to_image` when `inputImages` is given, else `text_to_image` */
  taskType?: TaskType | undefined
  /**
   * The model: an id (`gemini-3-pro-image`), a version id, a display name
   * (`Nano Banana Pro`), an alias (`NB Pro`, `香蕉`, `MJ`) or a tier
   * (`default`, `budget`, `premium`, `artistic`).
   * @defaultValue the user's saved preference (with `userId`), else the scope's default for the task type
   */
  model?: string | undefined
  /** Whose saved model preference to use when `model` is left out (and, with `generate`, to update after a success). */
  userId?: string | undefined
  /** The chat the create is for: it counts against the client's `budgets` with `per: 'chat'` (a user's `userId` counts against `per: 'user'`). */
  chatId?: string | undefined
  /**
   * The create's reference in the task journal (`JournalEntry.ref`), instead
   * of a fresh one: a job id, a batch line, a request id. A ref the journal
   * already holds (for a create that was not refused) is never sent again —
   * `DuplicateCreateError` says where that create stands — so with a journal
   * the processes share, one logical request is one charge.
   */
  ref?: string | undefined
  /** Refuse, before sending, a create that would cost more than this many points (credit × n). */
  maxCredits?: number | undefined
  /**
   * Opt-in recovery: when the service refuses the create because of its
   * size (a 400 that names the size, or 6009/6010), try again with the next
   * smaller size of the same model. Never after a 500, which the reference
   * client steps down on: that create may have been charged. Off by default
   * because it changes what you get and what you pay; each step is reported
   * through the `retry` event. At most 3 attempts in all.
   */
  fallback?: { size?: boolean } | undefined
  /** A specific version id; the newest version of the model otherwise. */
  versionId?: string | undefined
  /** What to draw. */
  prompt: string
  /** Size in any case (`'2K'`, `'2k'`, `'512px'`, `'2560x1440'`); sent in the service's own spelling. */
  size?: string | undefined
  /** Aspect ratio, e.g. `'16:9'`: native on Nano Banana, through the size mapping on SeeDream. */
  aspectRatio?: string | undefined
  /** More nested parameters by their wire names. `prompt`, `n`, `input_images` and `cast` are set by the SDK. */
  params?: Record<string, unknown> | undefined
  /** Number of images; each is charged. @defaultValue 1 */
  n?: number | undefined
  /**
   * Input images for image_to_image: https URLs, or anything
   * `ima.uploads.put()` takes (bytes, Blobs, streams; file paths with the
   * Node client), uploaded first, 3 at a time.
   */
  inputImages?: UploadSource[] | undefined
}

/** The model a task runs on. @public */
export interface TaskModel {
  /** `model_id`, e.g. `gemini-3-pro-image`. */
  id: string
  /** `model_name`, e.g. `Nano Banana Pro`. */
  name: string
  /** `model_version`, the version leaf's id. */
  version: string
}

/**
 * What a task costs and runs on: the model, the credit rule and the size —
 * the same for a quote and for a created task.
 * @public
 */
export interface TaskCharge {
  /** `text_to_image` or `image_to_image`. */
  taskType: TaskType
  /** The model and version the task runs on. */
  model: TaskModel
  /** The credit rule's `attribute_id`. */
  attributeId: number
  /** Points per image. */
  credit: number
  /** Number of images (each charged `credit`). */
  n: number
  /** What the task costs: credit × n. */
  totalCredit: number
  /** The size sent, in the service's spelling, when the model has one. */
  size: string | undefined
  /** Typical time to finish, in seconds: `[fastest, slowest]` (the catalog's, or a generic range for unknown models). */
  estimatedSeconds: readonly [number, number]
}

/**
 * A task the service accepted.
 * @public
 */
export interface CreatedTask extends TaskCharge {
  /** The task id, for `tasks.get` / `tasks.wait`. */
  id: string
  /** The task journal's reference of this create (`JournalEntry.ref`). */
  ref: string
  /** When the create was accepted (ms since the epoch). */
  createdAt: number
  /** The exact body that was sent. */
  body: CreateTaskBody
}

/** One output of a task, in camelCase. Empty strings from the wire become `undefined`. @public */
export interface TaskMedia {
  /** 0 processing (also for null), 1 ready, 2 failed, 3 deleted. */
  resourceStatus: ResourceStatus
  /** The service's status text (`status`), e.g. `pending` or `failed`. */
  status: string | undefined
  /** The image's URL, once ready. */
  url: string | undefined
  /** URL of the watermarked image (`watermark_url`); the fallback when `url` is empty. */
  watermarkUrl: string | undefined
  /** URL of a cover (thumbnail) image (`cover_url`). */
  coverUrl: string | undefined
  /** URL of a preview image (`preview_url`). */
  previewUrl: string | undefined
  /** File format as the service reports it, e.g. `png`. */
  format: string | undefined
  /** Width in pixels. */
  width: number | undefined
  /** Height in pixels. */
  height: number | undefined
  /** The service's error message for this media (`error_msg`), when it failed. */
  errorMsg: string | undefined
  /** The service's free-text remark, sometimes the failure reason. */
  remark: string | undefined
}

/** A task detail, with its state already read by the protocol's rules. @public */
export interface TaskDetail {
  /** The task id. */
  id: string
  /** `pending`, `processing`, `success`, `failed` or `deleted`. */
  state: TaskState
  /** The service's reason when failed or deleted. */
  reason: string | undefined
  /** When failed: a media at resource_status 2 (`resource`) or only a status "failed" (`status`). */
  failure: TaskFailure | undefined
  /** On success: each image's URL (`url`, else `watermark_url`), in order; empty before. */
  urls: string[]
  /** The task's outputs, one per image. */
  medias: TaskMedia[]
  /** The `data` object as the service sent it, unknown fields included; only text quoting the API key is redacted (URLs and ids stay as sent). */
  raw: Record<string, unknown>
}

/**
 * What every status event says, whatever the task's state.
 *
 * @example
 * ```ts
 * const describe = (event: TaskEventBase) => `${event.taskId}: ${event.percent}% after ${Math.round(event.elapsedMs / 1000)} s`
 * ```
 * @public
 */
export interface TaskEventBase {
  /** The task being waited for. */
  taskId: string
  /** Time since the task was created (or since waiting began, for a task known only by id). */
  elapsedMs: number
  /** `min(95, floor(elapsed / estimatedMax × 100))`, and 100 on success. */
  percent: number
  /** The task's outputs as of this poll. */
  medias: TaskMedia[]
}

/**
 * A poll that found the task still queued (`pending`) or running (`processing`).
 *
 * @example
 * ```ts
 * ima.on('task.status', (event) => {
 *   if (event.type === 'pending' || event.type === 'processing') console.log(`${event.percent}%`)
 * })
 * ```
 * @public
 */
export interface TaskProgressEvent extends TaskEventBase {
  /** The task's state at this poll. */
  type: 'pending' | 'processing'
}

/**
 * The poll that found the task done: the last event of a successful wait.
 *
 * @example
 * ```ts
 * for await (const event of ima.tasks.waitFor(task)) {
 *   if (event.type === 'success') console.log(event.url, event.urls.length)
 * }
 * ```
 * @public
 */
export interface TaskSuccessEvent extends TaskEventBase {
  /** The task finished; `url` and `urls` hold its images. */
  type: 'success'
  /** The first image's URL. */
  url: string
  /** Every image's URL, in order. */
  urls: string[]
}

/**
 * The poll that found the task failed (or deleted): the wait then throws
 * `TaskFailedError`. Not to be confused with `TaskFailedEvent`, the
 * payload of the client's `task.failed` event.
 *
 * @example
 * ```ts
 * ima.on('task.status', (event) => {
 *   if (event.type === 'failed') console.warn(`task ${event.taskId} failed: ${event.reason ?? 'no reason given'}`)
 * })
 * ```
 * @public
 */
export interface TaskFailureEvent extends TaskEventBase {
  /** The task failed or was deleted. */
  type: 'failed'
  /** The service's reason, when it gave one. */
  reason?: string
}

/**
 * A status event while waiting, one per poll. Narrow on `type` to read what
 * only some states carry: `url`/`urls` on `success`, `reason` on `failed`.
 *
 * @example
 * ```ts
 * for await (const event of ima.tasks.waitFor(task)) {
 *   if (event.type === 'success') console.log('done:', event.url)
 *   else if (event.type === 'failed') console.log('failed:', event.reason)
 *   else console.log(event.type, `${event.percent}%`)
 * }
 * ```
 * @public
 */
export type TaskEvent = TaskProgressEvent | TaskSuccessEvent | TaskFailureEvent

/**
 * Options of `tasks.waitFor`, `tasks.wait` and `tasks.resume`. Two different
 * time limits:
 * - `timeoutMs` is the whole wait's deadline (default 10 min); past it the
 *   wait throws `TaskTimeoutError` and the task may still finish.
 * - `timeout` (from {@link RequestOptions}) limits each HTTP attempt of each
 *   poll (default: the client's `timeout`); a poll that times out counts as
 *   a failed poll (see `maxPollFailures`), it does not end the wait by itself.
 *
 * `maxRetries` applies to each poll request; `signal` stops waiting (with an
 * `ImaAbortError`) and the task itself keeps running.
 *
 * @example
 * ```ts
 * const result = await ima.tasks.wait(task, {
 *   timeoutMs: 300_000, // give up waiting after 5 min
 *   timeout: 10_000, // each poll request: 10 s per attempt
 *   maxRetries: 1,
 *   signal: AbortSignal.timeout(600_000),
 * })
 * ```
 * @public
 */
export interface WaitOptions extends RequestOptions {
  /** Time between polls, in ms. @defaultValue the model's interval (5 s; Midjourney 8 s), 5 s for unknown models */
  intervalMs?: number | undefined
  /**
   * Overall deadline of the wait, in ms, after which a `TaskTimeoutError` is
   * thrown (the task may still finish). Not to be confused with `timeout`,
   * the limit of each poll's HTTP attempt. @defaultValue 600000
   */
  timeoutMs?: number | undefined
  /**
   * Failed polls in a row (network errors, 5xx, garbled answers — after the
   * HTTP layer's own retries) to wait through; each emits `task.poll_failed`.
   * One more fails the wait with that error. @defaultValue 3
   */
  maxPollFailures?: number | undefined
  /** The slowest expected time, in ms, for the percentage. @defaultValue the model's estimate (e.g. 120 s for Nano Banana Pro), 90 s when unknown */
  estimatedMaxMs?: number | undefined
}

/** A finished task. @public */
export interface TaskResult {
  /** The finished task's id. */
  taskId: string
  /** The first image's URL. */
  url: string
  /** Every image's URL, in order. */
  urls: string[]
  /** The first image's cover (thumbnail) URL, when the service gave one. */
  coverUrl: string | undefined
  /** Every output, as in the final task detail. */
  medias: TaskMedia[]
  /** Time from creation (or from the start of waiting) to success. */
  elapsedMs: number
}

/**
 * Parameters of `tasks.quote`: those of `tasks.create`, nothing is created.
 * The call's `signal`, `timeout` and `maxRetries` go in its second argument.
 *
 * @example
 * ```ts
 * const params: TaskQuoteParams = { model: 'NB Pro', prompt: 'a fox', size: '4K' }
 * const quote = await ima.tasks.quote(params, { signal: AbortSignal.timeout(10_000) })
 * ```
 * @public
 */
export type TaskQuoteParams = Omit<TaskCreateParams, 'fallback'>

/** What a task would cost and which rule it would use. @public */
export interface TaskQuote extends TaskCharge {
  /** Whether the call's `maxCredits` and the client's remaining budget allow it. */
  withinBudget: boolean
  /**
   * Points still free under the call's `maxCredits` and the client's budgets
   * (`maxCredits`, `limits`, shared budget stores included, with uncertain
   * creates counted); `undefined` when nothing limits spending.
   */
  remainingCredits: number | undefined
}

/** What a task reference may be: its id, or the task `create` returned. @public */
export type TaskRef = string | Pick<CreatedTask, 'id'> & Partial<Pick<CreatedTask, 'model' | 'createdAt'>>

/** Options of `ima.tasks.recent()`. @public */
export interface RecentTasksOptions {
  /** Only entries in this state (or these states). */
  state?: JournalState | readonly JournalState[] | undefined
  /** At most this many entries, newest first. @defaultValue all */
  limit?: number | undefined
}

/** How one pending task ended when `ima.tasks.resume()` waited for it. @public */
export interface ResumeOutcome {
  /** The journal entry the task was resumed from. */
  entry: JournalEntry
  /** The result, when the task succeeded. */
  result?: TaskResult
  /** Why it did not: failed, deleted, still running past the wait's deadline… (`error.taskId` names the task). */
  error?: ImaError
}
