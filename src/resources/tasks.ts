import * as z from 'zod/mini'
import { findModelCapabilities, UNKNOWN_MODEL_TIMING } from '../catalog/models.js'
import type { ClientContext } from '../core/context.js'
import { ImaError, ValidationError } from '../core/errors.js'
import { validateInput } from '../core/validate.js'
import { buildCreateBody, planParameters, RESERVED_PARAMETER_KEYS } from '../protocol/create-body.js'
import { normaliseResourceStatus, readTaskStatus } from '../protocol/task-status.js'
import {
  createBodySchema,
  createResultSchema,
  TASK_TYPES,
  wireTaskDetailSchema,
  type TaskType,
  type WireMedia,
} from '../schemas/tasks.js'
import type { Products } from './products.js'
import { iteratePoll, pollTask } from './task-polling.js'
import type {
  CreatedTask,
  TaskCreateParams,
  TaskDetail,
  TaskEvent,
  TaskMedia,
  TaskRef,
  TaskResult,
  WaitOptions,
} from './task-types.js'

/** Longest prompt accepted, in characters. */
export const MAX_PROMPT_LENGTH = 10_000
/** Most images one task may ask for. */
export const MAX_IMAGES_PER_TASK = 4
/** Default overall deadline of a wait, in ms. */
export const DEFAULT_WAIT_TIMEOUT_MS = 600_000

const createParamsSchema = z.object({
  taskType: z.optional(z.enum(TASK_TYPES)),
  model: z.string().check(z.trim(), z.minLength(1, 'is required: a model id such as gemini-3-pro-image')),
  versionId: z.optional(z.string().check(z.minLength(1))),
  prompt: z
    .string('is required: describe the image')
    .check(z.trim(), z.minLength(1, 'must not be empty: describe the image'), z.maxLength(MAX_PROMPT_LENGTH, `must be at most ${MAX_PROMPT_LENGTH} characters`)),
  size: z.optional(z.string().check(z.trim(), z.minLength(1))),
  aspectRatio: z.optional(z.string().check(z.regex(/^\s*\d+\s*:\s*\d+\s*$/, 'must look like 16:9'))),
  params: z.optional(z.record(z.string(), z.unknown())),
  n: z.optional(z.int('must be a whole number').check(z.gte(1, 'must be at least 1'), z.lte(MAX_IMAGES_PER_TASK, `must be at most ${MAX_IMAGES_PER_TASK}`))),
  inputImages: z.optional(z.array(z.string())),
  signal: z.optional(z.custom<AbortSignal>((value) => typeof AbortSignal !== 'undefined' && value instanceof AbortSignal, 'must be an AbortSignal')),
})

const waitOptionsSchema = z.object({
  signal: z.optional(z.custom<AbortSignal>((value) => value instanceof AbortSignal, 'must be an AbortSignal')),
  intervalMs: z.optional(z.number().check(z.gte(0))),
  timeoutMs: z.optional(z.number().check(z.positive())),
  estimatedMaxMs: z.optional(z.number().check(z.positive())),
})

function blankToUndefined(value: string | null | undefined): string | undefined {
  return value ? value : undefined
}

function toTaskMedia(media: WireMedia): TaskMedia {
  return {
    resourceStatus: normaliseResourceStatus(media.resource_status),
    status: blankToUndefined(media.status),
    url: blankToUndefined(media.url),
    watermarkUrl: blankToUndefined(media.watermark_url),
    coverUrl: blankToUndefined(media.cover_url),
    previewUrl: blankToUndefined(media.preview_url),
    format: blankToUndefined(media.format),
    width: media.width ?? undefined,
    height: media.height ?? undefined,
    errorMsg: blankToUndefined(media.error_msg),
    remark: blankToUndefined(media.remark),
  }
}

/** A wait's settings after defaults. */
interface WaitPlan {
  taskId: string
  intervalMs: number
  timeoutMs: number
  estimatedMaxMs: number
  /** When the task was created, if known: elapsed time counts from there. */
  createdAt: number | undefined
}

function taskIdOf(ref: TaskRef): string {
  const id = typeof ref === 'string' ? ref : ref?.id
  if (typeof id !== 'string' || id.trim() === '') {
    throw new ValidationError('Expected a task id or the task returned by tasks.create()', [{ path: 'task', message: 'is required' }])
  }
  return id
}

/**
 * Tasks: create one, read its detail, and wait for its result.
 * @public
 */
export class Tasks {
  readonly #context: ClientContext
  readonly #products: Products

  /** @internal */
  constructor(context: ClientContext, products: Products) {
    this.#context = context
    this.#products = products
  }

  /**
   * Creates a task: finds the newest version of the model, merges its form
   * defaults with your parameters, chooses the credit rule, checks the whole
   * body, then sends it. Nothing is sent when a wish cannot be met.
   *
   * @throws ValidationError (before any request), ModelNotFoundError, ApiError subclasses, CreateOutcomeUnknownError.
   * @example
   * ```ts
   * const task = await ima.tasks.create({ model: 'gemini-3-pro-image', prompt: 'a red fox', size: '2K' })
   * console.log(task.id, task.credit)
   * ```
   */
  async create(params: TaskCreateParams): Promise<CreatedTask> {
    const input = validateInput(createParamsSchema, params, 'tasks.create() parameters')
    const reserved = Object.keys(input.params ?? {}).filter((key) => (RESERVED_PARAMETER_KEYS as readonly string[]).includes(key))
    if (reserved.length > 0) {
      throw new ValidationError(
        `params cannot set ${reserved.join(', ')}: use the prompt, n and inputImages options instead`,
        reserved.map((key) => ({ path: `params.${key}`, message: 'is set by the SDK' })),
      )
    }
    const inputImages = input.inputImages ?? []
    const taskType: TaskType = input.taskType ?? (inputImages.length > 0 ? 'image_to_image' : 'text_to_image')
    if (taskType === 'image_to_image' && inputImages.length === 0) {
      throw new ValidationError('image_to_image needs at least one input image: pass inputImages: [url]', [
        { path: 'inputImages', message: 'needs at least one image' },
      ])
    }
    if (taskType === 'text_to_image' && inputImages.length > 0) {
      throw new ValidationError('text_to_image takes no input images: use taskType image_to_image, or leave taskType out', [
        { path: 'inputImages', message: 'must be empty for text_to_image' },
      ])
    }

    const leaf = await this.#products.find(taskType, input.model, { versionId: input.versionId, signal: input.signal })
    const plan = planParameters(leaf, {
      overrides: { ...input.params, size: input.size, aspect_ratio: input.aspectRatio?.replace(/\s+/g, '') },
    })
    if (plan.issues.length > 0) {
      throw new ValidationError(plan.issues.map((issue) => issue.message).join('; '), plan.issues)
    }
    const body = buildCreateBody({ taskType, leaf, plan, prompt: input.prompt, n: input.n ?? 1, inputImages })
    validateInput(createBodySchema, body, 'create body')

    const created = await this.#context.http.call({
      method: 'POST',
      path: '/open/v1/tasks/create',
      body,
      schema: createResultSchema,
      retry: 'create',
      signal: input.signal,
    })
    const nested = body.parameters[0].parameters
    const capabilities = findModelCapabilities(leaf.model_id)
    const task: CreatedTask = {
      id: created.id,
      taskType,
      model: { id: leaf.model_id, name: leaf.name, version: leaf.id },
      attributeId: body.parameters[0].attribute_id,
      credit: body.parameters[0].credit,
      n: nested.n,
      size: typeof nested.size === 'string' ? nested.size : undefined,
      estimatedSeconds: capabilities?.estimatedSeconds,
      createdAt: Date.now(),
      body,
    }
    this.#context.emit('task.created', { task })
    this.#context.config.logger.info('ima task created', {
      taskId: task.id,
      model: task.model.id,
      attributeId: task.attributeId,
      credit: task.credit,
    })
    return task
  }

  /**
   * Reads a task's detail once, with its state already worked out.
   *
   * @example
   * ```ts
   * const detail = await ima.tasks.get(task.id)
   * if (detail.state === 'success') console.log(detail.medias[0]?.url)
   * ```
   */
  async get(taskRef: TaskRef, options: { signal?: AbortSignal } = {}): Promise<TaskDetail> {
    const taskId = taskIdOf(taskRef)
    const wire = await this.#context.http.call({
      method: 'POST',
      path: '/open/v1/tasks/detail',
      body: { task_id: taskId },
      schema: wireTaskDetailSchema,
      retry: 'idempotent',
      signal: options.signal,
    })
    const reading = readTaskStatus(wire.medias)
    return {
      id: wire.id === null || wire.id === undefined ? taskId : String(wire.id),
      state: reading.state,
      reason: reading.reason,
      medias: (wire.medias ?? []).map(toTaskMedia),
      raw: wire,
    }
  }

  /**
   * Waits for a task, yielding a status event per poll with a capped
   * percentage. Ends after the `success` event; after a `failed` event it
   * throws `TaskFailedError`; past `timeoutMs`, `TaskTimeoutError`.
   *
   * @example
   * ```ts
   * for await (const event of ima.tasks.waitFor(task)) console.log(event.type, event.percent)
   * ```
   */
  waitFor(taskRef: TaskRef, options: WaitOptions = {}): AsyncGenerator<TaskEvent, void, undefined> {
    const plan = this.#waitPlan(taskRef, options)
    return iteratePoll((stop, onEvent) => this.#poll(plan, options, stop, onEvent))
  }

  /**
   * Waits for a task and returns its result.
   *
   * @throws TaskFailedError, TaskTimeoutError (the task may still finish; keep its id), an `AbortError`.
   * @example
   * ```ts
   * const { url } = await ima.tasks.wait(task, { timeoutMs: 300_000 })
   * ```
   */
  async wait(taskRef: TaskRef, options: WaitOptions = {}): Promise<TaskResult> {
    const plan = this.#waitPlan(taskRef, options)
    return this.#poll(plan, options, undefined, () => {})
  }

  #waitPlan(taskRef: TaskRef, options: WaitOptions): WaitPlan {
    const taskId = taskIdOf(taskRef)
    validateInput(waitOptionsSchema, options, 'wait options')
    const model = typeof taskRef === 'string' ? undefined : findModelCapabilities(taskRef.model?.id)
    const createdAt = typeof taskRef === 'string' ? undefined : taskRef.createdAt
    const timing = model ?? UNKNOWN_MODEL_TIMING
    return {
      taskId,
      intervalMs: options.intervalMs ?? timing.pollIntervalMs,
      timeoutMs: options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS,
      estimatedMaxMs: options.estimatedMaxMs ?? timing.estimatedSeconds[1] * 1000,
      createdAt,
    }
  }

  async #poll(
    plan: WaitPlan,
    options: WaitOptions,
    stop: AbortSignal | undefined,
    onEvent: (event: TaskEvent) => void,
  ): Promise<TaskResult> {
    const { emit, config } = this.#context
    const signals = [options.signal, stop].filter((signal): signal is AbortSignal => signal !== undefined)
    let lastType: string | undefined
    try {
      const result = await pollTask({
        taskId: plan.taskId,
        fetchDetail: (signal) => this.get(plan.taskId, { signal }),
        intervalMs: plan.intervalMs,
        timeoutMs: plan.timeoutMs,
        estimatedMaxMs: plan.estimatedMaxMs,
        startedAt: plan.createdAt ?? Date.now(),
        signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0],
        onEvent: (event) => {
          if (event.type !== lastType) config.logger.info('ima task status', { taskId: event.taskId, status: event.type, elapsedMs: event.elapsedMs })
          lastType = event.type
          emit('task.status', event)
          onEvent(event)
        },
      })
      emit('task.succeeded', result)
      return result
    } catch (error) {
      if (error instanceof ImaError && error.name !== 'AbortError') {
        emit('task.failed', { taskId: plan.taskId, error })
        config.logger.warn('ima task failed', { taskId: plan.taskId, error: error.name, code: error.code })
      }
      throw error
    }
  }
}
