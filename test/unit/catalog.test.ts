import { describe, expect, it } from 'vitest'
import { checkAspectRatio, checkResolution, describeModel, nearestAspectRatio, sizeLongSide } from '../../src/catalog/capabilities.js'
import { compactName, resolveModelReference } from '../../src/catalog/model-references.js'
import { FULL_CATALOG_SCOPE, NANO_BANANA_SCOPE, scopeFromModels } from '../../src/catalog/scopes.js'
import { CreditTally } from '../../src/resources/tasks/budget.js'
import { budgetCounters, MemoryBudgetStore, MemoryLeaseStore } from '../../src/stores/budget-store.js'
import { ModelNotFoundError, ValidationError } from '../../src/errors.js'

const context = (scope = FULL_CATALOG_SCOPE) => ({ taskType: 'text_to_image' as const, scope, leaves: [] })

describe('resolveModelReference', () => {
  it.each([
    ['gemini-3-pro-image', 'gemini-3-pro-image', 'model-id'],
    ['Nano-Banana  Pro', 'gemini-3-pro-image', 'name'],
    ['nb pro', 'gemini-3-pro-image', 'alias'],
    ['Banana2', 'gemini-3.1-flash-image', 'alias'],
    ['香蕉', 'gemini-3.1-flash-image', 'alias'],
    ['mj', 'midjourney', 'alias'],
    ['Budget', 'gemini-3.1-flash-image', 'tier'],
    ['最强', 'gemini-3-pro-image', 'tier'],
    ['default', 'doubao-seedream-4.5', 'tier'],
  ])('%s → %s (%s)', (reference, modelId, via) => {
    expect(resolveModelReference(reference, context())).toMatchObject({ modelId, via })
  })

  it('resolves a live version id to its model and version', () => {
    const leaves = [{ id: 'v6', type: '3', name: 'Midjourney', model_id: 'midjourney' }]
    expect(resolveModelReference('V6', { ...context(), leaves })).toEqual({ modelId: 'midjourney', versionId: 'v6', via: 'version-id' })
  })

  it('suggests close matches for typos', () => {
    expect(() => resolveModelReference('midjurney', context())).toThrow(/did you mean Midjourney \(midjourney\)/)
    const error = (() => {
      try {
        resolveModelReference('dall-e', context())
      } catch (caught) {
        return caught
      }
    })()
    expect(error).toBeInstanceOf(ModelNotFoundError)
  })

  it('keeps suggestions and tiers inside the scope', () => {
    expect(resolveModelReference('default', context(NANO_BANANA_SCOPE)).modelId).toBe('gemini-3.1-flash-image')
    expect(() => resolveModelReference('artistic', context(NANO_BANANA_SCOPE))).toThrow(ValidationError)
    expect(() => resolveModelReference('midjourney', context(NANO_BANANA_SCOPE))).toThrow(/outside this client's models/)
  })

  it('compacts names', () => {
    expect(compactName(' Nano-Banana_2.0 ')).toBe('nanobanana20')
  })
})

describe('scopes', () => {
  it('builds a scope from an allowlist, keeping catalog tiers that are allowed', () => {
    const scope = scopeFromModels(['gemini-3-pro-image', 'midjourney'])
    expect(scope.defaults).toEqual({ text_to_image: 'gemini-3-pro-image', image_to_image: 'gemini-3-pro-image' })
    expect(scope.tiers).toEqual({ premium: 'gemini-3-pro-image', artistic: 'midjourney' })
    expect(() => scopeFromModels([])).toThrow(RangeError)
  })
})

describe('capabilities', () => {
  it('reads sizes as long sides', () => {
    expect(['4K', '2k', '512px', '720p', '2560x1440', '1.5K', 'adaptive'].map(sizeLongSide)).toEqual([4096, 2048, 512, 720, 2560, 1536, undefined])
  })

  it('refuses 8K and up, naming the models that make 4K', () => {
    expect(() => checkResolution('8K', FULL_CATALOG_SCOPE)).toThrow("No model makes 8K images: 4K is the most (SeeDream 4.5, Nano Banana2, Nano Banana Pro). Ask for size '4K'")
    expect(() => checkResolution('7680x4320', NANO_BANANA_SCOPE)).toThrow('(Nano Banana2, Nano Banana Pro)')
    expect(() => checkResolution('4K', FULL_CATALOG_SCOPE)).not.toThrow()
  })

  it('finds the nearest ratio on a log scale', () => {
    const seedream = ['1:1', '16:9', '9:16', '4:3', '3:4', '2:3', '3:2', '21:9']
    expect(nearestAspectRatio('7:3', seedream)).toBe('21:9')
    expect(nearestAspectRatio('8:3', seedream)).toBe('21:9')
    expect(nearestAspectRatio('3:7', seedream)).toBe('9:16')
    expect(nearestAspectRatio('7:3', ['1:1', '16:9', '9:16', '4:3', '3:4'])).toBe('16:9')
  })

  it('explains a ratio a model lacks, with the nearest and who offers it', () => {
    const midjourney = describeModel('midjourney', 'text_to_image', undefined)
    expect(() => checkAspectRatio('16:9', midjourney, FULL_CATALOG_SCOPE)).toThrow(
      'Midjourney makes 1:1 images only; the nearest is 1:1; SeeDream 4.5, Nano Banana2, Nano Banana Pro offer 16:9',
    )
    const nanoBanana = describeModel('gemini-3-pro-image', 'text_to_image', undefined)
    expect(() => checkAspectRatio('21:9', nanoBanana, FULL_CATALOG_SCOPE)).toThrow('the nearest is 16:9; SeeDream 4.5 offers 21:9')
  })

  it('lets the live list win on ids and points', () => {
    const leaf = {
      id: 'gemini-3-pro-image-2', type: '3', name: 'Nano Banana Pro', model_id: 'gemini-3-pro-image',
      credit_rules: [{ attribute_id: 9001, points: 12, attributes: { size: '1K' } }],
      form_config: [],
    }
    const info = describeModel('gemini-3-pro-image', 'text_to_image', leaf)
    expect(info).toMatchObject({ versionId: 'gemini-3-pro-image-2', sizes: [{ size: '1K', points: 12, attributeId: 9001 }], source: 'live+catalog', estimatedSeconds: [60, 120], aspectRatioMode: 'native' })
  })
})

describe('the budget store and the client tally', () => {
  const app = [{ key: 'app', maxCredits: 20 }]

  it('reserves atomically under every counter, gives back what was released, keeps what was spent', async () => {
    const store = new MemoryBudgetStore()
    expect(await store.reserve({ id: 'a', cost: 12, counters: app })).toEqual({ ok: true })
    expect(await store.reserve({ id: 'b', cost: 10, counters: app })).toEqual({ ok: false, key: 'app', remaining: 8 })
    await store.settle('a', 'spent')
    expect(await store.reserve({ id: 'c', cost: 8, counters: app })).toEqual({ ok: true })
    await store.settle('c', 'released')
    expect(await store.remaining(app)).toBe(8)
    // Refused by the second counter: nothing is set aside under the first.
    const two = [{ key: 'app', maxCredits: 20 }, { key: 'user:1', maxCredits: 3 }]
    expect(await store.reserve({ id: 'd', cost: 4, counters: two })).toEqual({ ok: false, key: 'user:1', remaining: 3 })
    expect(await store.remaining(app)).toBe(8)
    expect(await store.remaining([])).toBe(Number.POSITIVE_INFINITY)
  })

  it('keeps an unknown outcome counted until its late answer settles it; settling a closed reservation does nothing', async () => {
    const store = new MemoryBudgetStore()
    const ten = [{ key: 'app', maxCredits: 10 }]
    await store.reserve({ id: 'a', cost: 4, counters: ten })
    await store.reserve({ id: 'b', cost: 4, counters: ten })
    await store.settle('a', 'uncertain')
    await store.settle('b', 'uncertain')
    expect(await store.remaining(ten)).toBe(2)
    await store.settle('a', 'spent')
    await store.settle('b', 'released')
    expect(await store.remaining(ten)).toBe(6)
    await store.settle('b', 'released')
    await store.settle('unknown-id', 'released')
    expect(await store.remaining(ten)).toBe(6)
  })

  it('the client tally counts spent and uncertain points, and late answers', () => {
    const tally = new CreditTally()
    tally.settle(4, 'uncertain')
    tally.settle(4, 'uncertain')
    tally.settle(3, 'spent')
    tally.settle(9, 'released')
    expect([tally.spent, tally.uncertain]).toEqual([3, 8])
    tally.resolveUncertain(4, 'spent')
    tally.resolveUncertain(4, 'released')
    expect([tally.spent, tally.uncertain]).toEqual([7, 0])
  })

  it('counters carry whose they are and the UTC window; a call without that id does not count', () => {
    const at = Date.UTC(2026, 11, 31, 23, 30)
    const limits = [
      { name: 'app', maxCredits: 100 },
      { name: 'user', maxCredits: 20, window: 'month' as const, per: 'user' as const },
      { name: 'chat', maxCredits: 5, window: 'day' as const, per: 'chat' as const },
    ]
    // Each window's counter is kept a day past its end; 'total' for ever.
    expect(budgetCounters(limits, { userId: '42', chatId: 'c9' }, at)).toEqual([
      { key: 'app', maxCredits: 100 },
      { key: 'user:42@2026-12', maxCredits: 20, keepUntil: Date.UTC(2027, 0, 1) + 86_400_000 },
      { key: 'chat:c9@2026-12-31', maxCredits: 5, keepUntil: Date.UTC(2027, 0, 1) + 86_400_000 },
    ])
    expect(budgetCounters(limits, { userId: '42' }, Date.UTC(2026, 5, 15))[1]).toEqual({ key: 'user:42@2026-06', maxCredits: 20, keepUntil: Date.UTC(2026, 6, 1) + 86_400_000 })
    expect(budgetCounters(limits.slice(1), {}, at)).toEqual([])
  })

  it('create slots: at most the limit, the same id once, freed on release or when the lease ends', async () => {
    const store = new MemoryLeaseStore()
    const lease = (id: string, leaseMs = 60_000) => store.acquire({ key: 'creates', id, limit: 2, leaseMs })
    expect([await lease('a'), await lease('a'), await lease('b'), await lease('c')]).toEqual([true, true, true, false])
    await store.release('creates', 'a')
    expect(await lease('c')).toBe(true)
    expect(await store.acquire({ key: 'other', id: 'x', limit: 1, leaseMs: 0 })).toBe(true)
    expect(await store.acquire({ key: 'other', id: 'y', limit: 1, leaseMs: 60_000 })).toBe(true)
  })
})
