import { describeModel, type ModelInfo } from '../catalog/capabilities.js'
import { scopeAllows } from '../catalog/scopes.js'
import { throwIfAborted } from '../internal/abort.js'
import type { ClientContext } from './context.js'
import { requestFields, type RequestOptions } from '../http/http-client.js'
import { findVersionLeaf, leafOrNotFound, listModelIds, listVersionLeaves } from '../protocol/product-tree.js'
import { PRODUCT_LIST_PATH } from '../protocol/endpoints.js'
import { readProductList, type ProductNode } from '../schemas/products.js'
import { checkTaskType, type TaskType } from '../schemas/task-type.js'

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
  fresh?: boolean | undefined
}

/** Options of `products.find`. @public */
export interface ProductFindOptions extends ProductRequestOptions {
  /** A specific version id; the newest version of the model otherwise. */
  versionId?: string | undefined
}


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

/** What `ima.products` does (the `Products` the client shows delegates here, once this module is loaded). */
export class ProductService {
  readonly #context: ClientContext
  readonly #cache = new Map<string, CachedTree>()
  readonly #inFlight = new Map<string, PendingTree>()

  /** @internal */
  constructor(context: ClientContext) {
    this.#context = context
  }

  /** See `Products.list`. */
  async list(category: TaskType, options: ProductRequestOptions = {}): Promise<ProductNode[]> {
    return this.#tree(category, options)
  }

  /** See `Products.invalidate`. */
  invalidate(category?: TaskType): void {
    for (const key of [...this.#cache.keys()]) {
      if (category === undefined || key.startsWith(`${category}:`)) this.#cache.delete(key)
    }
  }

  /** See `Products.versions`. */
  async versions(category: TaskType, options: ProductRequestOptions = {}): Promise<ProductNode[]> {
    return listVersionLeaves(await this.#tree(category, options))
  }

  /** See `Products.find`. */
  async find(category: TaskType, modelId: string, options: ProductFindOptions = {}): Promise<ProductNode> {
    return leafOrNotFound(category, await this.versions(category, options), modelId, options.versionId)
  }

  /** See `Products.models`. */
  async models(taskType: TaskType, options: ProductRequestOptions = {}): Promise<ModelInfo[]> {
    const leaves = await this.versions(taskType, options)
    return listModelIds(leaves)
      .filter((modelId) => scopeAllows(this.#context.config.scope, modelId))
      .map((modelId) => describeModel(modelId, taskType, findVersionLeaf(leaves, modelId)))
  }

  /** The cached tree (not a copy: internal callers must not change it). */
  async #tree(category: TaskType, options: ProductRequestOptions): Promise<ProductNode[]> {
    checkTaskType(category, 'category')
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
        path: PRODUCT_LIST_PATH,
        query: { app: 'ima', platform: 'web', category },
        check: readProductList,
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
