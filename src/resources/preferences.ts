import type { ClientContext } from './context.js'
import { ValidationError } from '../errors.js'
import type { RequestOptions } from '../http/http-client.js'
import { checkTaskType, TASK_TYPES, type TaskType } from '../schemas/task-type.js'
import type { ModelPreference } from '../stores/preferences.js'
import type { ProductService } from './products.js'
import { checkRequestOptions } from './tasks/create-params.js'
import { prepareTask } from './tasks/preparation.js'

/**
 * Options of `ima.preferences.remember()`: the {@link RequestOptions} of its
 * one HTTP request, the product list read that resolves the model
 * (`signal` cancels it; `timeout`, `maxRetries` limit it). A named type of
 * its own, like `ProductRequestOptions` and `UploadOptions`, so options that
 * only `remember` needs can be added later without changing its signature.
 *
 * @example
 * ```ts
 * const options: RememberOptions = { signal: AbortSignal.timeout(10_000), maxRetries: 1 }
 * await ima.preferences.remember('12345', 'text_to_image', 'NB Pro', options)
 * ```
 * @public
 */
export interface RememberOptions extends RequestOptions {}

function checkUser(userId: unknown): asserts userId is string {
  if (typeof userId !== 'string' || userId.trim() === '') {
    throw new ValidationError('userId must be a non-empty string: the id your app knows the user by', [{ path: 'userId', message: 'must be a non-empty string' }])
  }
}

/** What `ima.preferences` does (the `Preferences` the client shows delegates here, once this module is loaded). */
export class PreferenceService {
  readonly #context: ClientContext
  readonly #products: ProductService

  /** @internal */
  constructor(context: ClientContext, products: ProductService) {
    this.#context = context
    this.#products = products
  }

  /** See `Preferences.remember`. */
  async remember(userId: string, taskType: TaskType, model: string, options?: RememberOptions): Promise<ModelPreference> {
    checkUser(userId)
    checkTaskType(taskType)
    if (typeof model !== 'string' || model.trim() === '') {
      throw new ValidationError('model must be a model id, name, alias or tier, e.g. "NB Pro"', [{ path: 'model', message: 'must not be empty' }])
    }
    const prepared = await prepareTask(this.#context, this.#products, { taskType, model, n: 1 }, checkRequestOptions(options))
    const preference: ModelPreference = {
      modelId: prepared.leaf.model_id,
      modelName: prepared.leaf.name,
      credit: prepared.credit,
      lastUsed: new Date().toISOString(),
    }
    await this.#context.config.preferences.set(userId, taskType, preference)
    this.#context.config.logger.info('ima preference saved', { userId, taskType, model: preference.modelId, credit: preference.credit })
    return preference
  }

  /** See `Preferences.forget`. */
  async forget(userId: string, taskType?: TaskType): Promise<void> {
    checkUser(userId)
    if (taskType !== undefined) checkTaskType(taskType)
    const store = this.#context.config.preferences
    for (const type of taskType === undefined ? TASK_TYPES : [taskType]) await store.delete(userId, type)
    this.#context.config.logger.info('ima preference forgotten', { userId, taskType: taskType ?? 'all' })
  }

  /** See `Preferences.get`. */
  async get(userId: string, taskType: TaskType): Promise<ModelPreference | undefined> {
    checkUser(userId)
    checkTaskType(taskType)
    return this.#context.config.preferences.get(userId, taskType)
  }

  /** See `Preferences.list`. */
  async list(userId: string): Promise<Partial<Record<TaskType, ModelPreference>>> {
    checkUser(userId)
    return this.#context.config.preferences.list(userId)
  }
}
