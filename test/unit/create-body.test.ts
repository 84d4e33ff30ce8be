import { describe, expect, it } from 'vitest'
import { buildCreateBody, planParameters } from '../../src/protocol/create-body.js'
import type { ProductNode } from '../../src/schemas/products.js'

const nanoBananaPro: ProductNode = {
  id: 'gemini-3-pro-image-preview',
  type: '3',
  name: 'Nano Banana Pro',
  model_id: 'gemini-3-pro-image',
  credit_rules: [
    { attribute_id: 2399, points: 10, attributes: { size: '1K', default: 'enabled' } },
    { attribute_id: 2400, points: 10, attributes: { size: '2K' } },
    { attribute_id: 2401, points: 18, attributes: { size: '4K' } },
  ],
  form_config: [
    { field: 'size', value: '1K', options: ['1K', '2K', '4K'].map((value) => ({ label: value, value })) },
    { field: 'aspect_ratio', value: '1:1', options: ['1:1', '16:9', '9:16', '4:3', '3:4'].map((value) => ({ label: value, value })) },
    { field: 'quality', value: 'standard' },
  ],
}

const seedream: ProductNode = {
  id: 'doubao-seedream-4-5-251128',
  type: '3',
  name: 'SeeDream 4.5',
  model_id: 'doubao-seedream-4.5',
  credit_rules: [{ attribute_id: 2341, points: 5, attributes: { default: 'enabled' } }],
  form_config: [
    {
      field: 'size',
      is_ui_virtual: true,
      value: '2k',
      options: [{ label: '2K', value: '2k' }, { label: '4K', value: '4k' }],
      ui_params: [{ field: 'aspect_ratio', value: '1:1' }],
      value_mapping: {
        mapping_rules: [
          { source_values: { aspect_ratio: '1:1' }, target_value: '2048x2048' },
          { source_values: { aspect_ratio: '16:9' }, target_value: '2560x1440' },
        ],
      },
    },
  ],
}

const midjourney: ProductNode = {
  id: 'v6',
  type: '3',
  name: 'Midjourney',
  model_id: 'midjourney',
  credit_rules: [
    { attribute_id: 5451, points: 8, attributes: { size: '480p', default: 'enabled' } },
    { attribute_id: 5452, points: 10, attributes: { size: '720p' } },
  ],
  form_config: [{ field: 'size', value: '480p', options: [{ label: '480p', value: '480p' }, { label: '720p', value: '720p' }] }],
}

function build(leaf: ProductNode, overrides: Record<string, unknown>, extra: Partial<Parameters<typeof buildCreateBody>[0]> = {}) {
  const plan = planParameters(leaf, { overrides })
  expect(plan.issues).toEqual([])
  return buildCreateBody({ taskType: 'text_to_image', leaf, plan, prompt: 'a red fox', n: 1, inputImages: [], ...extra })
}

describe('planParameters + buildCreateBody', () => {
  it('sends the rule\u2019s spelling, attribute_id, credit and cast', () => {
    const body = build(nanoBananaPro, { size: '4k' })
    const [parameter] = body.parameters
    expect(parameter).toMatchObject({ attribute_id: 2401, credit: 18, model_version: 'gemini-3-pro-image-preview', model_name: 'Nano Banana Pro', model_id: 'gemini-3-pro-image', app: 'ima', platform: 'web', category: 'text_to_image' })
    expect(parameter.parameters).toEqual({
      size: '4K',
      aspect_ratio: '1:1',
      quality: 'standard',
      prompt: 'a red fox',
      n: 1,
      input_images: [],
      cast: { points: 18, attribute_id: 2401 },
    })
    expect(body).toMatchObject({ task_type: 'text_to_image', enable_multi_model: false, src_img_url: [] })
  })

  it('lets caller extras win over form defaults, but not over the rule\u2019s values', () => {
    const body = build(nanoBananaPro, { size: '2k', quality: 'hd', aspect_ratio: '16:9' })
    expect(body.parameters[0].parameters).toMatchObject({ size: '2K', quality: 'hd', aspect_ratio: '16:9' })
  })

  it('turns a SeeDream ratio into the mapped size and does not send the ratio', () => {
    const nested = build(seedream, { aspect_ratio: '16:9' }).parameters[0].parameters
    expect(nested.size).toBe('2560x1440')
    expect(nested).not.toHaveProperty('aspect_ratio')
    expect(build(seedream, {}).parameters[0].parameters.size).toBe('2048x2048')
    expect(build(seedream, { size: '4K' }).parameters[0].parameters.size).toBe('4k')
  })

  it('puts image_to_image inputs in both places', () => {
    const body = build(seedream, {}, { taskType: 'image_to_image', inputImages: ['https://cdn.example/a.png'] })
    expect(body.src_img_url).toEqual(['https://cdn.example/a.png'])
    expect(body.parameters[0].parameters.input_images).toEqual(['https://cdn.example/a.png'])
    expect(body.parameters[0].category).toBe('image_to_image')
  })

  it('refuses a size the model does not offer, listing the ones it has', () => {
    const plan = planParameters(nanoBananaPro, { overrides: { size: '8K' } })
    expect(plan.issues).toEqual([{ path: 'size', message: 'Nano Banana Pro does not offer size 8K; choose one of 1K, 2K, 4K' }])
  })

  it('refuses a ratio with no mapping rule on a virtual field', () => {
    expect(planParameters(seedream, { overrides: { aspect_ratio: '7:3' } }).issues[0]).toMatchObject({ path: 'aspect_ratio' })
  })

  it('refuses both a size and a ratio on a virtual size field', () => {
    expect(planParameters(seedream, { overrides: { aspect_ratio: '16:9', size: '4k' } }).issues).toHaveLength(1)
  })

  it('refuses a non-square ratio on a model without ratios, and drops 1:1', () => {
    expect(planParameters(midjourney, { overrides: { aspect_ratio: '16:9' } }).issues[0]?.message).toContain('square (1:1) images only')
    const plan = planParameters(midjourney, { overrides: { aspect_ratio: '1:1', size: '720P' } })
    expect(plan.issues).toEqual([])
    expect(plan.extras).toEqual({ size: '720p' })
  })

  it('refuses a priced value with no rule even when the form has no options for it', () => {
    const leaf: ProductNode = { ...nanoBananaPro, form_config: [] }
    expect(planParameters(leaf, { overrides: { size: '3K' } }).issues[0]?.message).toContain('has no price for size 3K')
  })
})
