import { describe, expect, it } from 'vitest'
import { MemoryTaskJournal, TaskFailedError, TaskTimeoutError, type ImaEvents, type JournalEntry, type TaskEvent } from 'ima-open-sdk'
import { rejectionOf, useImaServer } from './harness.js'

// Every detail request advances a task one phase: pending → processing → ready without url → done.
const ima = useImaServer({ progression: 'polls' })
const FAST = { intervalMs: 1 }

async function collect(events: AsyncIterable<TaskEvent>): Promise<{ events: TaskEvent[]; error?: Error }> {
  const seen: TaskEvent[] = []
  try {
    for await (const event of events) seen.push(event)
  } catch (error) {
    return { events: seen, error: error as Error }
  }
  return { events: seen }
}

describe('tasks.waitFor / wait over HTTP', () => {
  it('yields pending, processing, keeps polling while the url is empty, then success with 100%', async () => {
    const client = ima.client()
    const task = await client.tasks.create({ model: 'gemini-3-pro-image', prompt: 'a red fox', size: '2K' })
    const { events, error } = await collect(client.tasks.waitFor(task, FAST))
    expect(error).toBeUndefined()
    expect(events.map((event) => event.type)).toEqual(['pending', 'processing', 'processing', 'success'])
    const last = events.at(-1)!
    // Only a success event carries url/urls: narrow before reading them.
    if (last.type !== 'success') throw new Error(`the last event is ${last.type}, not success`)
    expect(last).toMatchObject({ taskId: task.id, percent: 100 })
    expect(last.url).toMatch(new RegExp(`^${ima.server.url}/files/${task.id}/0\\.png$`))
    expect(last.urls).toEqual([last.url])
    expect(events.slice(0, -1).every((event) => event.percent >= 0 && event.percent <= 95)).toBe(true)
    expect(events[2]!.medias[0]).toMatchObject({ resourceStatus: 1, url: undefined })
    expect(ima.server.tasks.find((t) => t.id === task.id)?.polls).toBe(4)
  })

  it('computes the percentage from the model estimate, capped at 95', async () => {
    const client = ima.client()
    const task = await client.tasks.create({ model: 'gemini-3-pro-image', prompt: 'slow fox' })
    // An estimate of 1 ms makes every event past it: capped at 95 until success.
    const { events } = await collect(client.tasks.waitFor({ ...task, createdAt: Date.now() - 10_000 }, { ...FAST, estimatedMaxMs: 1 }))
    expect(events.map((event) => event.percent)).toEqual([95, 95, 95, 100])
  })

  it.each([
    ['[fail]', 'The image could not be generated (simulated failure)', false, 'resource'],
    ['[fail-status]', 'simulated failure without detail', false, 'status'],
    ['[delete]', undefined, true, 'deleted'],
  ])('ends with a failed event and TaskFailedError for %s', async (marker, reason, deleted, failure) => {
    const client = ima.client()
    const task = await client.tasks.create({ model: 'gemini-3.1-flash-image', prompt: `a cat ${marker}` })
    const { events, error } = await collect(client.tasks.waitFor(task.id, FAST))
    expect(events.at(-1)?.type).toBe('failed')
    expect(error).toBeInstanceOf(TaskFailedError)
    expect(error).toMatchObject({ taskId: task.id, deleted, failure })
    if (reason) expect((error as TaskFailedError).reason).toBe(reason)
    expect(error?.message).toContain(task.id)
  })

  it('throws TaskTimeoutError carrying the task id when the deadline passes', async () => {
    const client = ima.client()
    const task = await client.tasks.create({ model: 'gemini-3.1-flash-image', prompt: 'forever [never]' })
    const error = await rejectionOf(client.tasks.wait(task, { intervalMs: 5, timeoutMs: 60 }))
    expect(error).toBeInstanceOf(TaskTimeoutError)
    expect((error as TaskTimeoutError).taskId).toBe(task.id)
    expect(error.message).toContain(`ima.tasks.wait('${task.id}')`)
  })

  it('resumes a task by id and returns the result', async () => {
    const client = ima.client()
    const task = await client.tasks.create({ model: 'midjourney', prompt: 'a castle' })
    const result = await ima.client().tasks.wait(task.id, FAST)
    expect(result).toMatchObject({ taskId: task.id, urls: [result.url] })
    expect(result.coverUrl).toContain('-cover.png')
    expect(result.medias[0]).toMatchObject({ resourceStatus: 1, format: 'png' })
  })

  it('rejects with an AbortError as soon as the signal aborts', async () => {
    const client = ima.client()
    const task = await client.tasks.create({ model: 'gemini-3.1-flash-image', prompt: 'forever [never]' })
    const controller = new AbortController()
    const waiting = client.tasks.wait(task, { intervalMs: 10_000, signal: controller.signal })
    setTimeout(() => controller.abort(), 20)
    const started = Date.now()
    const error = await rejectionOf(waiting)
    expect(error.name).toBe('AbortError')
    expect(Date.now() - started).toBeLessThan(1_000)
  })

  it('stops polling when the loop is left early', async () => {
    const client = ima.client()
    const task = await client.tasks.create({ model: 'gemini-3.1-flash-image', prompt: 'forever [never]' })
    for await (const event of client.tasks.waitFor(task, FAST)) {
      if (event.type === 'processing') break
    }
    const polls = ima.server.tasks.find((t) => t.id === task.id)!.polls
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(ima.server.tasks.find((t) => t.id === task.id)!.polls).toBe(polls)
  })

  it('emits typed client events for a whole generation', async () => {
    const client = ima.client()
    const seen: string[] = []
    const names: Array<keyof ImaEvents> = ['request', 'response', 'task.created', 'task.status', 'task.succeeded', 'task.failed']
    for (const name of names) client.on(name, () => seen.push(name))
    const result = await client.generate({ model: 'doubao-seedream-4.5', prompt: 'a lighthouse', aspectRatio: '16:9', ...FAST })
    expect(result.task.size).toBe('2560x1440')
    expect(seen.filter((name) => name === 'task.status')).toHaveLength(4)
    expect(seen).toContain('task.created')
    expect(seen.at(-1)).toBe('task.succeeded')
    expect(seen).not.toContain('task.failed')
  })

  it('remembers the model per user with generate({ userId })', async () => {
    const client = ima.client()
    await client.generate({ userId: 'u1', model: 'midjourney', prompt: 'a castle', ...FAST })
    const again = await client.generate({ userId: 'u1', prompt: 'another castle', ...FAST })
    expect(again.task.model.id).toBe('midjourney')
  })
})

describe('shared poll loops', () => {
  it('lets concurrent waits on one task share a single poll loop', async () => {
    const client = ima.client()
    const task = await client.tasks.create({ model: 'gemini-3-pro-image', prompt: 'a shared fox' })
    const runs = await Promise.all(Array.from({ length: 5 }, () => collect(client.tasks.waitFor(task, FAST))))
    for (const run of runs) expect(run.events.map((event) => event.type)).toEqual(['pending', 'processing', 'processing', 'success'])
    // One loop: four polls in all, not twenty.
    expect(ima.server.tasks.find((t) => t.id === task.id)?.polls).toBe(4)
  })

  it('one loop per task whatever each wait asked for: by task or by id, other poll options — one poll series, one task.succeeded', async () => {
    const client = ima.client()
    const succeeded: string[] = []
    client.on('task.succeeded', (result) => succeeded.push(result.taskId))
    const task = await client.tasks.create({ model: 'gemini-3-pro-image', prompt: 'a fox shared by id' })
    const results = await Promise.all([
      client.tasks.wait(task, FAST),
      client.tasks.wait(task.id, FAST),
      client.tasks.wait(task, { ...FAST, timeout: 5_000, maxRetries: 0 }),
      client.tasks.wait(task.id, { ...FAST, maxPollFailures: 9 }),
    ])
    expect(new Set(results.map((result) => result.url)).size).toBe(1)
    expect(ima.server.tasks.find((t) => t.id === task.id)?.polls).toBe(4)
    expect(succeeded).toEqual([task.id])
  })

  it("a wait by id on the client's own task follows that task's model (Midjourney), as a wait by task does", async () => {
    const lines: Array<Record<string, unknown> | undefined> = []
    const logger = { debug() {}, info: (message: string, fields?: Record<string, unknown>) => void (message === 'ima task status' && lines.push(fields)), warn() {}, error() {} }
    const client = ima.client({ logger })
    const task = await client.tasks.create({ model: 'MJ', prompt: 'a fox waited for by id' })
    await client.tasks.wait(task.id, FAST)
    expect(lines.length).toBeGreaterThan(0)
    for (const fields of lines) expect(fields).toMatchObject({ taskId: task.id, model: 'midjourney' })
  })

  it('a result journaled slowly is still a result for a wait whose deadline falls meanwhile', async () => {
    const inner = new MemoryTaskJournal()
    let slow = false
    const journal = {
      put: async (entry: JournalEntry) => {
        if (slow && entry.state === 'succeeded') await new Promise((resolve) => setTimeout(resolve, 400))
        await inner.put(entry)
      },
      get: (ref: string) => inner.get(ref),
      list: () => inner.list(),
    }
    const client = ima.client({ journal })
    const task = await client.tasks.create({ model: 'gemini-3-pro-image', prompt: 'a slowly journaled fox' })
    slow = true
    // The task is done on the 4th poll (a few ms in); the wait's deadline (250 ms) falls while the success is journaled (400 ms).
    const result = await client.tasks.wait(task, { intervalMs: 1, timeoutMs: 250 })
    expect(result.taskId).toBe(task.id)
  })

  it('keeps polling for the others when one waiter leaves, and gives each its own deadline', async () => {
    const client = ima.client()
    const task = await client.tasks.create({ model: 'gemini-3.1-flash-image', prompt: 'forever [never]' })
    const leaver = new AbortController()
    const left = client.tasks.wait(task, { intervalMs: 5, signal: leaver.signal })
    const short = client.tasks.wait(task, { intervalMs: 5, timeoutMs: 40 })
    const long = client.tasks.wait(task, { intervalMs: 5, timeoutMs: 120 })
    leaver.abort()
    expect((await rejectionOf(left)).name).toBe('AbortError')
    expect(await rejectionOf(short)).toBeInstanceOf(TaskTimeoutError)
    const pollsAfterShort = ima.server.tasks.find((t) => t.id === task.id)!.polls
    expect(await rejectionOf(long)).toBeInstanceOf(TaskTimeoutError)
    expect(ima.server.tasks.find((t) => t.id === task.id)!.polls).toBeGreaterThan(pollsAfterShort)
    // With every waiter gone the loop stops. A poll already on the wire when the last waiter left may
    // still reach the server, so count after it has landed; a live loop (every 5 ms) would add many more.
    await new Promise((resolve) => setTimeout(resolve, 30))
    const polls = ima.server.tasks.find((t) => t.id === task.id)!.polls
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(ima.server.tasks.find((t) => t.id === task.id)!.polls).toBe(polls)
  })
})

describe('generate({ onCreated })', () => {
  it('hands over the created task before the wait, once: a wait that times out can be resumed by its id', async () => {
    const client = ima.client()
    const seen: { id: string; polls: number | undefined }[] = []
    const error = await rejectionOf(
      client.generate({
        model: 'gemini-3-pro-image',
        prompt: 'onCreated fox',
        intervalMs: 1,
        timeoutMs: 1,
        onCreated: (task) => seen.push({ id: task.id, polls: ima.server.tasks.find((t) => t.id === task.id)?.polls }),
      }),
    )
    expect(error).toBeInstanceOf(TaskTimeoutError)
    expect(seen).toEqual([{ id: (error as TaskTimeoutError).taskId, polls: 0 }])
    const resumed = await client.tasks.wait((error as TaskTimeoutError).taskId, FAST)
    expect(resumed.url).toMatch(/\/0\.png$/)
  })

  it('a callback that throws does not lose the paid result', async () => {
    const client = ima.client()
    const result = await client.generate({
      model: 'gemini-3-pro-image',
      prompt: 'careless callback',
      intervalMs: 1,
      onCreated: () => {
        throw new Error('a bug in the caller')
      },
    })
    expect(result.url).toMatch(/\/0\.png$/)
  })
})

describe('event listeners', () => {
  it('one that throws or rejects is logged, and the others of its event still run; off removes a listener', async () => {
    const errors: Array<Record<string, unknown> | undefined> = []
    const logger = { debug() {}, info() {}, warn() {}, error: (message: string, fields?: Record<string, unknown>) => void (message === 'ima event listener threw' && errors.push(fields)) }
    const client = ima.client({ logger })
    const heard: string[] = []
    const counting = () => void heard.push('second')
    client.on('task.succeeded', () => {
      throw new Error('a bug in the first listener')
    })
    client.on('task.succeeded', async () => {
      throw new Error('a rejected listener')
    })
    client.on('task.succeeded', counting)
    const task = await client.tasks.create({ model: 'NB2', prompt: 'a fox with loud listeners' })
    await client.tasks.wait(task, FAST)
    await new Promise((resolve) => setImmediate(resolve))
    expect(heard).toEqual(['second'])
    expect(errors).toEqual([
      { event: 'task.succeeded', error: 'a bug in the first listener' },
      { event: 'task.succeeded', error: 'a rejected listener' },
    ])
    // Removing what was never added is nothing to do.
    expect(() => client.off('task.succeeded', () => {})).not.toThrow()
    expect(() => client.off('task.succeeded', 'not a listener' as never)).not.toThrow()
    client.off('task.succeeded', counting)
    await client.tasks.wait(await client.tasks.create({ model: 'NB2', prompt: 'a fox heard by fewer' }), FAST)
    expect(heard).toEqual(['second'])
  })
})
