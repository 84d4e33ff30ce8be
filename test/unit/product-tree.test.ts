import { describe, expect, it } from 'vitest'
import { findVersionLeaf, listModelIds, listVersionLeaves } from '../../src/protocol/product-tree.js'
import type { ProductNode } from '../../src/schemas/products.js'

const leaf = (id: string, modelId: string): ProductNode => ({ id, type: '3', name: id, model_id: modelId })
const tree: ProductNode[] = [
  { id: 'g1', type: '2', name: 'Group', model_id: '', children: [{ id: 'g2', type: '2', name: 'Legacy', model_id: '', children: [leaf('a-old', 'a')] }, leaf('a-new', 'a')] },
  leaf('b-only', 'b'),
  { id: 'g3', type: '2', name: 'Empty', model_id: '', children: null },
]

describe('product tree', () => {
  it('lists leaves at any depth in document order', () => {
    expect(listVersionLeaves(tree).map((node) => node.id)).toEqual(['a-old', 'a-new', 'b-only'])
    expect(listModelIds(listVersionLeaves(tree))).toEqual(['a', 'b'])
  })

  it('picks the last leaf of a model, or the version asked for', () => {
    const leaves = listVersionLeaves(tree)
    expect(findVersionLeaf(leaves, 'a')?.id).toBe('a-new')
    expect(findVersionLeaf(leaves, 'a', 'a-old')?.id).toBe('a-old')
    expect(findVersionLeaf(leaves, 'a', 'b-only')).toBeUndefined()
    expect(findVersionLeaf(leaves, 'zzz')).toBeUndefined()
  })
})
