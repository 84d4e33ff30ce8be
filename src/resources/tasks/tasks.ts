import { abortErrorFor } from '../../internal/abort.js'
import { redactSecrets } from '../../internal/redact.js'
import type { ClientContext } from '../context.js'
import {
  ApiError,
  AttributeMismatchError,
  BadRequestError,
  BudgetExceededError,
  CreateOutcomeUnknownError,
  CreditMismatchError,
  DuplicateCreateError,
  ImaAbortError,
  ImaError,
  ValidationError,
} from '../../errors.js'
import { requestFields, type RequestOptions } from '../../http/http-client.js'
import { createOutcomeOf } from '../../http/retry-policy.js'
import { toJsonText, validateInput } from '../../internal/validate.js'
import { holdsRef, type JournalEntry } from '../../stores/task-journal.js'
import { TaskJournaling } from './journaling.js'
import { CreateLimits, type CreateOwner, type Reservation } from './create-limits.js'
import { sizeLongSide } from '../../catalog/capabilities.js'
import { buildCreateBody } from '../../protocol/create-body.js'
import { CREATE_TASK_PATH, TASK_DETAIL_PATH } from '../../protocol/endpoints.js'
import { normaliseResourceStatus, readTaskStatus } from '../../protocol/task-status.js'
import { createBodySchema, readCreateResult, readTaskDetailData, type CreateTaskBody, type WireMedia } from '../../schemas/tasks.js'
import type { ProductService } from '../products.js'
import { isUploadSource, type UploadService, type UploadSource } from '../uploads/index.js'
import { prepareTask, type PreparedTask, type CheckedCreateParams } from './preparation.js'
import { iteratePoll, taskIdOf, TaskWaiter } from './waiting.js'
import { checkCallOptions, checkCreateParams, checkWaitOptions, CREATE_PARAMETER_KEYS, WAIT_PARAMETER_KEYS } from './create-params.js'
import type {
  CreatedTask,
  RecentTasksOptions,
  ResumeOutcome,
  TaskCreateParams,
  TaskDetail,
  TaskEvent,
  TaskMedia,
  TaskModel,
  TaskQuote,
  TaskQuoteParams,
  TaskRef,
  TaskResult,
  WaitOptions,
} from './types.js'

/** What `generate` takes in its first argument: a create's names, the wait's, and `onCreated`. */
const GENERATE_PARAMETER_KEYS: readonly string[] = [...CREATE_PARAMETER_KEYS, ...WAIT_PARAMETER_KEYS, 'onCreated']

/** Pending tasks `tasks.resume()` waits for at the same time. */
const RESUME_CONCURRENCY = 8

/** Most create attempts of one `tasks.create` (the first, a refresh of the product list, or size fallbacks). */
const MAX_CREATE_ATTEMPTS = 3

/** The next smaller size the model offers, for the opt-in size fallback. */
function nextSmallerSize(prepared: PreparedTask): string | undefined {
  const current = prepared.size === undefined ? undefined : sizeLongSide(prepared.size)
  if (current === undefined) return undefined
  const smaller = prepared.info.sizes.filter((offer) => (sizeLongSide(offer.size) ?? Number.POSITIVE_INFINITY) < current)
  return smaller.at(-1)?.size
}

/**
 * Whether a refusal proves the service would not make this size, so the
 * size fallback may step down: a 400 that names the size, or 6009/6010 (no
 * rule for these parameters). Never after a 500: that create may exist.
 */
function refusedTheSize(error: unknown): error is ApiError {
  if (error instanceof BadRequestError) return /size|resolution/i.test(error.serviceMessage ?? '')
  return error instanceof AttributeMismatchError && (Number(error.code) === 6009 || Number(error.code) === 6010)
}

/**
 * The call's answer, or `DETACHED` when the caller aborted while an attempt
 * was in flight: then the call goes on in the background. An abort between
 * attempts (nothing in flight) is left to the call, which rejects with it.
 */
function detachOnAbort<T>(sending: Promise<T>, signal: AbortSignal | undefined, inFlight: () => boolean): Promise<T | typeof DETACHED> {
  if (!signal) return sending
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      if (inFlight()) resolve(DETACHED)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    sending.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

const DETACHED: unique symbol = Symbol('detached')

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

/** Ids (`id`, `task_id`) are the service's names for things, kept as sent. */
const IDENTIFIER_FIELD = /^(id|.+_id)$/

/** How deep the service's answer is walked for text to redact; the schema bounds it already. */
const MAX_REDACT_DEPTH = 8

/**
 * Redacts the service's own text in a task detail in place: `error_msg`,
 * `remark` and any other text at any depth (unknown fields included, so
 * `raw` is as clean as the rest) but its URLs (the results), since it may
 * quote the key. In place, because the answer is freshly parsed and nothing
 * else holds it yet.
 */
function redactServiceText(value: unknown, secrets: readonly (string | undefined)[], depth = 0): void {
  if (typeof value !== 'object' || value === null || depth > MAX_REDACT_DEPTH) return
  const record = value as Record<string, unknown>
  for (const field in record) {
    const text = record[field]
    if (typeof text === 'string') {
      if (!field.endsWith('url') && !IDENTIFIER_FIELD.test(field)) record[field] = redactSecrets(text, secrets)
    } else if (typeof text === 'object' && text !== null) redactServiceText(text, secrets, depth + 1)
  }
}

/** What `ima.tasks` does (the `Tasks` the client shows delegates here, once this module is loaded). */
export class TaskService {
  readonly #context: ClientContext
  readonly #products: ProductService
  readonly #uploads: UploadService
  readonly #waiter: TaskWaiter
  readonly #journaling: TaskJournaling
  readonly #limits: CreateLimits

  /** @internal */
  constructor(context: ClientContext, products: ProductService, uploads: UploadService) {
    this.#context = context
    this.#products = products
    this.#uploads = uploads
    this.#journaling = new TaskJournaling(context)
    this.#limits = new CreateLimits(context)
    this.#waiter = new TaskWaiter(
      context,
      // Each poll reads with options the wait checked once, at its start.
      (taskId, request) => this.#readDetail(taskId, request),
      (taskId, outcome) => this.#journaling.recordWaitOutcome(taskId, outcome),
      (taskId) => this.#journaling.ownTask(taskId),
    )
  }

  /** Checks a wait's options before its create is sent (`generate`): a wait that cannot start must not follow a paid create. */
  checkWaitOptions(options: WaitOptions): void {
    checkWaitOptions(options)
  }

  /** What `generate` checks before its create: its options argument (a wait's or a create's name in it is refused), then the wait's options. */
  checkGenerateOptions(options: RequestOptions | undefined, waitOptions: WaitOptions): void {
    checkCallOptions(options, 'generate', GENERATE_PARAMETER_KEYS)
    checkWaitOptions(waitOptions)
  }

  /** See `Tasks.quote`. */
  async quote(params: TaskQuoteParams, options?: RequestOptions): Promise<TaskQuote> {
    const checked = checkCreateParams(params)
    const request = checkCallOptions(options, 'tasks.quote', CREATE_PARAMETER_KEYS)
    const prepared = await prepareTask(this.#context, this.#products, checked, request)
    const model: TaskModel = { id: prepared.leaf.model_id, name: prepared.leaf.name, version: prepared.leaf.id }
    const remaining = Math.min(params.maxCredits ?? Number.POSITIVE_INFINITY, await this.#limits.remaining(checked))
    return {
      taskType: prepared.taskType,
      model,
      attributeId: prepared.attributeId,
      credit: prepared.credit,
      n: prepared.n,
      totalCredit: prepared.totalCredit,
      size: prepared.size,
      estimatedSeconds: prepared.info.estimatedSeconds,
      withinBudget: prepared.totalCredit <= remaining,
      remainingCredits: remaining === Number.POSITIVE_INFINITY ? undefined : Math.max(0, remaining),
    }
  }

  /** See `Tasks.create`. */
  async create(params: TaskCreateParams, options?: RequestOptions): Promise<CreatedTask> {
    const checked = checkCreateParams(params)
    const request = checkCallOptions(options, 'tasks.create', CREATE_PARAMETER_KEYS)
    if (checked.ref !== undefined) await this.#refuseSentRef(checked.ref)
    // Model, size and ratio are checked before any upload, so nothing is uploaded for a request that cannot be met.
    let prepared = await prepareTask(this.#context, this.#products, checked, request)
    const inputImages = await this.#inputImageUrls(params.inputImages ?? [], request)
    for (let attempt = 1; ; attempt += 1) {
      const body = buildCreateBody({ taskType: checked.taskType, leaf: prepared.leaf, plan: prepared.plan, prompt: params.prompt, n: checked.n, inputImages })
      validateInput(createBodySchema, body, 'create body')
      toJsonText(body, 'create body', [this.#context.config.apiKey])
      const reservation = await this.#reserveBudget(prepared, params.maxCredits, request, checked)
      const sent = await this.#sendCreate(body, prepared, checked, request, reservation)
      if ('task' in sent) return sent.task
      const next = attempt < MAX_CREATE_ATTEMPTS ? await this.#recover(sent.refused, prepared, checked, params, attempt, request) : undefined
      if (!next) throw sent.refused
      prepared = next
    }
  }

  /**
   * Sends one create, journaled and budgeted: the task, or the refusal that
   * proves nothing was created. An outcome that is unknown — no answer
   * proved it either way, or the caller aborted while it was in flight —
   * throws `CreateOutcomeUnknownError` and stays reserved against the budget.
   */
  async #sendCreate(
    body: CreateTaskBody,
    prepared: PreparedTask,
    checked: CheckedCreateParams,
    request: RequestOptions,
    reservation: Reservation,
  ): Promise<{ task: CreatedTask } | { refused: unknown }> {
    const limits = this.#limits
    let releaseSlot: (() => Promise<void>) | undefined
    try {
      releaseSlot = await limits.acquireSlot(request.signal)
    } catch (error) {
      // No slot, nothing sent: the reservation goes back.
      await limits.settle(reservation, 'released')
      throw error
    }
    let intent: JournalEntry
    try {
      intent = await this.#journaling.recordIntent(prepared, body, checked.userId, checked.ref, request.signal)
    } catch (error) {
      // Not journaled, not sent: the slot and the reservation go back.
      await releaseSlot?.()
      await limits.settle(reservation, 'released')
      throw error
    }
    let inFlight = false
    const sending = this.#context.http.call({
      method: 'POST',
      path: CREATE_TASK_PATH,
      body,
      check: readCreateResult,
      retry: 'create',
      ...requestFields(request),
      // The caller's abort must not cut a create whose body may have left: its answer is read to the end.
      abortInFlight: false,
      onInFlight: (value) => {
        inFlight = value
      },
      log: { model: prepared.leaf.model_id, ref: intent.ref },
    })
    let answer: { id: string } | typeof DETACHED
    try {
      answer = await detachOnAbort(sending, request.signal, () => inFlight)
    } catch (error) {
      await releaseSlot?.()
      if (error instanceof ImaAbortError || createOutcomeOf(error) === 'not-processed') {
        await limits.settle(reservation, 'released')
        await this.#journaling.record(intent, 'refused', { error })
        if (error instanceof ImaAbortError) throw error
        return { refused: error }
      }
      await limits.settle(reservation, 'uncertain')
      throw await this.#outcomeUnknown(intent, error, false)
    }
    if (answer === DETACHED) {
      await limits.settle(reservation, 'uncertain')
      const error = await this.#outcomeUnknown(intent, abortErrorFor(request.signal as AbortSignal), true)
      // The create is still in flight: its slot is held until its answer.
      this.#followDetached(sending, intent, prepared, body, reservation, releaseSlot)
      throw error
    }
    await releaseSlot?.()
    await limits.settle(reservation, 'spent')
    const entry = await this.#journaling.record(intent, 'created', { taskId: answer.id })
    return { task: this.#accepted(answer.id, entry.ref, prepared, body, false) }
  }

  /**
   * The error for a create that may have been charged, journaled and
   * announced. The journal write is awaited (bounded by the write budget):
   * a process that exits right after the rejection must leave "unknown", not
   * a bare intent, behind.
   */
  async #outcomeUnknown(intent: JournalEntry, cause: unknown, detached: boolean): Promise<CreateOutcomeUnknownError> {
    // The cause's own advice (after ' — ', such as "then try again") is cut: a create that may be charged is not to be sent again.
    const reason = (cause instanceof Error ? cause.message : String(cause)).split(' — ')[0]
    const where = `it is journaled as ${intent.ref} — find it with ima.tasks.recent()`
    const error = new CreateOutcomeUnknownError(
      detached
        ? `[POST /open/v1/tasks/create] aborted while the create was in flight (${reason}): the task may have been created and charged ${intent.totalCredit} points. Its answer is still read in the background and ${where}; do not create it again before checking.`
        : `[POST /open/v1/tasks/create] the create may have reached the service before it failed (${reason}). The task may exist and may be charged, so it was not sent again (${intent.totalCredit} points): ${where} before creating another.`,
      { cause, status: cause instanceof ImaError ? cause.status : undefined, ref: intent.ref, detached, totalCredit: intent.totalCredit },
    )
    await this.#journaling.record(intent, 'unknown', { error: cause, detached })
    this.#context.emit('task.outcome_unknown', { ref: intent.ref, error, detached })
    return error
  }

  /** Reads a detached create's answer in the background: its task id is journaled and announced when it comes. */
  #followDetached(
    sending: Promise<{ id: string }>,
    intent: JournalEntry,
    prepared: PreparedTask,
    body: CreateTaskBody,
    reservation: Reservation,
    releaseSlot: (() => Promise<void>) | undefined,
  ): void {
    const { emit } = this.#context
    const limits = this.#limits
    const ref = intent.ref
    sending.finally(() => releaseSlot?.()).catch(() => undefined)
    sending.then(
      async (created) => {
        await limits.resolveLate(reservation, 'spent')
        const entry = await this.#journaling.record(intent, 'created', { taskId: created.id, detached: true })
        this.#accepted(created.id, entry.ref, prepared, body, true)
        emit('task.detached_settled', { ref, outcome: 'created', taskId: created.id })
      },
      async (error: unknown) => {
        // An abort here came between attempts, after one that proved nothing was sent.
        if (error instanceof ImaAbortError || createOutcomeOf(error) === 'not-processed') {
          await limits.resolveLate(reservation, 'released')
          await this.#journaling.record(intent, 'refused', { error, detached: true })
          emit('task.detached_settled', { ref, outcome: 'refused' })
        } else {
          await this.#journaling.record(intent, 'unknown', { error, detached: true })
          emit('task.detached_settled', { ref, outcome: 'unknown' })
        }
      },
    )
  }

  /**
   * Input images as URLs: https URLs pass as they are; bytes, Blobs, streams
   * and (Node client) file paths are uploaded first, 3 at a time.
   */
  async #inputImageUrls(sources: readonly unknown[], request: RequestOptions): Promise<string[]> {
    const bad = sources.findIndex((source) => !isUploadSource(source))
    if (bad >= 0) {
      throw new ValidationError(`inputImages[${bad}] must be an https URL, bytes, a Blob, a stream or (Node client) a file path`, [
        { path: `inputImages.${bad}`, message: 'is not an image source' },
      ])
    }
    return this.#uploads.putAll(sources as UploadSource[], { ...request, path: 'inputImages' })
  }

  /** A caller's ref that the journal holds for a create that was not refused: that create is never sent again. */
  async #refuseSentRef(ref: string): Promise<void> {
    let entry: JournalEntry | undefined
    try {
      entry = await this.#context.config.journal.get(ref)
    } catch (error) {
      throw this.#journaling.unavailable(error, 'read', 'a create with a ref is sent only once the journal shows it was not sent before')
    }
    if (holdsRef(entry)) throw new DuplicateCreateError(entry)
  }

  /** Sets the cost aside against the call's and the client's budgets, or refuses with a cheaper suggestion. */
  async #reserveBudget(prepared: PreparedTask, callLimit: number | undefined, request: RequestOptions, owner: CreateOwner): Promise<Reservation> {
    if (prepared.totalCredit <= (callLimit ?? Number.POSITIVE_INFINITY)) {
      const reserved = await this.#limits.reserve(prepared.totalCredit, owner, request.signal)
      if ('reservation' in reserved) return reserved.reservation
    }
    // Refused: what every limit leaves, for the message and a cheaper choice that fits them all.
    const allowed = Math.min(callLimit ?? Number.POSITIVE_INFINITY, await this.#limits.remaining(owner))
    const suggestion = await this.#cheaperChoice(prepared, allowed, request)
    const hint = suggestion
      ? `; ${suggestion.model}${suggestion.size ? ` at size ${suggestion.size}` : ''} costs ${suggestion.cost} and fits`
      : '; no model in this client\'s scope fits: raise maxCredits'
    throw new BudgetExceededError(
      `${prepared.info.name}${prepared.size ? ` at size ${prepared.size}` : ''} costs ${prepared.totalCredit} points${prepared.n > 1 ? ` (${prepared.credit} × ${prepared.n})` : ''}, more than the ${allowed} the budget allows${hint}`,
      { cost: prepared.totalCredit, remaining: allowed, ...(suggestion ? { suggestion } : {}) },
    )
  }

  /** The best choice within `allowed`: the priciest size of the same model that fits, else the cheapest fitting model. */
  async #cheaperChoice(prepared: PreparedTask, allowed: number, request: RequestOptions): Promise<{ model: string; size: string | undefined; cost: number } | undefined> {
    const fits = (points: number) => points * prepared.n <= allowed
    // The priciest size that fits, and among equal prices the largest.
    const sameModel = prepared.info.sizes
      .filter((offer) => fits(offer.points))
      .sort((a, b) => b.points - a.points || (sizeLongSide(b.size) ?? 0) - (sizeLongSide(a.size) ?? 0))[0]
    if (sameModel) return { model: prepared.info.name, size: sameModel.size, cost: sameModel.points * prepared.n }
    const models = await this.#products.models(prepared.taskType, request)
    let best: { model: string; size: string | undefined; cost: number } | undefined
    for (const model of models) {
      for (const offer of model.sizes) {
        const cost = offer.points * prepared.n
        if (fits(offer.points) && (!best || cost < best.cost)) best = { model: model.name, size: offer.size, cost }
      }
    }
    return best
  }

  /**
   * After a refused create: a fresh product list (when the refusal says the
   * list changed), or the next smaller size (500, only when opted in).
   * Returns the new preparation, or undefined to give up.
   */
  async #recover(
    error: unknown,
    prepared: PreparedTask,
    checked: CheckedCreateParams,
    params: TaskCreateParams,
    attempt: number,
    request: RequestOptions,
  ): Promise<PreparedTask | undefined> {
    const target = { method: 'POST', path: CREATE_TASK_PATH }
    const listChanged = error instanceof AttributeMismatchError || error instanceof CreditMismatchError
    if (listChanged && attempt === 1) {
      this.#products.invalidate(checked.taskType)
      this.#context.emit('retry', { ...target, retry: attempt, attempt: attempt + 1, delayMs: 0, reason: `product list changed (${String(error.code)}): read it again and chose the rule anew`, error })
      return prepareTask(this.#context, this.#products, checked, request)
    }
    if (params.fallback?.size && refusedTheSize(error)) {
      const smaller = nextSmallerSize(prepared)
      if (smaller === undefined) return undefined
      this.#context.emit('retry', { ...target, retry: attempt, attempt: attempt + 1, delayMs: 0, reason: `${String(error.code)} at size ${prepared.size ?? 'default'}: trying size ${smaller} (fallback.size)`, error })
      // On a virtual size field the ratio was turned into the old size: the new size replaces it.
      const keepRatio = prepared.info.aspectRatioMode !== 'virtual'
      return prepareTask(this.#context, this.#products, { ...checked, size: smaller, aspectRatio: keepRatio ? checked.aspectRatio : undefined }, request)
    }
    return undefined
  }

  #accepted(id: string, ref: string, prepared: PreparedTask, body: CreateTaskBody, detached: boolean): CreatedTask {
    const nested = body.parameters[0].parameters
    const task: CreatedTask = {
      id,
      ref,
      taskType: prepared.taskType,
      model: { id: prepared.leaf.model_id, name: prepared.leaf.name, version: prepared.leaf.id },
      attributeId: prepared.attributeId,
      credit: prepared.credit,
      n: nested.n,
      totalCredit: prepared.totalCredit,
      size: typeof nested.size === 'string' ? nested.size : undefined,
      estimatedSeconds: prepared.info.estimatedSeconds,
      createdAt: Date.now(),
      body,
    }
    this.#context.emit('task.created', { task, detached })
    this.#context.config.logger.info('ima task created', {
      taskId: task.id,
      ref,
      detached,
      model: task.model.id,
      attributeId: task.attributeId,
      credit: task.credit,
      n: task.n,
      version: task.model.version,
      size: task.size,
      // Dropped by the client's log redaction unless the option logPrompts is true.
      prompt: nested.prompt,
    })
    return task
  }

  /** See `Tasks.get`. */
  async get(taskRef: TaskRef, options?: RequestOptions): Promise<TaskDetail> {
    return this.#readDetail(taskIdOf(taskRef), checkCallOptions(options, 'tasks.get', []))
  }

  /** One read of a task's detail, with options already checked (by `get`, or once by a wait for all its polls). */
  async #readDetail(taskId: string, request: RequestOptions): Promise<TaskDetail> {
    const answer = await this.#context.http.call({
      method: 'POST',
      path: TASK_DETAIL_PATH,
      body: { task_id: taskId },
      check: readTaskDetailData,
      retry: 'idempotent',
      ...requestFields(request),
      log: { taskId },
    })
    // Redacted once, where the wire detail becomes SDK data: every reason, error, event and log line made from it is clean.
    const secrets = [this.#context.config.apiKey]
    redactServiceText(answer, secrets)
    const reading = readTaskStatus(answer.medias)
    return {
      id: answer.id === null || answer.id === undefined ? taskId : String(answer.id),
      state: reading.state,
      reason: reading.reason,
      failure: reading.failure,
      urls: reading.urls ?? [],
      medias: (answer.medias ?? []).map(toTaskMedia),
      raw: answer,
    }
  }

  /** See `Tasks.waitFor`. */
  waitFor(taskRef: TaskRef, options: WaitOptions = {}): AsyncGenerator<TaskEvent, void, undefined> {
    return iteratePoll(options.signal, (signal, onEvent) => this.#waiter.wait(taskRef, { ...options, signal }, onEvent))
  }

  /** See `Tasks.wait`. */
  async wait(taskRef: TaskRef, options: WaitOptions = {}): Promise<TaskResult> {
    return this.#waiter.wait(taskRef, options)
  }

  /** See `Tasks.recent`. */
  async recent(options: RecentTasksOptions = {}): Promise<JournalEntry[]> {
    const states = options.state === undefined ? undefined : new Set(Array.isArray(options.state) ? options.state : [options.state])
    const limit = options.limit ?? Number.POSITIVE_INFINITY
    if (!(limit >= 0)) throw new ValidationError('Expected limit to be a number ≥ 0', [{ path: 'limit', message: 'must be ≥ 0' }])
    const entries = (await this.#context.config.journal.list()).reverse()
    return entries.filter((entry) => states === undefined || states.has(entry.state)).slice(0, limit)
  }

  /** See `Tasks.pending`. */
  async pending(): Promise<JournalEntry[]> {
    const baseURL = this.#context.config.baseURL
    return (await this.recent({ state: 'created' })).filter((entry) => entry.taskId !== undefined && entry.baseURL === baseURL)
  }

  /** See `Tasks.resume`. */
  async resume(options: WaitOptions = {}): Promise<ResumeOutcome[]> {
    const pending = await this.pending()
    const outcomes: ResumeOutcome[] = new Array(pending.length)
    let next = 0
    // A few waits at a time: a journal left by a day of crashes must not become a burst of polls.
    const worker = async () => {
      while (next < pending.length) {
        const index = next++
        outcomes[index] = await this.#resumeOne(pending[index] as JournalEntry, options)
      }
    }
    await Promise.all(Array.from({ length: Math.min(RESUME_CONCURRENCY, pending.length) }, worker))
    return outcomes
  }

  async #resumeOne(entry: JournalEntry, options: WaitOptions): Promise<ResumeOutcome> {
    const taskId = entry.taskId as string
    try {
      const result = await this.wait({ id: taskId, model: { ...entry.model }, createdAt: Date.parse(entry.createdAt) }, options)
      return { entry, result }
    } catch (error) {
      return { entry, error: error instanceof ImaError ? error : new ImaError(String(error), { cause: error, taskId }) }
    }
  }
}
