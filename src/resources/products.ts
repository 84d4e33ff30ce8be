import * as z from 'zod/mini'
import { describeModel, type ModelInfo } from '../catalog/capabilities.js'
import { scopeAllows } from '../catalog/scopes.js'
import { throwIfAborted } from '../core/abort.js'
import type { ClientContext } from '../core/context.js'
import { ModelNotFoundError } from '../core/errors.js'
import { validateInput } from '../core/validate.js'
import { findVersionLeaf, listModelIds, listVersionLeaves } from '../protocol/product-tree.js'
import { productListSchema, type ProductNode } from '../schemas/products.js'
import { TASK_TYPES, type TaskType } from '../schemas/tasks.js'
import { prepareTask } from './task-preparation.js'
import type { TaskModel, TaskQuote, TaskQuoteParams } from './task-types.js'
import { taskWishFrom } from './task-wish.js'

/** Options of the product calls. @public */
export interface ProductRequestOptions {
  /** Cancels the request. */
  signal?: AbortSignal
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

/**
 * The leaf for a model among `leaves` (the newest, or `versionId`), or a
 * `ModelNotFoundError` listing what the category offers.
 */
export function leafOrNotFound(category: TaskType, leaves: readonly ProductNode[], modelId: string, versionId?: string): ProductNode {
  const leaf = findVersionLeaf(leaves, modelId, versionId)
  if (leaf) return leaf
  const available = listModelIds(leaves)
  const versions = leaves.filter((candidate) => candidate.model_id === modelId).map((candidate) => candidate.id)
  const message =
    versionId !== undefined && versions.length > 0
      ? `${category} model "${modelId}" has no version "${versionId}"; its versions are ${versions.join(', ')} (leave versionId out for the newest)`
      : `${category} has no model "${modelId}"; available: ${available.join(', ') || 'none'}`
  throw new ModelNotFoundError(message, available)
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return
  Object.freeze(value)
  for (const child of Object.values(value)) deepFreeze(child)
}

interface CachedTree {
  tree: ProductNode[]
  fetchedAt: number
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
  readonly #inFlight = new Map<string, Promise<ProductNode[]>>()

  /** @internal */
  constructor(context: ClientContext) {
    this.#context = context
  }

  /**
   * The V2 product tree of a category, validated, unknown fields kept. The
   * tree is shared with the client's cache and frozen: copy it
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

  /**
   * What a task would cost and which rule it would use, without creating it.
   * Takes the same parameters as `tasks.create`.
   *
   * @example
   * ```ts
   * const quote = await ima.products.quote({ model: 'NB Pro', prompt: 'a fox', size: '4K' })
   * console.log(quote.totalCredit, quote.attributeId) // 18 2401
   * ```
   */
  async quote(params: TaskQuoteParams): Promise<TaskQuote> {
    const wish = taskWishFrom(params)
    const prepared = await prepareTask(this.#context, this, wish)
    const model: TaskModel = { id: prepared.leaf.model_id, name: prepared.leaf.name, version: prepared.leaf.id }
    return {
      taskType: prepared.taskType,
      model,
      attributeId: prepared.attributeId,
      credit: prepared.credit,
      n: prepared.n,
      totalCredit: prepared.totalCredit,
      size: prepared.size,
      estimatedSeconds: prepared.info.estimatedSeconds,
      withinBudget: prepared.totalCredit <= Math.min(params.maxCredits ?? Number.POSITIVE_INFINITY, this.#context.budget.remaining),
    }
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
    const pending = this.#inFlight.get(key)
    if (pending && !options.fresh && !options.signal) return pending
    const request = this.#context.http
      .call({
        method: 'GET',
        path: '/open/v1/product/list',
        query: { app: 'ima', platform: 'web', category },
        schema: listDataSchema,
        retry: 'idempotent',
        signal: options.signal,
      })
      .then((tree) => {
        // Frozen: callers share it with the cache, so a change by one must not reach the others.
        deepFreeze(tree)
        if (config.productCacheTtlMs > 0) this.#cache.set(key, { tree, fetchedAt: Date.now() })
        return tree
      })
      .finally(() => this.#inFlight.delete(key))
    // One caller's abort must not fail the others: only share requests made without a signal.
    if (!options.signal) this.#inFlight.set(key, request)
    return request
  }
}
