import type { ProductNode } from '../schemas/products.js'

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
