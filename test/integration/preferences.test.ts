import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MemoryPreferenceStore, ModelNotFoundError, NANO_BANANA_SCOPE, ValidationError, type PreferenceStore } from 'ima-open-sdk'
import { FileLogStore, FilePreferenceStore } from 'ima-open-sdk/node'
import { rejectionOf, useImaServer } from './harness.js'

const ima = useImaServer({ progression: 'polls' })

let dir = ''
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ima-prefs-int-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('ima.preferences', () => {
  it('remember resolves an alias against the live list, and generate({ userId }) then uses it; forget returns to the default', async () => {
    const client = ima.client()
    const saved = await client.preferences.remember('u1', 'text_to_image', 'NB Pro')
    const quote = await client.tasks.quote({ model: 'gemini-3-pro-image', prompt: 'x' })
    expect(saved).toEqual({ modelId: 'gemini-3-pro-image', modelName: quote.model.name, credit: quote.credit, lastUsed: expect.any(String) })
    expect(await client.preferences.get('u1', 'text_to_image')).toEqual(saved)
    expect(await client.preferences.list('u1')).toEqual({ text_to_image: saved })

    const withPreference = await client.generate({ userId: 'u1', prompt: 'a fox', intervalMs: 1 })
    expect(withPreference.task.model.id).toBe('gemini-3-pro-image')

    await client.preferences.forget('u1', 'text_to_image')
    expect(await client.preferences.get('u1', 'text_to_image')).toBeUndefined()
    const withDefault = await client.tasks.create({ userId: 'u1', prompt: 'a fox' })
    expect(withDefault.model.id).toBe('doubao-seedream-4.5')
  })

  it('remember takes tiers, and forget without a task type forgets them all', async () => {
    const client = ima.client()
    expect((await client.preferences.remember('u2', 'text_to_image', '最便宜')).modelId).toBe('gemini-3.1-flash-image')
    expect((await client.preferences.remember('u2', 'image_to_image', 'MJ')).modelId).toBe('midjourney')
    expect(Object.keys(await client.preferences.list('u2')).sort()).toEqual(['image_to_image', 'text_to_image'])
    await client.preferences.forget('u2')
    expect(await client.preferences.list('u2')).toEqual({})
  })

  it('refuses unknown models, models outside the scope and bad arguments, storing nothing', async () => {
    const client = ima.client()
    expect(await rejectionOf(client.preferences.remember('u3', 'text_to_image', 'Nano Banan Pro X'))).toBeInstanceOf(ModelNotFoundError)
    const scoped = ima.client({ models: NANO_BANANA_SCOPE })
    expect(await rejectionOf(scoped.preferences.remember('u3', 'text_to_image', 'midjourney'))).toBeInstanceOf(ValidationError)
    expect(await rejectionOf(client.preferences.remember('', 'text_to_image', 'MJ'))).toBeInstanceOf(ValidationError)
    expect(await rejectionOf(client.preferences.remember('u3', 'text_to_video' as never, 'MJ'))).toBeInstanceOf(ValidationError)
    expect(await rejectionOf(client.preferences.forget('u3', 'video' as never))).toBeInstanceOf(ValidationError)
    expect(await client.preferences.list('u3')).toEqual({})
  })

  it('a saved model outside the client scope is passed over for the scope default, never refused', async () => {
    const preferences = new MemoryPreferenceStore()
    // Saved by a client of the full catalog (or the skills' file): Midjourney.
    await ima.client({ preferences }).preferences.remember('u-wide', 'text_to_image', 'MJ')
    const infos: Array<{ message: string; fields: unknown }> = []
    const logger = { debug() {}, info: (message: string, fields?: unknown) => void infos.push({ message, fields }), warn() {}, error() {} }
    const scoped = ima.client({ preferences, models: NANO_BANANA_SCOPE, logger })
    const quote = await scoped.tasks.quote({ userId: 'u-wide', prompt: 'a fox' })
    expect(quote.model.id).toBe(NANO_BANANA_SCOPE.defaults.text_to_image)
    expect(infos).toContainEqual({ message: 'ima preference outside the scope', fields: { taskType: 'text_to_image', model: 'midjourney', scope: 'nano-banana' } })
    // Named explicitly, a model outside the scope is still refused.
    expect(await rejectionOf(scoped.tasks.quote({ userId: 'u-wide', prompt: 'a fox', model: 'MJ' }))).toBeInstanceOf(ValidationError)
  })

  it('remember and generate write the skills’ file through FilePreferenceStore', async () => {
    const path = join(dir, 'ima_prefs.json')
    const client = ima.client({ preferences: new FilePreferenceStore({ path }) })
    await client.preferences.remember('12345', 'text_to_image', 'Nano Banana2')
    const result = await client.generate({ userId: '12345', prompt: 'a fox', intervalMs: 1 })
    expect(result.task.model.id).toBe('gemini-3.1-flash-image')
    const file = JSON.parse(await readFile(path, 'utf8')) as Record<string, Record<string, Record<string, unknown>>>
    expect(file.user_12345?.text_to_image).toMatchObject({ model_id: 'gemini-3.1-flash-image', model_name: result.task.model.name, credit: result.task.credit })
  })

  it('a corrupt prefs file is moved aside and treated as empty: generate({ userId }) still works', async () => {
    const path = join(dir, 'ima_prefs.json')
    await writeFile(path, '{"user_7": {"text_to_image": ')
    const client = ima.client({ preferences: new FilePreferenceStore({ path }) })
    const result = await client.generate({ userId: '7', prompt: 'a fox', intervalMs: 1 })
    expect(result.task.model.id).toBe('doubao-seedream-4.5') // no preference could be read: the default
    expect((await readdir(dir)).some((name) => name.startsWith('ima_prefs.json.corrupt-'))).toBe(true)
    const file = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>
    expect(Object.keys(file)).toEqual(['user_7'])
  })

  it('a store that fails never fails a generation: the failure is logged instead', async () => {
    const warnings: string[] = []
    const failing: PreferenceStore = {
      get: async () => {
        throw new Error('store down')
      },
      set: async () => {
        throw new Error('store down')
      },
      delete: async () => {},
      list: async () => ({}),
    }
    const logger = { debug() {}, info() {}, warn: (message: string) => warnings.push(message), error() {} }
    const result = await ima.client({ preferences: failing, logger }).generate({ userId: 'u9', prompt: 'a fox', intervalMs: 1 })
    expect(result.url).toMatch(/^http/)
    expect(warnings).toEqual(['ima preference unreadable', 'ima preference not saved'])
  })

  it('a store of plain functions that throw at once (not async) fails no generation either: the paid result is returned', async () => {
    const warnings: string[] = []
    const throwing = {
      get: () => {
        throw new Error('store down')
      },
      set: () => {
        throw new Error('store down')
      },
      delete: async () => {},
      list: async () => ({}),
    } as unknown as PreferenceStore
    const logger = { debug() {}, info() {}, warn: (message: string) => warnings.push(message), error() {} }
    const result = await ima.client({ preferences: throwing, logger }).generate({ userId: 'u11', prompt: 'a fox', intervalMs: 1 })
    expect(result.url).toMatch(/^http/)
    expect(warnings).toEqual(['ima preference unreadable', 'ima preference not saved'])
    expect(ima.server.tasks).toContainEqual(expect.objectContaining({ id: result.task.id }))
  })

  it('the memory store stays the default', async () => {
    const client = ima.client()
    await client.generate({ userId: 'u10', model: 'MJ', prompt: 'a castle', intervalMs: 1 })
    expect((await client.preferences.get('u10', 'text_to_image'))?.modelId).toBe('midjourney')
    expect(new MemoryPreferenceStore()).toBeInstanceOf(MemoryPreferenceStore)
  })
})

describe('log lines of a generation (FileLogStore)', () => {
  const KEY_PROMPT = 'a lighthouse at dusk, private'

  async function runAndRead(logPrompts: boolean) {
    const logs = new FileLogStore({ dir: join(dir, logPrompts ? 'verbose' : 'quiet') })
    const client = ima.client({ logger: logs, logPrompts })
    const result = await client.generate({ model: 'NB Pro', prompt: KEY_PROMPT, intervalMs: 1 })
    await client.uploads.put(new Uint8Array(await (await fetch(result.url)).arrayBuffer()))
    await logs.flush()
    const text = await readFile(logs.file, 'utf8')
    return { result, text, lines: text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>) }
  }

  it('has one line per request, task status change and upload, with task id, model, timing and outcome — never the key or the prompt', async () => {
    const { result, text, lines } = await runAndRead(false)
    const taskId = result.task.id
    const created = lines.find((line) => line.msg === 'ima task created')
    expect(created).toMatchObject({ level: 'info', taskId, model: 'gemini-3-pro-image', credit: result.task.credit, prompt: '[redacted]' })
    const statuses = lines.filter((line) => line.msg === 'ima task status')
    expect(statuses.length).toBeGreaterThanOrEqual(2)
    for (const line of statuses) expect(line).toMatchObject({ taskId, model: 'gemini-3-pro-image', elapsedMs: expect.any(Number) })
    expect(statuses.at(-1)?.status).toBe('success')
    const responses = lines.filter((line) => line.msg === 'ima response')
    expect(responses.some((line) => line.path === '/open/v1/tasks/create' && line.model === 'gemini-3-pro-image' && typeof line.durationMs === 'number')).toBe(true)
    expect(responses.some((line) => line.path === '/open/v1/tasks/detail' && line.taskId === taskId && line.status === 200)).toBe(true)
    expect(lines.find((line) => line.msg === 'ima upload')).toMatchObject({ contentType: 'image/png', cached: false, durationMs: expect.any(Number) })
    expect(text).not.toContain(ima.server.apiKey)
    expect(text).not.toContain(KEY_PROMPT)
  })

  it('writes the prompt only with logPrompts: true (and still never the key)', async () => {
    const { text, lines } = await runAndRead(true)
    expect(lines.find((line) => line.msg === 'ima task created')?.prompt).toBe(KEY_PROMPT)
    expect(text).not.toContain(ima.server.apiKey)
  })
})
