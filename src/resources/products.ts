import * as z from 'zod/mini'
import { describeModel, type ModelInfo } from '../catalog/capabilities.js'
import { scopeAllows } from '../catalog/scopes.js'
import { throwIfAborted } from '../internal/abort.js'
import type { ClientContext } from './context.js'
import { requestFields, type RequestOptions } from '../http/http-client.js'
import { validateInput } from '../internal/validate.js'
import { findVersionLeaf, leafOrNotFound, listModelIds, listVersionLeaves } from '../protocol/product-tree.js'
import { productListSchema, type ProductNode } from '../schemas/products.js'
import { TASK_TYPES, type TaskType } from '../schemas/tasks.js'

/**
 * Options of the product calls.
 *
 * @example
 * ```ts
 * const models = await ima.products.models('text_to_image', { fresh: true, timeout: 5_000 })
 * ```
 * @public
 */
export interface ProductRequestOptions extends RequestOptions {
  /** Fetch the list again even if a cached copy is fresh. */
  fresh?: boolean
}

/** Options of `products.find`. @public */
export interface ProductFindOptions extends ProductRequestOptions {
  /** A specific version id; the newest version of the model otherwise. */
  versionId?: string
}

const categorySchema = z.enum(TASK_TYPES)
const listDataSchema = z.pipe(
  z.nullable(productListSchema),
  z.transform((nodes: ProductNode[] | null) => nodes ?? []),
)

/** Freezes a value and everything in it; by a loop, not recursion, so no depth of unchecked extra fields can overflow the stack. */
function deepFreeze(root: unknown): void {
  const pending: unknown[] = [root]
  while (pending.length > 0) {
    const value = pending.pop()
    if (typeof value !== 'object' || value === null || Object.isFrozen(value)) continue
    Object.freeze(value)
    for (const child of Object.values(value)) if (typeof child === 'object' && child !== null) pending.push(child)
  }
}

interface CachedTree {
  tree: ProductNode[]
  fetchedAt: number
}

/** A request for a tree, and whether a second caller joined it (then its tree is shared, so frozen). */
interface PendingTree {
  promise: Promise<ProductNode[]>
  joined: boolean
}

/**
 * The product list: which models and versions exist, their credit rules and
 * form fields, and what a task would cost. The list is cached per category
 * (and language) for `productCacheTtlMs`; concurrent callers share one request.
 * @public
 */
export class Products {
  readonly #context: ClientContext
  readonly #cache = new Map<string, CachedTree>()
  readonly #inFlight = new Map<string, PendingTree>()

  /** @internal */
  constructor(context: ClientContext) {
    this.#context = context
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
  async list(category: TaskType, options: ProductRequestOptions = {}): Promise<ProductNode[]> {
    return this.#tree(category, options)
  }

  /**
   * Forgets cached product lists (one category, or all), so the next call
   * reads them again. The client does this itself when a create is refused
   * because the list changed (6006, 6009, 6010, "Invalid product attribute").
   */
  invalidate(category?: TaskType): void {
    for (const key of [...this.#cache.keys()]) {
      if (category === undefined || key.startsWith(`${category}:`)) this.#cache.delete(key)
    }
  }

  /**
   * Every version leaf of a category, at any depth, oldest → newest within a model.
   *
   * @example
   * ```ts
   * for (const leaf of await ima.products.versions('text_to_image')) console.log(leaf.model_id, leaf.id)
   * ```
   */
  async versions(category: TaskType, options: ProductRequestOptions = {}): Promise<ProductNode[]> {
    return listVersionLeaves(await this.#tree(category, options))
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
  async find(category: TaskType, modelId: string, options: ProductFindOptions = {}): Promise<ProductNode> {
    return leafOrNotFound(category, await this.versions(category, options), modelId, options.versionId)
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
  async models(taskType: TaskType, options: ProductRequestOptions = {}): Promise<ModelInfo[]> {
    const leaves = await this.versions(taskType, options)
    return listModelIds(leaves)
      .filter((modelId) => scopeAllows(this.#context.config.scope, modelId))
      .map((modelId) => describeModel(modelId, taskType, findVersionLeaf(leaves, modelId)))
  }

  /** The cached tree (not a copy: internal callers must not change it). */
  async #tree(category: TaskType, options: ProductRequestOptions): Promise<ProductNode[]> {
    validateInput(categorySchema, category, 'category (expected text_to_image or image_to_image)')
    // A cached answer must not hide that the caller already gave up.
    throwIfAborted(options.signal)
    const { config } = this.#context
    const key = `${category}:${config.language}`
    const cached = this.#cache.get(key)
    if (!options.fresh && cached && Date.now() - cached.fetchedAt < config.productCacheTtlMs) return cached.tree
    const fields = requestFields(options)
    // One caller's abort or own limits must not decide for the others: only calls without them share a request.
    const shareable = Object.keys(fields).length === 0
    const pending = this.#inFlight.get(key)
    if (pending && !options.fresh && shareable) {
      pending.joined = true
      return pending.promise
    }
    // The key is this request's only while no fresh request has taken it since.
    const settle = () => {
      if (this.#inFlight.get(key) === mine) this.#inFlight.delete(key)
    }
    const promise = this.#context.http
      .call({
        method: 'GET',
        path: '/open/v1/product/list',
        query: { app: 'ima', platform: 'web', category },
        schema: listDataSchema,
        retry: 'idempotent',
        ...fields,
      })
      .then(
        (tree) => {
          // Settled first, in the same step as the choice below: no caller can join after the tree was left unfrozen.
          settle()
          const cached = config.productCacheTtlMs > 0
          // Frozen when shared (with the cache or a caller who joined), so a change by one must not reach the others.
          // A tree for one caller alone is theirs: freezing it would be a walk of the whole tree for nothing.
          if (cached || mine.joined) deepFreeze(tree)
          if (cached) this.#cache.set(key, { tree, fetchedAt: Date.now() })
          return tree
        },
        (error: unknown) => {
          settle()
          throw error
        },
      )
    const mine: PendingTree = { promise, joined: false }
    if (shareable) this.#inFlight.set(key, mine)
    return promise
  }
}
