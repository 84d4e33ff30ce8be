/**
 * The behaviour every `TaskJournal` must have, as a test suite any journal
 * author can run with their own test runner. It does not import a test
 * runner: pass yours in.
 */
import { JOURNAL_STATES, type JournalEntry, type JournalState, type TaskJournal } from '../stores/task-journal.js'
import type { ContractTestApi } from './preference-store-contract.js'

/** Options of {@link describeTaskJournalContract}. @public */
export interface TaskJournalContractOptions {
  /**
   * Whether two journals made by `makeJournal` share their data (a file,
   * Redis, a shared storage): then an entry put through one is read through
   * the other. @defaultValue false
   */
  shared?: boolean
}

let counter = 0
/** A ref no other test (or earlier run on a shared backend) used. */
function freshRef(label: string): string {
  counter += 1
  return `contract-${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}-${counter}`
}

/** An ISO time `secondsAgo` before now: recent, so no journal's retention drops it during the run. */
function isoAgo(secondsAgo: number): string {
  return new Date(Date.now() - secondsAgo * 1_000).toISOString()
}

function entry(ref: string, overrides: Partial<JournalEntry> = {}): JournalEntry {
  const createdAt = overrides.createdAt ?? isoAgo(60)
  return {
    ref,
    state: 'intent',
    taskType: 'text_to_image',
    model: { id: 'doubao-seedream-4.5', name: 'SeeDream 4.5', version: 'doubao-seedream-4.5' },
    attributeId: 2341,
    credit: 5,
    n: 1,
    totalCredit: 5,
    size: '2k',
    parameters: { n: 1, size: '2k', aspect_ratio: '1:1' },
    baseURL: 'https://api.imastudio.com',
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  }
}

/** What a later state adds to an entry, as the client writes it. */
function advanced(base: JournalEntry, state: JournalState): JournalEntry {
  const next: JournalEntry = { ...base, state, updatedAt: isoAgo(1) }
  if (state !== 'intent' && state !== 'refused' && state !== 'unknown') next.taskId = `task-${base.ref}`
  if (state === 'unknown') next.detached = true
  if (state === 'succeeded') next.urls = ['https://cdn.example/a.png', 'https://cdn.example/b.png']
  if (state === 'failed' || state === 'refused' || state === 'unknown') next.error = { name: 'ApiError', code: 6009, message: 'no rule matches' }
  return next
}

/** The known fields of an entry, to compare with a store that may or may not keep unknown ones. */
function knownFields(value: JournalEntry | undefined): Partial<JournalEntry> | undefined {
  if (!value) return undefined
  const { ref, state, taskId, taskType, model, attributeId, credit, n, totalCredit, size, parameters, prompt, userId, baseURL, createdAt, updatedAt } = value
  const known: Partial<JournalEntry> = { ref, state, taskType, model, attributeId, credit, n, totalCredit, parameters, baseURL, createdAt, updatedAt }
  if (taskId !== undefined) known.taskId = taskId
  if (size !== undefined) known.size = size
  if (prompt !== undefined) known.prompt = prompt
  if (userId !== undefined) known.userId = userId
  return known
}

/** Only the entries with these refs, in the order the journal listed them (shared backends hold other tests' entries too). */
async function listed(journal: TaskJournal, refs: readonly string[]): Promise<JournalEntry[]> {
  return (await journal.list()).filter((item) => refs.includes(item.ref))
}

/**
 * Registers the task-journal contract: put/get/list round trips, a put
 * replacing the entry of its `ref` and no other, copies rather than shared
 * objects, every state and every optional field intact, unknown extra fields
 * tolerated, oldest-first listing, refusal of what is not an entry, 50
 * concurrent puts that all land, and — for a journal with `claim` — a claim
 * that writes only a ref no create holds, one winner among 20 at once. Every test uses refs of its own, so a
 * journal over a shared backend needs no clean-up between tests.
 *
 * @param name - shown in the suite's title.
 * @param makeJournal - called in every test; may return the same journal each time.
 * @param api - your runner's `describe`, `it` and `expect`.
 * @example
 * ```ts
 * import { describe, it, expect } from 'vitest'
 * import { describeTaskJournalContract } from 'ima-open-sdk/testing'
 * describeTaskJournalContract('my SQL journal', () => new SqlTaskJournal(db), { describe, it, expect }, { shared: true })
 * ```
 * @public
 */
export function describeTaskJournalContract(
  name: string,
  makeJournal: () => TaskJournal | Promise<TaskJournal>,
  api: ContractTestApi,
  options: TaskJournalContractOptions = {},
): void {
  const { describe, it, expect } = api

  describe(`TaskJournal contract: ${name}`, () => {
    it('has no entry for an unknown ref', async () => {
      const journal = await makeJournal()
      const ref = freshRef('unknown')
      expect(await journal.get(ref)).toBeUndefined()
      expect(await listed(journal, [ref])).toEqual([])
    })

    it('returns what was put, every field intact', async () => {
      const journal = await makeJournal()
      const ref = freshRef('roundtrip')
      const saved = entry(ref, { prompt: 'a red fox', userId: '用户 42', parameters: { n: 2, size: '4k', nested: { seed: 7, tags: ['a', 'b'] } } })
      await journal.put(saved)
      expect(await journal.get(ref)).toEqual(saved)
      expect(await listed(journal, [ref])).toEqual([saved])
    })

    it('keeps every state, with the fields the client adds on the way', async () => {
      const journal = await makeJournal()
      const base = entry(freshRef('states'))
      for (const state of JOURNAL_STATES) {
        const ref = `${base.ref}-${state}`
        const written = advanced({ ...base, ref }, state)
        await journal.put(written)
        expect(await journal.get(ref)).toEqual(written)
      }
    })

    it('replaces the entry of the same ref, as a task moves on', async () => {
      const journal = await makeJournal()
      const ref = freshRef('replace')
      const intent = entry(ref)
      await journal.put(intent)
      const created = advanced(intent, 'created')
      await journal.put(created)
      const succeeded = advanced(created, 'succeeded')
      await journal.put(succeeded)
      expect(await journal.get(ref)).toEqual(succeeded)
      expect(await listed(journal, [ref])).toEqual([succeeded])
    })

    it('leaves the entries of other refs untouched', async () => {
      const journal = await makeJournal()
      const first = entry(freshRef('others'))
      const second = entry(freshRef('others'), { state: 'created', taskId: 'task-2' })
      await journal.put(first)
      await journal.put(second)
      await journal.put(advanced(first, 'failed'))
      expect(await journal.get(second.ref)).toEqual(second)
    })

    it('hands out copies: changing a put or returned entry changes nothing stored', async () => {
      const journal = await makeJournal()
      const ref = freshRef('copies')
      const saved = entry(ref)
      const expected = structuredClone(saved)
      await journal.put(saved)
      saved.state = 'failed'
      saved.model.id = 'changed after put'
      const read = await journal.get(ref)
      if (read) {
        read.state = 'failed'
        read.parameters.size = 'changed after get'
      }
      const [item] = await listed(journal, [ref])
      if (item) item.model.name = 'changed after list'
      expect(await journal.get(ref)).toEqual(expected)
    })

    it('tolerates fields it does not know', async () => {
      const journal = await makeJournal()
      const ref = freshRef('extra')
      const known = entry(ref, { state: 'created', taskId: 'task-extra' })
      await journal.put({ ...known, fromANewerSdk: { retries: 2 } } as JournalEntry)
      expect(knownFields(await journal.get(ref))).toEqual(knownFields(known))
      expect(knownFields((await listed(journal, [ref]))[0])).toEqual(knownFields(known))
    })

    it('lists the oldest createdAt first (ties by ref)', async () => {
      const journal = await makeJournal()
      const tag = freshRef('order')
      const newest = entry(`${tag}-a`, { createdAt: isoAgo(10) })
      const oldest = entry(`${tag}-b`, { createdAt: isoAgo(300) })
      const middleB = entry(`${tag}-d`, { createdAt: isoAgo(100) })
      const middleA = entry(`${tag}-c`, { createdAt: middleB.createdAt })
      for (const item of [newest, middleB, oldest, middleA]) await journal.put(item)
      const refs = [newest, oldest, middleA, middleB].map((item) => item.ref)
      expect((await listed(journal, refs)).map((item) => item.ref)).toEqual([oldest.ref, middleA.ref, middleB.ref, newest.ref])
    })

    it('refuses what is not an entry, with a TypeError', async () => {
      const journal = await makeJournal()
      const ref = freshRef('refused')
      const bad = [{ ...entry(ref), state: 'cancelled' }, { ...entry(ref), ref: '' }, { ref }, null]
      for (const value of bad) {
        let error: unknown
        try {
          await journal.put(value as unknown as JournalEntry)
        } catch (caught) {
          error = caught
        }
        expect(error instanceof TypeError).toBe(true)
      }
      expect(await journal.get(ref)).toBeUndefined()
    })

    it('keeps every one of 50 concurrent puts', async () => {
      const journal = await makeJournal()
      const tag = freshRef('concurrent')
      const entries = Array.from({ length: 50 }, (_, index) => entry(`${tag}-${String(index).padStart(2, '0')}`, { createdAt: isoAgo(100 - index), n: index + 1 }))
      await Promise.all(entries.map((item) => journal.put(item)))
      for (const item of entries) expect(await journal.get(item.ref)).toEqual(item)
      expect(await listed(journal, entries.map((item) => item.ref))).toEqual(entries)
    })

    it('claim, when the journal has it: writes a ref no create holds, or one refused, and otherwise hands back what it holds', async () => {
      const journal = await makeJournal()
      if (typeof journal.claim !== 'function') return
      const ref = freshRef('claim')
      const first = entry(ref)
      expect(await journal.claim(first)).toBeUndefined()
      expect(await journal.get(ref)).toEqual(first)
      const second = entry(ref, { n: 2, totalCredit: 10 })
      expect(knownFields(await journal.claim(second))).toEqual(knownFields(first))
      expect(await journal.get(ref)).toEqual(first)
      // Every state but refused holds the ref: the create was sent, and may be (or is) charged.
      for (const state of ['created', 'unknown', 'succeeded', 'failed'] as const) {
        const held = advanced(first, state)
        await journal.put(held)
        expect(knownFields(await journal.claim(second))).toEqual(knownFields(held))
        expect(await journal.get(ref)).toEqual(held)
      }
      const refused = advanced(first, 'refused')
      await journal.put(refused)
      expect(await journal.claim(second)).toBeUndefined()
      expect(await journal.get(ref)).toEqual(second)
    })

    it('claim, when the journal has it: of 20 concurrent claims of one ref exactly one writes', async () => {
      const journals = await Promise.all(Array.from({ length: options.shared ? 4 : 1 }, () => makeJournal()))
      if (journals.some((journal) => typeof journal.claim !== 'function')) return
      const ref = freshRef('claim-race')
      const claims = Array.from({ length: 20 }, (_, index) => entry(ref, { n: index + 1, totalCredit: 5 * (index + 1) }))
      const outcomes = await Promise.all(claims.map((claim, index) => (journals[index % journals.length] as TaskJournal).claim?.(claim)))
      const winners = claims.filter((_, index) => outcomes[index] === undefined)
      expect(winners.length).toBe(1)
      expect(await journals[0]?.get(ref)).toEqual(winners[0])
      for (const held of outcomes) if (held !== undefined) expect(held.n).toBe(winners[0]?.n)
    })

    if (options.shared) {
      it('shows what one journal put to another over the same data', async () => {
        const writer = await makeJournal()
        const reader = await makeJournal()
        const ref = freshRef('shared')
        const created = entry(ref, { state: 'created', taskId: 'task-shared' })
        await writer.put(created)
        expect(await reader.get(ref)).toEqual(created)
        const succeeded = advanced(created, 'succeeded')
        await reader.put(succeeded)
        expect(await writer.get(ref)).toEqual(succeeded)
        expect(await listed(writer, [ref])).toEqual([succeeded])
      })
    }
  })
}
