import { describe, expect, it } from 'vitest'
import { readFormDefaults, resolveVirtualField } from '../../src/protocol/virtual-fields.js'
import type { FormField } from '../../src/schemas/products.js'

const ratios: Record<string, string> = {
  '1:1': '2048x2048',
  '16:9': '2560x1440',
  '9:16': '1440x2560',
  '4:3': '2304x1728',
  '3:4': '1728x2304',
  '2:3': '1664x2496',
  '3:2': '2496x1664',
  '21:9': '3024x1296',
}
const seedreamSize: FormField = {
  field: 'size',
  is_ui_virtual: true,
  value: '2k',
  options: [{ label: '2K', value: '2k' }, { label: '4K', value: '4k' }],
  ui_params: [{ field: 'aspect_ratio', value: '1:1' }],
  value_mapping: { mapping_rules: Object.entries(ratios).map(([ratio, size]) => ({ source_values: { aspect_ratio: ratio }, target_value: size })) },
}

describe('resolveVirtualField', () => {
  it.each(Object.entries(ratios))('maps aspect ratio %s to size %s', (ratio, size) => {
    expect(resolveVirtualField(seedreamSize, { aspect_ratio: ratio })).toBe(size)
  })

  it('uses the UI parameter default when the caller gives none', () => {
    expect(resolveVirtualField(seedreamSize)).toBe('2048x2048')
  })

  it('falls back to the field value when no rule matches', () => {
    expect(resolveVirtualField(seedreamSize, { aspect_ratio: '7:3' })).toBe('2k')
  })

  it('reads a UI parameter named by id in older lists', () => {
    const field: FormField = { ...seedreamSize, ui_params: [{ id: 'aspect_ratio', value: '16:9' }] }
    expect(resolveVirtualField(field)).toBe('2560x1440')
  })

  it('needs every source value to match', () => {
    const field: FormField = {
      field: 'size',
      is_ui_virtual: true,
      value: 'fallback',
      ui_params: [{ field: 'aspect_ratio', value: '1:1' }, { field: 'quality', value: 'hd' }],
      value_mapping: {
        mapping_rules: [
          { source_values: { aspect_ratio: '1:1', quality: 'sd' }, target_value: 'small' },
          { source_values: { aspect_ratio: '1:1', quality: 'hd' }, target_value: 'large' },
        ],
      },
    }
    expect(resolveVirtualField(field)).toBe('large')
    expect(resolveVirtualField(field, { quality: 'sd' })).toBe('small')
  })
})

describe('readFormDefaults', () => {
  it('collects non-null values and resolves virtual fields, marking their UI keys as consumed', () => {
    const form: FormField[] = [
      { field: 'quality', value: 'standard' },
      { field: 'style', value: null },
      seedreamSize,
    ]
    const { defaults, consumedKeys } = readFormDefaults(form, { aspect_ratio: '21:9' })
    expect(defaults).toEqual({ quality: 'standard', size: '3024x1296' })
    expect([...consumedKeys]).toEqual(['aspect_ratio'])
  })

  it('does not consume a UI key that is also a real field', () => {
    const form: FormField[] = [{ field: 'aspect_ratio', value: '1:1' }, seedreamSize]
    expect(readFormDefaults(form).consumedKeys.size).toBe(0)
  })
})
