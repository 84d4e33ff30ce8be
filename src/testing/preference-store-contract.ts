/**
 * The behaviour every `PreferenceStore` must have, as a test suite any
 * store author can run with their own test runner (vitest, jest, mocha +
 * an expect library). It does not import a test runner: pass yours in.
 */
import type { ModelPreference, PreferenceStore } from '../stores/preferences.js'

/** The assertions the contract uses (vitest's and jest's `expect` fit). @public */
export interface ContractAssertion {
  toEqual(expected: unknown): void
  toBe(expected: unknown): void
  toBeUndefined(): void
}

/** The test functions the contract needs: pass vitest's (or jest's). @public */
export interface ContractTestApi {
  describe: (name: string, body: () => void) => unknown
  it: (name: string, body: () => Promise<void>) => unknown
  expect: (actual: unknown) => ContractAssertion
}

/** Options of {@link describePreferenceStoreContract}. @public */
export interface PreferenceStoreContractOptions {
  /**
   * Whether two stores made by `makeStore` share their data (a file, Redis,
   * a shared storage): then a value written through one is read through the
   * other. @defaultValue false
   */
  shared?: boolean
}

const TEXT = 'text_to_image' as const
const IMAGE = 'image_to_image' as const

function preference(modelId: string, credit = 5): ModelPreference {
  return { modelId, modelName: `${modelId} name`, credit, lastUsed: '2026-02-26T03:07:27Z' }
}

let counter = 0
/** A user id no other test (or earlier run on a shared backend) used. */
function freshUser(): string {
  counter += 1
  return `contract-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}-${counter}`
}

/**
 * Registers the preference-store contract: get/set/delete/list round trips,
 * task types and users kept apart (including ids with `:`, `/`, spaces and
 * non-ASCII characters), copies rather than shared objects, and concurrent
 * writes that all land. Every test uses user ids of its own, so a store over
 * a shared backend (Redis, a folder) needs no clean-up between tests.
 *
 * @param name - shown in the suite's title.
 * @param makeStore - called in every test; may return the same store each time.
 * @param api - your runner's `describe`, `it` and `expect`.
 * @example
 * ```ts
 * import { describe, it, expect } from 'vitest'
 * import { describePreferenceStoreContract } from 'ima-open-sdk/testing'
 * describePreferenceStoreContract('my SQL store', () => new SqlPreferenceStore(db), { describe, it, expect }, { shared: true })
 * ```
 * @public
 */
export function describePreferenceStoreContract(
  name: string,
  makeStore: () => PreferenceStore | Promise<PreferenceStore>,
  api: ContractTestApi,
  options: PreferenceStoreContractOptions = {},
): void {
  const { describe, it, expect } = api

  describe(`PreferenceStore contract: ${name}`, () => {
    it('has no preference for an unknown user', async () => {
      const store = await makeStore()
      const user = freshUser()
      expect(await store.get(user, TEXT)).toBeUndefined()
      expect(await store.list(user)).toEqual({})
    })

    it('returns what was set, every field intact', async () => {
      const store = await makeStore()
      const user = freshUser()
      const saved = { modelId: 'gemini-3-pro-image', modelName: 'Nano Banana Pro', credit: 18, lastUsed: '2026-02-26T03:07:27.123Z' }
      await store.set(user, TEXT, saved)
      expect(await store.get(user, TEXT)).toEqual(saved)
      expect(await store.get(user, IMAGE)).toBeUndefined()
    })

    it('replaces the preference of the same task type only', async () => {
      const store = await makeStore()
      const user = freshUser()
      await store.set(user, TEXT, preference('doubao-seedream-4.5'))
      await store.set(user, IMAGE, preference('midjourney', 8))
      await store.set(user, TEXT, preference('gemini-3.1-flash-image', 4))
      expect(await store.get(user, TEXT)).toEqual(preference('gemini-3.1-flash-image', 4))
      expect(await store.get(user, IMAGE)).toEqual(preference('midjourney', 8))
    })

    it('lists every task type of the user', async () => {
      const store = await makeStore()
      const user = freshUser()
      await store.set(user, TEXT, preference('doubao-seedream-4.5'))
      await store.set(user, IMAGE, preference('gemini-3-pro-image', 10))
      expect(await store.list(user)).toEqual({ [TEXT]: preference('doubao-seedream-4.5'), [IMAGE]: preference('gemini-3-pro-image', 10) })
    })

    it('deletes one task type and keeps the other', async () => {
      const store = await makeStore()
      const user = freshUser()
      await store.set(user, TEXT, preference('doubao-seedream-4.5'))
      await store.set(user, IMAGE, preference('midjourney', 8))
      await store.delete(user, TEXT)
      expect(await store.get(user, TEXT)).toBeUndefined()
      expect(await store.list(user)).toEqual({ [IMAGE]: preference('midjourney', 8) })
      await store.delete(user, IMAGE)
      expect(await store.list(user)).toEqual({})
    })

    it('deletes what is not there without complaint', async () => {
      const store = await makeStore()
      const user = freshUser()
      await store.delete(user, TEXT)
      await store.set(user, IMAGE, preference('midjourney', 8))
      await store.delete(user, TEXT)
      expect(await store.list(user)).toEqual({ [IMAGE]: preference('midjourney', 8) })
    })

    it('keeps users apart, even with ids that look alike or hold separators', async () => {
      const store = await makeStore()
      const base = freshUser()
      const ids = [base, `${base}0`, `${base}:x`, `${base}/y`, `${base} 用户`, `${base}?q=1`, `${base}.`, `${base}%3A`]
      for (const [index, id] of ids.entries()) await store.set(id, TEXT, preference(`model-${index}`, index))
      for (const [index, id] of ids.entries()) expect(await store.get(id, TEXT)).toEqual(preference(`model-${index}`, index))
      await store.delete(ids[0] as string, TEXT)
      expect(await store.get(ids[1] as string, TEXT)).toEqual(preference('model-1', 1))
    })

    it('hands out copies: changing a returned value changes nothing stored', async () => {
      const store = await makeStore()
      const user = freshUser()
      const saved = preference('doubao-seedream-4.5')
      await store.set(user, TEXT, saved)
      saved.modelId = 'changed after set'
      const read = await store.get(user, TEXT)
      if (read) read.modelId = 'changed after get'
      const listed = await store.list(user)
      if (listed[TEXT]) listed[TEXT].modelId = 'changed after list'
      expect(await store.get(user, TEXT)).toEqual(preference('doubao-seedream-4.5'))
    })

    it('keeps every one of many concurrent writes for different users', async () => {
      const store = await makeStore()
      const users = Array.from({ length: 20 }, () => freshUser())
      await Promise.all(users.map((user, index) => store.set(user, TEXT, preference(`model-${index}`, index))))
      for (const [index, user] of users.entries()) expect(await store.get(user, TEXT)).toEqual(preference(`model-${index}`, index))
    })

    it("keeps both of concurrent writes to one user's two task types", async () => {
      const store = await makeStore()
      const user = freshUser()
      await Promise.all([store.set(user, TEXT, preference('doubao-seedream-4.5')), store.set(user, IMAGE, preference('midjourney', 8))])
      expect(await store.list(user)).toEqual({ [TEXT]: preference('doubao-seedream-4.5'), [IMAGE]: preference('midjourney', 8) })
    })

    if (options.shared) {
      it('shows what one store wrote to another over the same data', async () => {
        const writer = await makeStore()
        const reader = await makeStore()
        const user = freshUser()
        await writer.set(user, TEXT, preference('gemini-3-pro-image', 10))
        expect(await reader.get(user, TEXT)).toEqual(preference('gemini-3-pro-image', 10))
        await reader.delete(user, TEXT)
        expect(await writer.get(user, TEXT)).toBeUndefined()
      })
    }
  })
}
