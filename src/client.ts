import { EventEmitter } from 'eventemitter3'
import type { ModelScope } from './catalog/scopes.js'
import { resolveClientConfig, type ImaClientOptions } from './client-options.js'
import type { ImaLanguage } from './http/transport-options.js'
import type { ClientConfig, CoreContext } from './resources/context.js'
import type { EmitImaEvent, ImaEvents } from './events.js'
import { CreditTally } from './resources/tasks/budget.js'
import type { RequestOptions } from './http/http-client.js'
import { REDACTED } from './internal/redact.js'
import { PREFERENCE_BUDGET_MS, promiseFrom, settledWithin } from './internal/deadline.js'
import { preferenceAfterUse } from './stores/preferences.js'
import type { CreatedTask, TaskCreateParams, TaskResult, WaitOptions } from './resources/tasks/types.js'
import { EngineLoader, Preferences, Products, Tasks, Uploads } from './resources/facades.js'
import type { LocalSourceReader } from './resources/uploads/sources.js'
import type { TaskType } from './schemas/task-type.js'

/**
 * Parameters of `ima.generate()`: a create and a wait in one call — those of
 * `tasks.create` and the wait's own (`intervalMs`, `timeoutMs`,
 * `estimatedMaxMs`, `maxPollFailures`). With a `userId`, the user's saved
 * model is used when `model` is left out, and the model is saved as the
 * user's preference after a success. `signal`, `timeout` and `maxRetries`
 * go in the second argument ({@link RequestOptions}).
 *
 * @example
 * ```ts
 * const params: GenerateParams = { userId: '12345', prompt: 'a red fox', timeoutMs: 300_000 }
 * const { url } = await ima.generate(params, { signal: AbortSignal.timeout(310_000) })
 * ```
 * @public
 */
export interface GenerateParams extends TaskCreateParams, Omit<WaitOptions, keyof RequestOptions> {
  /**
   * Called once the service has accepted the create, before the wait: the
   * task's id, model and cost, while the picture is still being made (to
   * show the id at once, to resume a wait that times out). An error it
   * throws is ignored: the task exists and is paid for either way.
   */
  onCreated?: ((task: CreatedTask) => void) | undefined
}

/** What `ima.generate()` returns: the result and the task it came from. @public */
export interface GenerateResult extends TaskResult {
  /** The task as `tasks.create` returned it: model, credit rule, cost and id. */
  task: CreatedTask
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom')

let attachReader: (client: ImaClient, reader: LocalSourceReader) => void
let savePreferenceOf: (client: ImaClient, userId: string, taskType: TaskType, task: UsedTask) => Promise<void>

/** What a finished task tells of the model its user chose: the model it ran on and its points per image. */
type UsedTask = { id: string; model: { id: string; name: string }; credit: number }

/**
 * Lets a client read local files and platform streams in uploads: how the
 * Node client (`ima-open-sdk/node`) adds them. Not exported from any entry.
 *
 * @example
 * ```ts
 * attachLocalSourceReader(this, nodeLocalSourceReader)
 * ```
 * @internal
 */
export function attachLocalSourceReader(client: ImaClient, reader: LocalSourceReader): void {
  attachReader(client, reader)
}

/**
 * Saves `userId`'s preference after `task` succeeded, in the client's own
 * store, as `generate({ userId })` does: how the queue's worker saves it for a
 * job it resumed (it waits for the task, it does not call `generate` again).
 * Never rejects, and takes at most about a second. Not exported from any entry.
 *
 * @example
 * ```ts
 * await savePreferenceAfterUse(client, 'user-1', 'text_to_image', { id: taskId, model, credit: 6 })
 * ```
 * @internal
 */
export function savePreferenceAfterUse(client: ImaClient, userId: string, taskType: TaskType, task: UsedTask): Promise<void> {
  return savePreferenceOf(client, userId, taskType, task)
}

/**
 * The IMA Open API client.
 *
 * @example
 * ```ts
 * import { ImaClient } from 'ima-open-sdk'
 * const ima = new ImaClient() // apiKey from IMA_API_KEY
 * const { url } = await ima.generate({ model: 'gemini-3-pro-image', prompt: 'a red fox', size: '2K' })
 * ```
 * @public
 */
export class ImaClient {
  /** The product list: models, versions, credit rules. */
  readonly products: Products
  /** Create tasks, read them, wait for them. */
  readonly tasks: Tasks
  /** Upload local images for image_to_image. */
  readonly uploads: Uploads
  /** Each user's saved model per task type: `remember`, `forget`, `get`, `list`. */
  readonly preferences: Preferences
  readonly #config: ClientConfig
  readonly #emitter = new EventEmitter<ImaEvents>()
  readonly #listenerGuards = new WeakMap<object, Map<keyof ImaEvents, (payload: unknown) => void>>()
  readonly #budget: CreditTally
  readonly #localSources: CoreContext['localSources']
  readonly #engine: EngineLoader

  static {
    attachReader = (client, reader) => {
      client.#localSources.reader = reader
    }
    // A client from the package's other build (ESM beside CommonJS) has no such field: nothing to save into then.
    savePreferenceOf = (client, userId, taskType, task) => (#config in client ? client.#savePreference(userId, taskType, task) : Promise.resolve())
  }

  /**
   * @param options - every option has a default; see {@link ImaClientOptions}.
   * @throws ImaConfigError for an option of the wrong type or a non-https base URL. A missing API key is reported on the first request instead.
   */
  constructor(options: ImaClientOptions = {}) {
    this.#config = resolveClientConfig(options)
    // Every event has one payload: passed on as it is, with no rest array per event.
    const emitOne = (event: keyof ImaEvents, payload?: unknown): void => {
      try {
        ;(this.#emitter.emit as (name: string, payload: unknown) => boolean)(event, payload)
      } catch (error) {
        // A listener's bug must not break the request or the wait that emitted the event.
        this.#config.logger.error('ima event listener threw', { event, error: error instanceof Error ? error.message : String(error) })
      }
    }
    const emit = emitOne as EmitImaEvent
    emit.listens = (event) => this.#emitter.listenerCount(event) > 0
    const core: CoreContext = { config: this.#config, emit, budget: new CreditTally(), localSources: {} }
    this.#budget = core.budget
    this.#localSources = core.localSources
    // The resources' code (and the HTTP layer) loads on the first call: constructing a client costs only its options.
    const engine = new EngineLoader(core)
    this.#engine = engine
    this.products = new Products(engine)
    this.uploads = new Uploads(engine)
    this.tasks = new Tasks(engine)
    this.preferences = new Preferences(engine)
  }

  /** The API host in use. */
  get baseURL(): string {
    return this.#config.baseURL
  }

  /** The upload host in use. */
  get uploadBaseURL(): string {
    return this.#config.uploadBaseURL
  }

  /** Points spent by this client's accepted creates (what `maxCredits` counts, with `creditsUncertain`). */
  get creditsSpent(): number {
    return this.#budget.spent
  }

  /**
   * Points of creates whose outcome is unknown (`CreateOutcomeUnknownError`,
   * an abort while a create was in flight): they may have been charged, so
   * they count against `maxCredits` until a late answer settles them.
   */
  get creditsUncertain(): number {
    return this.#budget.uncertain
  }

  /** Which models this client may use, and what its tiers and defaults mean. */
  get scope(): ModelScope {
    return this.#config.scope
  }

  /** The product-label language. */
  get language(): ImaLanguage {
    return this.#config.language
  }

  /**
   * Listens to a client event (`request`, `response`, `retry`, `task.created`,
   * `task.status`, `task.succeeded`, `task.failed`).
   *
   * @example
   * ```ts
   * ima.on('retry', ({ attempt, delayMs, reason }) => console.warn(`retry ${attempt} in ${delayMs} ms: ${reason}`))
   * ```
   */
  on<E extends keyof ImaEvents>(event: E, listener: ImaEvents[E]): this {
    this.#emitter.on(event, this.#guarded(event, listener) as never)
    return this
  }

  /** Listens to the next occurrence of an event only. */
  once<E extends keyof ImaEvents>(event: E, listener: ImaEvents[E]): this {
    this.#emitter.once(event, this.#guarded(event, listener) as never)
    return this
  }

  /** Stops listening. */
  off<E extends keyof ImaEvents>(event: E, listener: ImaEvents[E]): this {
    // Only a listener that was added has a wrapper; anything else is nothing to remove.
    const guard = this.#listenerGuards.get(listener as object)?.get(event)
    if (guard) this.#emitter.off(event, guard as never)
    return this
  }

  /**
   * The listener as the emitter calls it: a listener that throws (or rejects) is logged and the
   * others of its event still run — the emitter would stop at the first throw. One wrapper per
   * listener and event, so `off` finds it.
   */
  #guarded(event: keyof ImaEvents, listener: unknown): (payload: unknown) => void {
    if (typeof listener !== 'function') throw new TypeError(`Expected a function to listen to ${event}, got ${typeof listener}`)
    let byEvent = this.#listenerGuards.get(listener as object)
    if (!byEvent) this.#listenerGuards.set(listener as object, (byEvent = new Map()))
    let guard = byEvent.get(event)
    if (!guard) {
      const report = (error: unknown) => this.#config.logger.error('ima event listener threw', { event, error: error instanceof Error ? error.message : String(error) })
      guard = (payload) => {
        try {
          const returned: unknown = (listener as (payload: unknown) => unknown)(payload)
          if (returned instanceof Promise) returned.catch(report)
        } catch (error) {
          report(error)
        }
      }
      byEvent.set(event, guard)
    }
    return guard
  }

  /**
   * Creates a task and waits for its result. `options` are for this call
   * only and apply to both steps: `signal` cancels the create (as in
   * `tasks.create`: a create in flight is detached, not dropped) or the wait;
   * `timeout` and `maxRetries` apply to every HTTP request, the polls
   * included. The wait's overall deadline is `params.timeoutMs`.
   *
   * @example
   * ```ts
   * const result = await ima.generate(
   *   { model: 'doubao-seedream-4.5', prompt: 'a lighthouse at dusk', aspectRatio: '16:9' },
   *   { signal: AbortSignal.timeout(300_000), timeout: 15_000 },
   * )
   * console.log(result.url, result.task.credit)
   * ```
   */
  async generate(params: GenerateParams, options?: RequestOptions): Promise<GenerateResult> {
    const { intervalMs, timeoutMs, estimatedMaxMs, maxPollFailures, onCreated, ...create } = params
    const waitOptions = { ...options, intervalMs, timeoutMs, estimatedMaxMs, maxPollFailures }
    // Checked before the create: a wait that could not start must not follow a paid create.
    await this.#engine.run(options?.signal, async (engine) => engine.tasks.checkGenerateOptions(options, waitOptions))
    const task = await this.tasks.create(create, options)
    try {
      onCreated?.(task)
    } catch (error) {
      this.#config.logger.warn('ima onCreated callback failed', { taskId: task.id, error })
    }
    // Whatever ends the wait, its error carries task.id (set by the waiter): the task exists and may be charged.
    const result = await this.tasks.wait(task, waitOptions)
    if (params.userId !== undefined) await this.#savePreference(params.userId, task.taskType, task)
    return { ...result, task }
  }

  /** Saves the user's preference after a success; a store that fails or is slow never loses or holds back the paid result. */
  async #savePreference(userId: string, taskType: TaskType, task: UsedTask): Promise<void> {
    const saving = promiseFrom(() => this.#config.preferences.set(userId, taskType, preferenceAfterUse(task))).catch((error: unknown) => {
      // The image is made and paid for: a store that cannot be written must not lose it.
      this.#config.logger.warn('ima preference not saved', { taskId: task.id, model: task.model.id, error })
    })
    // A slow store finishes in the background: it never holds a paid result back by more than this.
    await settledWithin(saving, PREFERENCE_BUDGET_MS)
  }

  /** What `JSON.stringify(client)` shows: the hosts and language, never the key. */
  toJSON(): Record<string, unknown> {
    return {
      baseURL: this.#config.baseURL,
      uploadBaseURL: this.#config.uploadBaseURL,
      language: this.#config.language,
      apiKey: this.#config.apiKey ? REDACTED : undefined,
    }
  }

  /** What `util.inspect(client)` / `console.log(client)` shows. */
  [INSPECT](): string {
    return `ImaClient ${JSON.stringify(this.toJSON())}`
  }
}
