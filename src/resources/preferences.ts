import type { ClientContext } from './context.js'
import { ValidationError } from '../errors.js'
import type { RequestOptions } from '../http/http-client.js'
import { TASK_TYPES, type TaskType } from '../schemas/tasks.js'
import type { ModelPreference } from '../stores/preferences.js'
import type { Products } from './products.js'
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

function checkTaskType(taskType: unknown): asserts taskType is TaskType {
  if (!TASK_TYPES.includes(taskType as TaskType)) {
    throw new ValidationError(`taskType must be ${TASK_TYPES.join(' or ')}, got ${JSON.stringify(taskType)}`, [
      { path: 'taskType', message: `must be ${TASK_TYPES.join(' or ')}` },
    ])
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
  readonly #context: ClientContext
  readonly #products: Products

  /** @internal */
  constructor(context: ClientContext, products: Products) {
    this.#context = context
    this.#products = products
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

  /**
   * Forgets the user's model for one task type, or for every task type when
   * `taskType` is left out: the scope's default is used again.
   *
   * @example
   * ```ts
   * await ima.preferences.forget('12345') // "use the default"
   * ```
   */
  async forget(userId: string, taskType?: TaskType): Promise<void> {
    checkUser(userId)
    if (taskType !== undefined) checkTaskType(taskType)
    const store = this.#context.config.preferences
    for (const type of taskType === undefined ? TASK_TYPES : [taskType]) await store.delete(userId, type)
    this.#context.config.logger.info('ima preference forgotten', { userId, taskType: taskType ?? 'all' })
  }

  /**
   * The user's saved model for a task type, if any.
   *
   * @example
   * ```ts
   * const saved = await ima.preferences.get('12345', 'text_to_image') // { modelId, modelName, credit, lastUsed } | undefined
   * ```
   */
  async get(userId: string, taskType: TaskType): Promise<ModelPreference | undefined> {
    checkUser(userId)
    checkTaskType(taskType)
    return this.#context.config.preferences.get(userId, taskType)
  }

  /**
   * Every saved model of the user, by task type.
   *
   * @example
   * ```ts
   * const all = await ima.preferences.list('12345') // { text_to_image?: …, image_to_image?: … }
   * ```
   */
  async list(userId: string): Promise<Partial<Record<TaskType, ModelPreference>>> {
    checkUser(userId)
    return this.#context.config.preferences.list(userId)
  }
}
