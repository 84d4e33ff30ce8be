import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { chooseCreditRule, normaliseAttributeValue, ruleParameters } from '../../src/protocol/credit-rules.js'
import type { CreditRule } from '../../src/schemas/products.js'

const nanoBanana2: CreditRule[] = [
  { attribute_id: 4400, points: 4, attributes: { size: '512px' } },
  { attribute_id: 4401, points: 6, attributes: { size: '1K', default: 'enabled' } },
  { attribute_id: 4402, points: 10, attributes: { size: '2K' } },
  { attribute_id: 4403, points: 13, attributes: { size: '4K' } },
]

describe('normaliseAttributeValue', () => {
  it('upper-cases and trims strings, spells booleans, stringifies numbers', () => {
    expect(normaliseAttributeValue(' 4k ')).toBe('4K')
    expect(normaliseAttributeValue('480p')).toBe('480P')
    expect(normaliseAttributeValue(true)).toBe(normaliseAttributeValue('true'))
    expect(normaliseAttributeValue(false)).toBe(normaliseAttributeValue(' False'))
    expect(normaliseAttributeValue(1)).toBe('1')
  })
})

describe('chooseCreditRule', () => {
  it.each([
    ['4k', 4403],
    ['4K', 4403],
    [' 2k ', 4402],
    ['512PX', 4400],
    ['1k', 4401],
  ])('matches size %s case-insensitively to rule %i', (size, attributeId) => {
    const choice = chooseCreditRule(nanoBanana2, { size })
    expect(choice.rule.attribute_id).toBe(attributeId)
    expect(choice.match).toBe('exact')
  })

  it('returns the rule\u2019s own spelling, not the caller\u2019s', () => {
    expect(chooseCreditRule(nanoBanana2, { size: '4k' }).canonical).toEqual({ size: '4K' })
  })

  it('ignores the default marker when matching and in the canonical values', () => {
    const choice = chooseCreditRule(nanoBanana2, { size: '1K' })
    expect(choice.canonical).toEqual({ size: '1K' })
    expect(ruleParameters(nanoBanana2[1]!)).toEqual({ size: '1K' })
  })

  it('treats a marker-only rule as matching anything', () => {
    const seedream: CreditRule[] = [{ attribute_id: 2341, points: 5, attributes: { default: 'enabled' } }]
    const choice = chooseCreditRule(seedream, { size: '2560x1440' })
    expect(choice).toMatchObject({ match: 'exact', canonical: {} })
    expect(choice.rule.attribute_id).toBe(2341)
  })

  it('compares booleans as true/false strings', () => {
    const rules: CreditRule[] = [
      { attribute_id: 1, points: 5, attributes: { hd: false } },
      { attribute_id: 2, points: 9, attributes: { hd: true } },
    ]
    expect(chooseCreditRule(rules, { hd: true }).rule.attribute_id).toBe(2)
    expect(chooseCreditRule(rules, { hd: 'TRUE' }).rule.attribute_id).toBe(2)
    expect(chooseCreditRule(rules, { hd: 'false' }).rule.attribute_id).toBe(1)
  })

  it('matches on n when rules name it', () => {
    const rules: CreditRule[] = [
      { attribute_id: 10, points: 4, attributes: { size: '1K', n: 1 } },
      { attribute_id: 11, points: 16, attributes: { size: '1K', n: 4 } },
    ]
    expect(chooseCreditRule(rules, { size: '1k', n: 4 }).rule.attribute_id).toBe(11)
  })

  it('prefers the exact rule that names the most attributes when rules carry extra keys', () => {
    const rules: CreditRule[] = [
      { attribute_id: 20, points: 8, attributes: { size: '720p' } },
      { attribute_id: 21, points: 12, attributes: { size: '720p', mode: 'fast' } },
    ]
    expect(chooseCreditRule(rules, { size: '720p', mode: 'FAST' }).rule.attribute_id).toBe(21)
    expect(chooseCreditRule(rules, { size: '720p' }).rule.attribute_id).toBe(20)
  })

  it('falls back to the rule with the most equal attributes, then to the first rule', () => {
    const rules: CreditRule[] = [
      { attribute_id: 30, points: 1, attributes: { size: '1K', quality: 'low' } },
      { attribute_id: 31, points: 2, attributes: { size: '2K', quality: 'high' } },
    ]
    expect(chooseCreditRule(rules, { size: '2K', quality: 'medium' })).toMatchObject({ match: 'partial', rule: { attribute_id: 31 } })
    expect(chooseCreditRule(rules, { size: '8K' })).toMatchObject({ match: 'first', rule: { attribute_id: 30 } })
  })

  it('compares keys trimmed and lower-cased', () => {
    expect(chooseCreditRule(nanoBanana2, { ' Size ': '2k' }).rule.attribute_id).toBe(4402)
  })

  it('keeps keys that no rule names out of the match', () => {
    expect(chooseCreditRule(nanoBanana2, { size: '2K', aspect_ratio: '16:9', style: 'x' }).match).toBe('exact')
  })

  it('refuses an empty rule list', () => {
    expect(() => chooseCreditRule([], {})).toThrow(RangeError)
  })
})

describe('chooseCreditRule properties', () => {
  const value = fc.oneof(fc.constantFrom('1k', '1K', '2K', '4k', '512px', '480p', 'high', 'low'), fc.boolean(), fc.integer({ min: 1, max: 4 }))
  const key = fc.constantFrom('size', 'quality', 'n', 'mode')
  const attributes = fc.dictionary(key, value, { maxKeys: 3 }).map((dict) => dict as Record<string, string | number | boolean>)
  const rule = fc.record({ attribute_id: fc.integer({ min: 1, max: 99_999 }), points: fc.integer({ min: 1, max: 50 }), attributes })
  const rules = fc.array(rule, { minLength: 1, maxLength: 6 })
  const params = fc.dictionary(key, value, { maxKeys: 4 })

  it('always chooses a rule of the list, spelled as that rule spells it', () => {
    fc.assert(
      fc.property(rules, params, (list, parameters) => {
        const choice = chooseCreditRule(list, parameters)
        expect(list).toContain(choice.rule)
        expect(choice.canonical).toEqual(ruleParameters(choice.rule))
      }),
      { seed: 20261122, numRuns: 500 },
    )
  })

  it('prefers an exact match whenever one exists', () => {
    fc.assert(
      fc.property(rules, fc.nat(), (list, pick) => {
        const target = list[pick % list.length]!
        // Parameters built from one rule's own attributes, in another case: that rule (or another exact one) must win.
        const parameters = Object.fromEntries(
          Object.entries(ruleParameters(target)).map(([k, v]) => [k, typeof v === 'string' ? v.toLowerCase() : v]),
        )
        const choice = chooseCreditRule(list, parameters)
        expect(choice.match).toBe('exact')
        for (const [k, v] of Object.entries(choice.canonical)) {
          const asked = Object.entries(parameters).find(([pk]) => pk.toLowerCase() === k.toLowerCase())
          expect(asked && normaliseAttributeValue(asked[1])).toBe(normaliseAttributeValue(v))
        }
      }),
      { seed: 20261122, numRuns: 500 },
    )
  })
})
