import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { JOURNAL_WRITE_BUDGET_MS, TaskJournaling } from '../../src/resources/tasks/journaling.js'
import type { ClientContext } from '../../src/resources/context.js'
import type { PreparedTask } from '../../src/resources/tasks/preparation.js'
import type { CreateTaskBody } from '../../src/schemas/tasks.js'
import { MemoryTaskJournal, type JournalEntry, type TaskJournal } from '../../src/stores/task-journal.js'

const silent = { debug() {}, info() {}, warn() {}, error() {} }

/** A journal whose writes land only when the test lets them. */
function heldJournal(): { journal: TaskJournal; held: Array<() => void> } {
  const inner = new MemoryTaskJournal()
  const held: Array<() => void> = []
  const journal: TaskJournal = {
    put: async (entry: JournalEntry) => {
      await new Promise<void>((resolve) => held.push(resolve))
      await inner.put(entry)
    },
    get: (ref) => inner.get(ref),
    list: () => inner.list(),
  }
  return { journal, held }
}

function journalingOver(journal: TaskJournal): TaskJournaling {
  const context = { config: { journal, logger: silent, logPrompts: false, apiKey: 'ima_unit', baseURL: 'https://api.example' } }
  return new TaskJournaling(context as unknown as ClientContext)
}

const prepared = {
  taskType: 'text_to_image',
  leaf: { model_id: 'gemini-3.1-flash-image', name: 'Nano Banana2', id: 'v1' },
  attributeId: 1,
  credit: 6,
  n: 1,
  totalCredit: 6,
} as unknown as PreparedTask
const body = { parameters: [{ parameters: { prompt: 'a fox', size: '1K' } }] } as unknown as CreateTaskBody

/** Whether `promise` has settled after the microtasks queued so far have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false
  void promise.then(() => (done = true), () => (done = true))
  await vi.advanceTimersByTimeAsync(0)
  return done
}

describe('TaskJournaling write budgets', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('an intent is awaited however slow the journal: no budget lets a create go before it lands', async () => {
    const { journal, held } = heldJournal()
    const intent = journalingOver(journal).recordIntent(prepared, body, undefined, undefined, undefined)
    await vi.advanceTimersByTimeAsync(JOURNAL_WRITE_BUDGET_MS * 30)
    expect(await settled(intent)).toBe(false)
    held.shift()?.()
    await expect(intent).resolves.toMatchObject({ state: 'intent', totalCredit: 6 })
  })

  it('a later state waits at most the write budget and lands in the background, after the intent', async () => {
    const { journal, held } = heldJournal()
    const journaling = journalingOver(journal)
    const intent = journaling.recordIntent(prepared, body, undefined, 'order-1', undefined)
    await vi.advanceTimersByTimeAsync(0)
    held.shift()?.()
    const entry = await intent
    const created = journaling.record(entry, 'created', { taskId: 'task-1' })
    await vi.advanceTimersByTimeAsync(JOURNAL_WRITE_BUDGET_MS - 1)
    expect(await settled(created)).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    await expect(created).resolves.toMatchObject({ state: 'created', taskId: 'task-1' })
    expect(await journal.get('order-1')).toMatchObject({ state: 'intent' })
    held.shift()?.()
    await journaling.flush()
    expect(await journal.get('order-1')).toMatchObject({ state: 'created', taskId: 'task-1' })
  })
})
