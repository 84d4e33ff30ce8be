import { describe, expect, it } from 'vitest'
import { ModelNotFoundError } from 'ima-open-sdk'
import { rejectionOf, useImaServer } from './harness.js'

const ima = useImaServer()

describe('products over HTTP', () => {
  it('lists the V2 tree for both categories, keeping unknown fields', async () => {
    for (const category of ['text_to_image', 'image_to_image'] as const) {
      const tree = await ima.client().products.list(category)
      expect(tree).toEqual(ima.server.catalog(category))
    }
  })

  it('shares one frozen tree between callers, so no caller can change another’s', async () => {
    const client = ima.client()
    const first = await client.products.list('text_to_image')
    expect(Object.isFrozen(first[0])).toBe(true)
    expect(() => {
      ;(first[0] as { name: string }).name = 'changed'
    }).toThrow(TypeError)
    expect((await client.products.list('text_to_image'))[0]?.name).toBe('SeeDream')
  })

  it('flattens version leaves at every depth, oldest first within a model', async () => {
    const leaves = await ima.client().products.versions('text_to_image')
    expect(leaves.map((leaf) => `${leaf.model_id}@${leaf.id}`)).toEqual([
      'doubao-seedream-4.5@doubao-seedream-4-5-251128',
      'gemini-3.1-flash-image@gemini-3.1-flash-image-exp-0826',
      'gemini-3.1-flash-image@gemini-3.1-flash-image-preview',
      'gemini-3-pro-image@gemini-3-pro-image-preview',
      'midjourney@v5.2',
      'midjourney@v6',
    ])
  })

  it('finds the newest version, or the one asked for', async () => {
    const client = ima.client()
    expect((await client.products.find('text_to_image', 'gemini-3.1-flash-image')).id).toBe('gemini-3.1-flash-image-preview')
    expect((await client.products.find('text_to_image', 'midjourney')).id).toBe('v6')
    expect((await client.products.find('image_to_image', 'midjourney', { versionId: 'v5.2' })).id).toBe('v5.2')
  })

  it('lists the available model ids when a model is unknown', async () => {
    const error = await rejectionOf(ima.client().products.find('text_to_image', 'dall-e-3'))
    expect(error).toBeInstanceOf(ModelNotFoundError)
    expect((error as ModelNotFoundError).available).toEqual(['doubao-seedream-4.5', 'gemini-3.1-flash-image', 'gemini-3-pro-image', 'midjourney'])
    expect(error.message).toContain('gemini-3-pro-image')
  })

  it('names the versions when the version asked for does not exist', async () => {
    const error = await rejectionOf(ima.client().products.find('text_to_image', 'midjourney', { versionId: 'v7' }))
    expect(error.message).toContain('v5.2, v6')
  })
})
