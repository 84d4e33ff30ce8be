import { ModelNotFoundError } from '../errors.js'
import type { ProductNode } from '../schemas/products.js'
import type { TaskType } from '../schemas/task-type.js'

/** `type` of a version leaf in the V2 tree (a string on the wire). */
export const VERSION_LEAF_TYPE = '3'

/**
 * Every version leaf (type "3") of the tree, at any depth, in document order
 * (which the service keeps oldest → newest within a model).
 */
export function listVersionLeaves(nodes: readonly ProductNode[]): ProductNode[] {
  const leaves: ProductNode[] = []
  const visit = (list: readonly ProductNode[]) => {
    for (const node of list) {
      if (String(node.type) === VERSION_LEAF_TYPE) leaves.push(node)
      if (node.children) visit(node.children)
    }
  }
  visit(nodes)
  return leaves
}

/** The distinct model ids of the leaves, in first-seen order. */
export function listModelIds(leaves: readonly ProductNode[]): string[] {
  return [...new Set(leaves.map((leaf) => leaf.model_id).filter((id) => id !== ''))]
}

/**
 * The leaf to use for a model: the one whose id is `versionId` when given,
 * else the LAST leaf with that `model_id` (the newest version). `undefined`
 * when there is none.
 */
export function findVersionLeaf(
  leaves: readonly ProductNode[],
  modelId: string,
  versionId?: string,
): ProductNode | undefined {
  const ofModel = leaves.filter((leaf) => leaf.model_id === modelId)
  if (versionId !== undefined) return ofModel.find((leaf) => leaf.id === versionId)
  return ofModel.at(-1)
}

/**
 * The leaf for a model among `leaves` (the newest, or `versionId`), or a
 * `ModelNotFoundError` listing what the category offers.
 *
 * @example
 * ```ts
 * const leaf = leafOrNotFound('text_to_image', listVersionLeaves(tree), 'gemini-3-pro-image')
 * ```
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
