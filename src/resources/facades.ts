/**
 * The resources as the client shows them (`ima.tasks`, `ima.products`,
 * `ima.uploads`, `ima.preferences`): each method hands its call to the
 * engine (`engine.ts`), which is loaded on the first call. The classes hold
 * no logic of their own, and add no promise of their own once the engine is
 * there (a poll loop calls them thousands of times).
 */
import type { ModelInfo } from '../catalog/capabilities.js'
import type { RequestOptions } from '../http/http-client.js'
import type { ProductNode } from '../schemas/products.js'
import type { TaskType } from '../schemas/task-type.js'
import type { ModelPreference } from '../stores/preferences.js'
import type { JournalEntry } from '../stores/task-journal.js'
import { abortErrorFor, whenAborted } from '../internal/abort.js'
import type { CoreContext } from './context.js'
import type { Engine } from './engine.js'
import type { RememberOptions } from './preferences.js'
import type { ProductFindOptions, ProductRequestOptions } from './products.js'
import type {
  CreatedTask,
  RecentTasksOptions,
  ResumeOutcome,
  TaskCreateParams,
  TaskDetail,
  TaskEvent,
  TaskQuote,
  TaskQuoteParams,
  TaskRef,
  TaskResult,
  WaitOptions,
} from './tasks/types.js'
import type { UploadAllOptions, UploadOptions, UploadResult, UploadSource } from './uploads/index.js'

/**
 * Loads a client's engine once, on the first call that needs it; a failed
 * load (a chunk a bundler could not serve) is tried again on the next call.
 *
 * @example
 * ```ts
 * const engine = new EngineLoader(core)
 * const tree = await engine.run(undefined, (loaded) => loaded.products.list('text_to_image'))
 * ```
 */
export class EngineLoader {
  readonly #core: CoreContext
  #engine: Engine | undefined
  #loading: Promise<Engine> | undefined

  constructor(core: CoreContext) {
    this.#core = core
  }

  /** The engine, once loaded: calls after the first skip the wait for a promise. */
  get loaded(): Engine | undefined {
    return this.#engine
  }

  /**
   * Runs `call` on the engine: at once when it is loaded, after the load
   * (raced with `signal`) on the first call.
   *
   * @example
   * ```ts
   * return this.#engine.run(options?.signal, (engine) => engine.products.list(category, options))
   * ```
   */
  run<T>(signal: unknown, call: (engine: Engine) => Promise<T>): Promise<T> {
    return this.#engine !== undefined ? call(this.#engine) : this.load(signal).then(call)
  }

  /**
   * The engine, loading it on the first call. With the call's `signal`, an
   * abort while the engine loads rejects at once, as it would in flight.
   */
  load(signal?: unknown): Promise<Engine> {
    this.#loading ??= import('./engine.js').then(
      ({ createEngine }) => (this.#engine = createEngine(this.#core)),
      (error: unknown) => {
        this.#loading = undefined
        throw error
      },
    )
    // Anything but a signal is the engine's to refuse, with the ValidationError it gives for any call.
    if (this.#engine !== undefined || typeof AbortSignal === 'undefined' || !(signal instanceof AbortSignal)) return this.#loading
    if (signal.aborted) return Promise.reject(abortErrorFor(signal))
    const loading = this.#loading
    return new Promise((resolve, reject) => {
      const stopListening = whenAborted(signal, () => reject(abortErrorFor(signal)))
      loading.then(
        (engine) => {
          stopListening()
          resolve(engine)
        },
        (error: unknown) => {
          stopListening()
          reject(error)
        },
      )
    })
  }
}

/**
 * The product list: which models and versions exist, their credit rules and
 * form fields, and what a task would cost. The list is cached per category
 * (and language) for `productCacheTtlMs`; concurrent callers share one request.
 * @public
 */
export class Products {
  readonly #engine: EngineLoader

  /** @internal */
  constructor(engine: EngineLoader) {
    this.#engine = engine
  }

  /**
   * The V2 product tree of a category, validated, unknown fields kept. A
   * tree shared with the client's cache or another caller is frozen: copy it
   * (`structuredClone`) before changing it.
   *
   * @example
   * ```ts
   * const tree = await ima.products.list('text_to_image')
   * ```
   */
  list(category: TaskType, options?: ProductRequestOptions): Promise<ProductNode[]> {
    return this.#engine.run(options?.signal, (engine) => engine.products.list(category, options))
  }

  /**
   * Forgets cached product lists (one category, or all), so the next call
   * reads them again. The client does this itself when a create is refused
   * because the list changed (6006, 6009, 6010, "Invalid product attribute").
   */
  invalidate(category?: TaskType): void {
    this.#engine.loaded?.products.invalidate(category)
  }

  /**
   * Every version leaf of a category, at any depth, oldest → newest within a model.
   *
   * @example
   * ```ts
   * for (const leaf of await ima.products.versions('text_to_image')) console.log(leaf.model_id, leaf.id)
   * ```
   */
  versions(category: TaskType, options?: ProductRequestOptions): Promise<ProductNode[]> {
    return this.#engine.run(options?.signal, (engine) => engine.products.versions(category, options))
  }

  /**
   * The version leaf to use for a model: the newest, or the one with `versionId`.
   *
   * @throws ModelNotFoundError listing the model ids the category offers.
   * @example
   * ```ts
   * const leaf = await ima.products.find('text_to_image', 'gemini-3-pro-image')
   * console.log(leaf.id, leaf.credit_rules)
   * ```
   */
  find(category: TaskType, modelId: string, options?: ProductFindOptions): Promise<ProductNode> {
    return this.#engine.run(options?.signal, (engine) => engine.products.find(category, modelId, options))
  }

  /**
   * The models this client may use for a task type — the live list merged
   * with the catalog: sizes with points, ratios, estimated time.
   *
   * @example
   * ```ts
   * for (const model of await ima.products.models('text_to_image')) {
   *   console.log(model.name, model.sizes.map((s) => `${s.size} ${s.points} pts`).join(', '))
   * }
   * ```
   */
  models(taskType: TaskType, options?: ProductRequestOptions): Promise<ModelInfo[]> {
    return this.#engine.run(options?.signal, (engine) => engine.products.models(taskType, options))
  }

}

/**
 * Uploads: turns local images into the public https URLs image_to_image
 * needs (protocol §4: a signed token request, then a `PUT` of the bytes).
 *
 * The type is read from the bytes (JPEG, PNG, WebP, GIF, BMP, HEIC/HEIF,
 * AVIF), the size is capped by the client option `maxUploadBytes`, files and
 * streams are streamed rather than read whole, and identical bytes are not
 * uploaded twice by one client (see the `uploadCache` option). The API key
 * goes to the upload host only inside the token request, and only when an
 * upload really happens; the `PUT` carries no key at all.
 *
 * @example
 * ```ts
 * import { ImaClient } from 'ima-open-sdk/node'
 * const { url } = await new ImaClient().uploads.put('./cat.png')
 * ```
 * @public
 */
export class Uploads {
  readonly #engine: EngineLoader

  /** @internal */
  constructor(engine: EngineLoader) {
    this.#engine = engine
  }

  /**
   * Uploads one image and returns its public URL. An https URL is returned
   * as is, with nothing sent.
   *
   * @param source - see {@link UploadSource}. Local file paths need the Node client: `import { ImaClient } from 'ima-open-sdk/node'`.
   * @throws ValidationError before any request: not an image, a `contentType` that contradicts the bytes, over `maxUploadBytes`, a plain-http URL, an unreadable path.
   *   Also ImaConfigError (no API key), the API errors of the token request, ResponseValidationError (a non-https or redirecting upload URL), ConnectionError, RequestTimeoutError, and an `AbortError`.
   * @example
   * ```ts
   * import { ImaClient } from 'ima-open-sdk/node'
   * const ima = new ImaClient()
   * const { url } = await ima.uploads.put('./cat.png')
   * const task = await ima.tasks.create({ model: 'doubao-seedream-4.5', prompt: 'make it a watercolour', inputImages: [url] })
   * ```
   */
  put(source: UploadSource, options?: UploadOptions): Promise<UploadResult> {
    return this.#engine.run(options?.signal, (engine) => engine.uploads.put(source, options))
  }

  /**
   * Uploads several images, a few at a time, and returns their URLs in the
   * same order. URLs are passed through. The first failure cancels the rest.
   *
   * @example
   * ```ts
   * const urls = await ima.uploads.putAll(['./a.png', 'https://example.com/b.jpg', bytes])
   * ```
   */
  putAll(sources: readonly UploadSource[], options?: UploadAllOptions): Promise<string[]> {
    return this.#engine.run(options?.signal, (engine) => engine.uploads.putAll(sources, options))
  }

}

/**
 * Tasks: create one, read its detail, and wait for its result.
 * @public
 */
export class Tasks {
  readonly #engine: EngineLoader

  /** @internal */
  constructor(engine: EngineLoader) {
    this.#engine = engine
  }

  /**
   * What a task would cost and which rule it would use, without creating it:
   * exactly what `create` would send, through the same preparation. Takes the
   * same parameters as `tasks.create`.
   *
   * @param options - for this call only: `signal` cancels it, `timeout` and `maxRetries` apply to its read of the product list.
   * @example
   * ```ts
   * const quote = await ima.tasks.quote({ model: 'NB Pro', prompt: 'a fox', size: '4K' }, { timeout: 5_000 })
   * console.log(quote.totalCredit, quote.attributeId) // 18 2401
   * ```
   */
  quote(params: TaskQuoteParams, options?: RequestOptions): Promise<TaskQuote> {
    return this.#engine.run(options?.signal, (engine) => engine.tasks.quote(params, options))
  }

  /**
   * Creates a task: resolves the model (id, name, alias or tier; else the
   * user's preference or the scope's default), takes its newest version,
   * merges the form defaults with your parameters, chooses the credit rule,
   * checks the budget and the whole body, then sends it. Nothing is sent when
   * the request cannot be met. When the service refuses the create because the
   * product list changed (6006, 6009, 6010, "Invalid product attribute"), the
   * list is read again and the create sent once more — safe, since the first
   * one was refused, not accepted.
   *
   * `options` are for this call only. `timeout` and `maxRetries` apply to
   * each of its HTTP requests: the product list read, the uploads of input
   * images and the create (which is still re-sent only when provably safe).
   * Aborting `signal` before the create is sent rejects with an
   * `AbortError`; aborting while it is in flight rejects at once with a
   * detached `CreateOutcomeUnknownError`, and its answer is still read and
   * journaled in the background.
   *
   * @throws ValidationError (before any request; `BudgetExceededError`, `ModelNotFoundError`), ApiError subclasses, CreateOutcomeUnknownError.
   * @example
   * ```ts
   * const task = await ima.tasks.create({ model: 'gemini-3-pro-image', prompt: 'a red fox', size: '2K' }, { signal: AbortSignal.timeout(60_000) })
   * console.log(task.id, task.credit)
   * ```
   */
  create(params: TaskCreateParams, options?: RequestOptions): Promise<CreatedTask> {
    return this.#engine.run(options?.signal, (engine) => engine.tasks.create(params, options))
  }

  /**
   * Reads a task's detail once, with its state already worked out.
   *
   * @param options - for this call only: `signal` cancels it, `timeout` and `maxRetries` apply to its request.
   * @example
   * ```ts
   * const detail = await ima.tasks.get(task.id, { timeout: 5_000, maxRetries: 0 })
   * if (detail.state === 'success') console.log(detail.medias[0]?.url)
   * ```
   */
  get(taskRef: TaskRef, options?: RequestOptions): Promise<TaskDetail> {
    return this.#engine.run(options?.signal, (engine) => engine.tasks.get(taskRef, options))
  }

  /**
   * Waits for a task, yielding a status event per poll with a capped
   * percentage. Ends after the `success` event; after a `failed` event it
   * throws `TaskFailedError`; past `timeoutMs`, `TaskTimeoutError`.
   * `timeout` and `maxRetries` apply to each poll request; `timeoutMs` is
   * the deadline of the whole wait (see {@link WaitOptions}).
   *
   * @example
   * ```ts
   * for await (const event of ima.tasks.waitFor(task, { timeoutMs: 300_000, timeout: 10_000 })) {
   *   console.log(event.type, event.percent, event.type === 'success' ? event.url : '')
   * }
   * ```
   */
  async *waitFor(taskRef: TaskRef, options?: WaitOptions): AsyncGenerator<TaskEvent, void, undefined> {
    yield* (await this.#engine.load(options?.signal)).tasks.waitFor(taskRef, options)
  }

  /**
   * Waits for a task and returns its result. `timeoutMs` is the deadline of
   * the whole wait; `timeout` and `maxRetries` apply to each poll request
   * (see {@link WaitOptions}).
   *
   * @throws TaskFailedError, TaskTimeoutError (the task may still finish; keep its id), an `AbortError`.
   * @example
   * ```ts
   * const { url } = await ima.tasks.wait(task, { timeoutMs: 300_000, signal: AbortSignal.timeout(310_000) })
   * ```
   */
  wait(taskRef: TaskRef, options?: WaitOptions): Promise<TaskResult> {
    return this.#engine.run(options?.signal, (engine) => engine.tasks.wait(taskRef, options))
  }

  /**
   * The client's task journal, newest first: every create it sent (or was
   * about to send when the process died), with its task id or "outcome
   * unknown", and how it ended. A task that may have been charged is always
   * here — look here before creating again after an error.
   *
   * @example
   * ```ts
   * for (const entry of await ima.tasks.recent({ state: ['unknown', 'intent'] })) {
   *   console.log(entry.createdAt, entry.model.name, entry.totalCredit, 'may be charged; ref', entry.ref)
   * }
   * ```
   */
  recent(options?: RecentTasksOptions): Promise<JournalEntry[]> {
    return this.#engine.run(undefined, (engine) => engine.tasks.recent(options))
  }

  /**
   * Tasks that were created (their id is known) but whose wait never ended:
   * after a crash, an abort or a wait timeout. Only those of this client's
   * API host. `resume()` waits for them.
   *
   * @example
   * ```ts
   * console.log((await ima.tasks.pending()).map((entry) => entry.taskId))
   * ```
   */
  pending(): Promise<JournalEntry[]> {
    return this.#engine.run(undefined, (engine) => engine.tasks.pending())
  }

  /**
   * Waits again for every pending task (`pending()`), at once, and journals
   * how each ended. Never throws for one task: each outcome holds its result
   * or its error. Another process sharing the journal (a file, Redis) may
   * resume what this one left. `options` apply to every one of those waits,
   * as in `tasks.wait`.
   *
   * @example
   * ```ts
   * for (const { entry, result, error } of await ima.tasks.resume({ timeoutMs: 120_000, timeout: 10_000 })) {
   *   console.log(entry.taskId, result?.url ?? error?.message)
   * }
   * ```
   */
  resume(options?: WaitOptions): Promise<ResumeOutcome[]> {
    return this.#engine.run(options?.signal, (engine) => engine.tasks.resume(options))
  }

}

/**
 * Each user's saved model per task type, kept in the client's `preferences`
 * store — what `generate({ userId })` uses when no model is named, and
 * writes after each success. These methods serve "always use X" and "use the
 * default again" requests.
 * @public
 */
export class Preferences {
  readonly #engine: EngineLoader

  /** @internal */
  constructor(engine: EngineLoader) {
    this.#engine = engine
  }

  /**
   * Saves `model` as the user's model for a task type. `model` is resolved
   * as `tasks.create` does — an id, version id, name, alias ("NB Pro",
   * "香蕉") or tier ("premium", "最便宜") — against the live product list,
   * and the default size's points are kept as `credit`.
   *
   * @param options - for this call only: `signal`, `timeout` and `maxRetries` of its product list read. The store's own write is not an HTTP call of the SDK's and is not limited by them.
   * @throws ModelNotFoundError (with close matches), ValidationError (a model outside the client's scope), the product list's API errors.
   * @example
   * ```ts
   * await ima.preferences.remember('12345', 'text_to_image', 'NB Pro', { timeout: 5_000 }) // "always use Nano Banana Pro"
   * ```
   */
  remember(userId: string, taskType: TaskType, model: string, options?: RememberOptions): Promise<ModelPreference> {
    return this.#engine.run(options?.signal, (engine) => engine.preferences.remember(userId, taskType, model, options))
  }

  /**
   * Forgets the user's model for one task type, or for every task type when
   * `taskType` is left out: the scope's default is used again.
   *
   * @example
   * ```ts
   * await ima.preferences.forget('12345') // "use the default"
   * ```
   */
  forget(userId: string, taskType?: TaskType): Promise<void> {
    return this.#engine.run(undefined, (engine) => engine.preferences.forget(userId, taskType))
  }

  /**
   * The user's saved model for a task type, if any.
   *
   * @example
   * ```ts
   * const saved = await ima.preferences.get('12345', 'text_to_image') // { modelId, modelName, credit, lastUsed } | undefined
   * ```
   */
  get(userId: string, taskType: TaskType): Promise<ModelPreference | undefined> {
    return this.#engine.run(undefined, (engine) => engine.preferences.get(userId, taskType))
  }

  /**
   * Every saved model of the user, by task type.
   *
   * @example
   * ```ts
   * const all = await ima.preferences.list('12345') // { text_to_image?: …, image_to_image?: … }
   * ```
   */
  list(userId: string): Promise<Partial<Record<TaskType, ModelPreference>>> {
    return this.#engine.run(undefined, (engine) => engine.preferences.list(userId))
  }

}
