import type { ResourceStatus, TaskState } from '../protocol/task-status.js'
import type { CreateTaskBody, TaskType } from '../schemas/tasks.js'

/**
 * Parameters of `ima.tasks.create()`.
 * @public
 */
export interface TaskCreateParams {
  /** `text_to_image` or `image_to_image`. @defaultValue `image_to_image` when `inputImages` is given, else `text_to_image` */
  taskType?: TaskType
  /** The model id, e.g. `gemini-3-pro-image`. Optional with `generate({ userId })` when the user has a saved preference. */
  model?: string
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
  /** Input image URLs (https) for image_to_image. */
  inputImages?: string[]
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
 * A task the service accepted.
 * @public
 */
export interface CreatedTask {
  /** The task id, for `tasks.get` / `tasks.wait`. */
  id: string
  taskType: TaskType
  model: TaskModel
  /** The credit rule's `attribute_id` that was sent. */
  attributeId: number
  /** Points per image. */
  credit: number
  /** Number of images asked for (each charged `credit`). */
  n: number
  /** The size sent, in the service's spelling, when the model has one. */
  size: string | undefined
  /** Typical time to finish, in seconds, when the model is known: `[fastest, slowest]`. */
  estimatedSeconds: readonly [number, number] | undefined
  /** When the create was accepted (ms since the epoch). */
  createdAt: number
  /** The exact body that was sent. */
  body: CreateTaskBody
}

/** One output of a task, in camelCase. Empty strings from the wire become `undefined`. @public */
export interface TaskMedia {
  /** 0 processing (also for null), 1 ready, 2 failed, 3 deleted. */
  resourceStatus: ResourceStatus
  status: string | undefined
  url: string | undefined
  watermarkUrl: string | undefined
  coverUrl: string | undefined
  previewUrl: string | undefined
  format: string | undefined
  width: number | undefined
  height: number | undefined
  errorMsg: string | undefined
  remark: string | undefined
}

/** A task detail, with its state already read by the protocol's rules. @public */
export interface TaskDetail {
  id: string
  /** `pending`, `processing`, `success`, `failed` or `deleted`. */
  state: TaskState
  /** The service's reason when failed or deleted. */
  reason: string | undefined
  medias: TaskMedia[]
  /** The `data` object as the service sent it, unknown fields included. */
  raw: Record<string, unknown>
}

/** A status event while waiting. @public */
export interface TaskEvent {
  type: 'pending' | 'processing' | 'success' | 'failed'
  taskId: string
  /** Time since the task was created (or since waiting began, for a task known only by id). */
  elapsedMs: number
  /** `min(95, floor(elapsed / estimatedMax × 100))`, and 100 on success. */
  percent: number
  medias: TaskMedia[]
  /** On success: the first image's URL. */
  url?: string
  /** On failure: the service's reason. */
  reason?: string
}

/** Options of `tasks.waitFor` and `tasks.wait`. @public */
export interface WaitOptions {
  signal?: AbortSignal
  /** Time between polls, in ms. @defaultValue the model's interval (5 s; Midjourney 8 s), 5 s for unknown models */
  intervalMs?: number
  /** Overall deadline, in ms, after which a `TaskTimeoutError` is thrown (the task may still finish). @defaultValue 600000 */
  timeoutMs?: number
  /** The slowest expected time, in ms, for the percentage. @defaultValue the model's estimate (e.g. 120 s for Nano Banana Pro), 90 s when unknown */
  estimatedMaxMs?: number
}

/** A finished task. @public */
export interface TaskResult {
  taskId: string
  /** The first image's URL. */
  url: string
  /** Every image's URL, in order. */
  urls: string[]
  /** The first image's cover (thumbnail) URL, when the service gave one. */
  coverUrl: string | undefined
  medias: TaskMedia[]
  /** Time from creation (or from the start of waiting) to success. */
  elapsedMs: number
}

/** What a task reference may be: its id, or the task `create` returned. @public */
export type TaskRef = string | Pick<CreatedTask, 'id'> & Partial<Pick<CreatedTask, 'model' | 'createdAt'>>
