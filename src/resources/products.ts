import * as z from 'zod/mini'
import type { ClientContext } from '../core/context.js'
import { ModelNotFoundError } from '../core/errors.js'
import { validateInput } from '../core/validate.js'
import { findVersionLeaf, listModelIds, listVersionLeaves } from '../protocol/product-tree.js'
import { productListSchema, type ProductNode } from '../schemas/products.js'
import { TASK_TYPES, type TaskType } from '../schemas/tasks.js'

/** Options of the product calls. @public */
export interface ProductRequestOptions {
  signal?: AbortSignal
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
 * The product list: which models and versions exist, their credit rules and
 * form fields.
 * @public
 */
export class Products {
  readonly #context: ClientContext

  /** @internal */
  constructor(context: ClientContext) {
    this.#context = context
  }

  /**
   * The V2 product tree of a category, validated, unknown fields kept.
   *
   * @example
   * ```ts
   * const tree = await ima.products.list('text_to_image')
   * ```
   */
  async list(category: TaskType, options: ProductRequestOptions = {}): Promise<ProductNode[]> {
    validateInput(categorySchema, category, 'category (expected text_to_image or image_to_image)')
    return this.#context.http.call({
      method: 'GET',
      path: '/open/v1/product/list',
      query: { app: 'ima', platform: 'web', category },
      schema: listDataSchema,
      retry: 'idempotent',
      signal: options.signal,
    })
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
    return listVersionLeaves(await this.list(category, options))
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
    const leaves = await this.versions(category, options)
    const leaf = findVersionLeaf(leaves, modelId, options.versionId)
    if (leaf) return leaf
    const available = listModelIds(leaves)
    const versions = leaves.filter((candidate) => candidate.model_id === modelId).map((candidate) => candidate.id)
    const message =
      options.versionId !== undefined && versions.length > 0
        ? `${category} model "${modelId}" has no version "${options.versionId}"; its versions are ${versions.join(', ')} (leave versionId out for the newest)`
        : `${category} has no model "${modelId}"; available: ${available.join(', ') || 'none'}`
    throw new ModelNotFoundError(message, available)
  }
}
