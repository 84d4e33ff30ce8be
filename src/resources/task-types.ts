import type { ResourceStatus, TaskFailure, TaskState } from '../protocol/task-status.js'
import type { CreateTaskBody, TaskType } from '../schemas/tasks.js'
import type { UploadSource } from './uploads.js'
import type { ImaError } from '../core/errors.js'
import type { JournalEntry, JournalState } from '../stores/task-journal.js'

/**
 * Parameters of `ima.tasks.create()`.
 * @public
 */
export interface TaskCreateParams {
  /** `text_to_image` or `image_to_image`. @defaultValue `image_to_image` when `inputImages` is given, else `text_to_image` */
  taskType?: TaskType
  /**
   * The model: an id (`gemini-3-pro-image`), a version id, a display name
   * (`Nano Banana Pro`), an alias (`NB Pro`, `香蕉`, `MJ`) or a tier
   * (`default`, `budget`, `premium`, `artistic`).
   * @defaultValue the user's saved preference (with `userId`), else the scope's default for the task type
   */
  model?: string
  /** Whose saved model preference to use when `model` is left out (and, with `generate`, to update after a success). */
  userId?: string
  /** Refuse, before sending, a create that would cost more than this many points (credit × n). */
  maxCredits?: number
  /**
   * Opt-in recovery: when the service refuses the create because of its
   * size (a 400 that names the size, or 6009/6010), try again with the next
   * smaller size of the same model. Never after a 500, which the reference
   * client steps down on: that create may have been charged. Off by default
   * because it changes what you get and what you pay; each step is reported
   * through the `retry` event. At most 3 attempts in all.
   */
  fallback?: { size?: boolean }
  /** A specific version id; the newest version of the model otherwise. */
  versionId?: string
  /** What to draw. */
  prompt: string
  /** Size in any case (`'2K'`, `'2k'`, `'512px'`, `'2560x1440'`); sent in the service's own spelling. */
  size?: string
  /** Aspect ratio, e.g. `'16:9'`: native on Nano Banana, through the size mapping on SeeDream. */
  aspectRatio?: string
  /** More nested parameters by their wire names. `prompt`, `n`, `input_images` and `cast` are set by the SDK. */
  params?: Record<string, unknown>
  /** Number of images; each is charged. @defaultValue 1 */
  n?: number
  /**
   * Input images for image_to_image: https URLs, or anything
   * `ima.uploads.put()` takes (bytes, Blobs, streams; file paths with the
   * Node client), uploaded first, 3 at a time.
   */
  inputImages?: UploadSource[]
  /** Cancels the requests. */
  signal?: AbortSignal
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
  /** The `data` object as the service sent it, unknown fields included. */
  raw: Record<string, unknown>
}

/** A status event while waiting. @public */
export interface TaskEvent {
  /** The task's state at this poll. */
  type: 'pending' | 'processing' | 'success' | 'failed'
  /** The task being waited for. */
  taskId: string
  /** Time since the task was created (or since waiting began, for a task known only by id). */
  elapsedMs: number
  /** `min(95, floor(elapsed / estimatedMax × 100))`, and 100 on success. */
  percent: number
  /** The task's outputs as of this poll. */
  medias: TaskMedia[]
  /** On success: the first image's URL. */
  url?: string
  /** On success: every image's URL, in order. */
  urls?: string[]
  /** On failure: the service's reason. */
  reason?: string
}

/** Options of `tasks.waitFor` and `tasks.wait`. @public */
export interface WaitOptions {
  /** Stops waiting (with an `ImaAbortError`); the task itself keeps running. */
  signal?: AbortSignal
  /** Time between polls, in ms. @defaultValue the model's interval (5 s; Midjourney 8 s), 5 s for unknown models */
  intervalMs?: number
  /** Overall deadline, in ms, after which a `TaskTimeoutError` is thrown (the task may still finish). @defaultValue 600000 */
  timeoutMs?: number
  /**
   * Failed polls in a row (network errors, 5xx, garbled answers — after the
   * HTTP layer's own retries) to wait through; each emits `task.poll_failed`.
   * One more fails the wait with that error. @defaultValue 3
   */
  maxPollFailures?: number
  /** The slowest expected time, in ms, for the percentage. @defaultValue the model's estimate (e.g. 120 s for Nano Banana Pro), 90 s when unknown */
  estimatedMaxMs?: number
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

/** Parameters of `products.quote`: those of `tasks.create`, nothing is created. @public */
export type TaskQuoteParams = Omit<TaskCreateParams, 'fallback'>

/** What a task would cost and which rule it would use. @public */
export interface TaskQuote extends TaskCharge {
  /** Whether the call's `maxCredits` and the client's remaining budget allow it. */
  withinBudget: boolean
}

/** What a task reference may be: its id, or the task `create` returned. @public */
export type TaskRef = string | Pick<CreatedTask, 'id'> & Partial<Pick<CreatedTask, 'model' | 'createdAt'>>

/** Options of `ima.tasks.recent()`. @public */
export interface RecentTasksOptions {
  /** Only entries in this state (or these states). */
  state?: JournalState | readonly JournalState[]
  /** At most this many entries, newest first. @defaultValue all */
  limit?: number
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
