/**
 * `new ImaClient(server.clientOptions)` is all a test needs: waits against
 * the local server end soon after its tasks do and show every phase; and the
 * client's `pollIntervalMs` (option or IMA_POLL_INTERVAL_MS) behind it.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ImaClient, ImaConfigError, type TaskEvent } from 'ima-open-sdk'
import { MODEL_CATALOG } from 'ima-open-sdk/protocol'
import { startImaServer, type ImaServer } from 'ima-open-sdk/testing'

// Short, so the file runs in about a second; the bench measures the 3 s default.
const TASK_DURATION_MS = 300
// Generous for a loaded machine: the goal is 2× the task duration, and the slack covers a slow create or a late timer, not a slow schedule.
const SLACK_MS = 1500

describe('waits with server.clientOptions', () => {
  let server: ImaServer
  beforeAll(async () => {
    server = await startImaServer({ taskDurationMs: TASK_DURATION_MS })
  })
  afterAll(async () => {
    await server.close()
  })

  it('hands out the key, both hosts and an eighth of the task duration, frozen', () => {
    expect(server.clientOptions).toEqual({ apiKey: server.apiKey, baseURL: server.url, uploadBaseURL: server.uploadURL, pollIntervalMs: 38 })
    expect(Object.isFrozen(server.clientOptions)).toBe(true)
  })

  it.each(MODEL_CATALOG.map((model) => [model.name, model.modelId] as const))('%s: done within 2× the task duration, pending → processing → success', async (_, modelId) => {
    const ima = new ImaClient(server.clientOptions)
    const started = performance.now()
    const task = await ima.tasks.create({ model: modelId, prompt: 'a lighthouse at dusk' })
    const events: TaskEvent[] = []
    for await (const event of ima.tasks.waitFor(task)) events.push(event)
    const elapsedMs = performance.now() - started

    const types = events.map((event) => event.type)
    expect(types[0]).toBe('pending')
    expect(types).toContain('processing')
    expect(types.at(-1)).toBe('success')
    expect(events[0]?.percent).toBe(0)
    expect(events.at(-1)?.percent).toBe(100)
    // Polls at an eighth of the duration: a couple while pending, several while processing.
    expect(types.filter((type) => type === 'pending').length).toBeGreaterThanOrEqual(1)
    expect(types.filter((type) => type === 'processing').length).toBeGreaterThanOrEqual(3)
    expect(elapsedMs).toBeLessThan(2 * TASK_DURATION_MS + SLACK_MS)
  })

  it('lets a wait’s own intervalMs win over the client’s', async () => {
    const ima = new ImaClient({ ...server.clientOptions, pollIntervalMs: 60_000 })
    const task = await ima.tasks.create({ model: 'gemini-3.1-flash-image', prompt: 'a fox' })
    const started = performance.now()
    await ima.tasks.wait(task, { intervalMs: 20 })
    expect(performance.now() - started).toBeLessThan(2 * TASK_DURATION_MS + SLACK_MS)
  })
})

describe('server.clientOptions for other server settings', () => {
  it('polls every 25 ms when each poll advances the task, and finishes in four polls', async () => {
    const server = await startImaServer({ progression: 'polls' })
    try {
      expect(server.clientOptions.pollIntervalMs).toBe(25)
      const ima = new ImaClient(server.clientOptions)
      const task = await ima.tasks.create({ model: 'midjourney', prompt: 'a castle' })
      const types: string[] = []
      for await (const event of ima.tasks.waitFor(task)) types.push(event.type)
      expect(types).toEqual(['pending', 'processing', 'processing', 'success'])
    } finally {
      await server.close()
    }
  })

  it('keeps 25 ms for a near-zero task duration, and gives https hosts with tls', async () => {
    const quick = await startImaServer({ taskDurationMs: 40 })
    const secure = await startImaServer({ tls: true })
    try {
      expect(quick.clientOptions.pollIntervalMs).toBe(25)
      expect(secure.clientOptions).toMatchObject({ baseURL: secure.url, uploadBaseURL: secure.uploadURL, pollIntervalMs: 375 })
      expect(secure.clientOptions.baseURL).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    } finally {
      await Promise.all([quick.close(), secure.close()])
    }
  })
})

describe('ImaClientOptions.pollIntervalMs', () => {
  let saved: string | undefined
  beforeEach(() => {
    saved = process.env.IMA_POLL_INTERVAL_MS
    delete process.env.IMA_POLL_INTERVAL_MS
  })
  afterEach(() => {
    if (saved === undefined) delete process.env.IMA_POLL_INTERVAL_MS
    else process.env.IMA_POLL_INTERVAL_MS = saved
  })

  it('is read from IMA_POLL_INTERVAL_MS when the option is unset', async () => {
    const server = await startImaServer({ progression: 'polls' })
    try {
      process.env.IMA_POLL_INTERVAL_MS = '10'
      // Without the variable this wait would follow the model's schedule: a first poll at 3 s, four polls in about 20 s.
      const ima = new ImaClient({ apiKey: server.apiKey, baseURL: server.url, uploadBaseURL: server.uploadURL })
      const task = await ima.tasks.create({ model: 'gemini-3.1-flash-image', prompt: 'a fox' })
      const started = performance.now()
      await ima.tasks.wait(task)
      expect(performance.now() - started).toBeLessThan(SLACK_MS)
      expect(server.tasks.find((each) => each.id === task.id)?.polls).toBe(4)
    } finally {
      await server.close()
    }
  })

  it.each([0, -5, 0.5, Number.NaN, Number.POSITIVE_INFINITY, '250'])('refuses %s with ImaConfigError', (value) => {
    const create = () => new ImaClient({ apiKey: 'ima_test', pollIntervalMs: value as number })
    expect(create).toThrow(ImaConfigError)
    expect(create).toThrow(/^Expected pollIntervalMs to be a finite number of milliseconds ≥ 1, got /)
  })

  it('refuses a bad IMA_POLL_INTERVAL_MS, naming the variable without quoting it', () => {
    process.env.IMA_POLL_INTERVAL_MS = 'ima_secret_key_pasted_here'
    const create = () => new ImaClient({ apiKey: 'ima_test' })
    expect(create).toThrow(ImaConfigError)
    expect(create).toThrow(/Expected pollIntervalMs \(from IMA_POLL_INTERVAL_MS\) to be a finite number/)
    expect(create).not.toThrow(/secret/)
  })
})
