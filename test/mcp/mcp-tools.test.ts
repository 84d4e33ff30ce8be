/**
 * `ima mcp`'s tools called directly (ImaTools) over a client of the local
 * server, for what needs many calls or a look at the stores (the server over
 * stdio and HTTP is tested in mcp-stdio and mcp-http):
 * - what it remembers of the tasks it created (the rule itself,
 *   `rememberAtMost`, is unit-tested in test/cli/mcp-units.test.ts): past
 *   MAX_REMEMBERED_TASKS pending tasks the oldest one's facts are forgotten —
 *   its custom `output_path` and its prompt with them, while the journal still
 *   lets `get_image_task` finish and save it under the default name — and a task
 *   within the limit keeps its own path;
 * - a generation `generate_image` left pending and `get_image_task` finished
 *   saves the user's preference, as one `generate_image` finishes does, in the
 *   client's own store — and a store that throws loses no paid image.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ImaClient, MemoryBudgetStore, MemoryPreferenceStore } from '../../src/index.js'
import { resultFiles } from '../../src/cli/mcp/outputs.js'
import { readMcpSettings } from '../../src/cli/mcp/settings.js'
import { ImaTools, MAX_REMEMBERED_TASKS, type ImageTaskOutput } from '../../src/cli/mcp/tools.js'
import { startImaServer, type ImaServer } from '../../src/testing/index.js'

const NO_CALL_CONTEXT = { signal: new AbortController().signal, sendProgress: undefined }

describe('ima mcp tools over many calls', () => {
  let server: ImaServer
  let outputDir: string
  let tools: ImaTools
  let preferences: MemoryPreferenceStore

  beforeAll(async () => {
    // Short tasks: each is finished by the time get_image_task asks for it.
    server = await startImaServer({ taskDurationMs: 100 })
    outputDir = await mkdtemp(join(tmpdir(), 'ima-mcp-tools-'))
    preferences = new MemoryPreferenceStore()
    const client = new ImaClient({ ...server.clientOptions, preferences })
    tools = new ImaTools(client, readMcpSettings({ IMA_OUTPUT_DIR: outputDir }), [server.apiKey])
  })

  afterAll(async () => {
    await server.close()
    await rm(outputDir, { recursive: true, force: true })
  })

  const pendingTask = async (prompt: string, outputPath?: string): Promise<string> => {
    const result = await tools.generateImage({ prompt, model: 'MJ', output_path: outputPath, wait_seconds: 0 }, NO_CALL_CONTEXT)
    const output = result.structuredContent as unknown as ImageTaskOutput
    expect(result.isError, JSON.stringify(result.content)).not.toBe(true)
    expect(output.status).toBe('pending')
    return output.task_id
  }

  const picked = async (taskId: string): Promise<ImageTaskOutput> => {
    const result = await tools.getImageTask({ task_id: taskId, wait_seconds: 30 }, NO_CALL_CONTEXT)
    expect(result.isError, JSON.stringify(result.content)).not.toBe(true)
    return result.structuredContent as unknown as ImageTaskOutput
  }

  it('get_image_task saves the preference of a generation generate_image left pending', async () => {
    const taskId = await pendingTask('a pending fox')
    expect(await preferences.get('default', 'text_to_image')).toBeUndefined()
    const output = await picked(taskId)
    expect(output.status).toBe('success')
    expect(output.model).toBeTruthy()
    // One image: the task's credit is the per-image credit a preference keeps.
    expect(await preferences.get('default', 'text_to_image')).toEqual({ modelId: output.model, modelName: output.model_name, credit: output.credit, lastUsed: expect.any(String) })
  })

  it("get_image_task returns the paid image when the client's preference store throws at once, and the client logs why nothing was saved", async () => {
    const warnings: string[] = []
    const throwingStore = new MemoryPreferenceStore()
    throwingStore.set = () => {
      throw new Error('preference disk is read-only')
    }
    const logger = { debug() {}, info() {}, warn: (message: string) => void warnings.push(message), error() {} }
    const client = new ImaClient({ ...server.clientOptions, preferences: throwingStore, logger })
    const ownTools = new ImaTools(client, readMcpSettings({ IMA_OUTPUT_DIR: outputDir }), [server.apiKey])
    const pending = await ownTools.generateImage({ prompt: 'a fox on a read-only disk', model: 'MJ', wait_seconds: 0 }, NO_CALL_CONTEXT)
    const taskId = (pending.structuredContent as unknown as ImageTaskOutput).task_id
    const result = await ownTools.getImageTask({ task_id: taskId, wait_seconds: 30 }, NO_CALL_CONTEXT)
    expect(result.isError, JSON.stringify(result.content)).not.toBe(true)
    const output = result.structuredContent as unknown as ImageTaskOutput
    expect(output.status).toBe('success')
    expect(output.files).toHaveLength(1)
    expect(warnings).toContain('ima preference not saved')
  })

  it('speaks to the agent in its own settings and plain words: IMA_MAX_CREDITS for the budget, no request or network code for a lost answer', async () => {
    const poor = new ImaTools(new ImaClient({ ...server.clientOptions, maxCredits: 1 }), readMcpSettings({ IMA_OUTPUT_DIR: outputDir }), [server.apiKey])
    const refused = await poor.generateImage({ prompt: 'an expensive fox', wait_seconds: 0 }, NO_CALL_CONTEXT)
    expect(refused.isError).toBe(true)
    const refusal = JSON.stringify(refused.content)
    expect(refusal).toContain('raise IMA_MAX_CREDITS')
    expect(refusal).not.toMatch(/\bmaxCredits\b/)

    server.injectFault({ path: '/open/v1/tasks/create', kind: 'reset-after' })
    const lost = await tools.generateImage({ prompt: 'a fox whose answer is lost', model: 'MJ', wait_seconds: 0 }, NO_CALL_CONTEXT)
    expect(lost.isError).toBe(true)
    const text = JSON.stringify(lost.content)
    expect(text).not.toMatch(/\[POST|UND_ERR|ECONNRESET|tasks\.recent\(\)/)
    expect(text).toMatch(/call get_image_task with task_id \\"ima-[0-9a-f-]+\\" later instead of generating again/)
  })

  it(
    `forgets the facts of the oldest pending tasks, not the tasks: after ${MAX_REMEMBERED_TASKS} newer tasks the oldest is saved under the default name, the next under its own path`,
    async () => {
      const oldest = await pendingTask('the oldest fox', 'oldest-own-path.png')
      const next = await pendingTask('the next fox', 'next-own-path.png')
      for (let filler = 0; filler < MAX_REMEMBERED_TASKS - 1; filler += 1) await pendingTask(`filler ${filler}`)

      const oldestOutput = await picked(oldest)
      expect(oldestOutput.status).toBe('success')
      // Its facts are gone: saved in the folder under the name of a task whose prompt is unknown (the journal keeps prompts only with logPrompts).
      expect(oldestOutput.files).toEqual(resultFiles(outputDir, undefined, { urls: oldestOutput.urls, taskId: oldest, prompt: undefined }))
      expect(basename(oldestOutput.files[0] as string)).not.toBe('oldest-own-path.png')

      const nextOutput = await picked(next)
      expect(nextOutput.status).toBe('success')
      expect(nextOutput.files).toEqual([join(outputDir, 'next-own-path.png')])
    },
    60_000,
  )

  // A save that failed forgot the task's output_path: the next get_image_task saved the paid picture under the default name.
  it('a failed save keeps the output_path for the next get_image_task', async () => {
    const taskId = await pendingTask('a fox whose first save fails', 'kept-name.png')
    server.injectFault({ path: `/files/${taskId}/0.png`, kind: 'status', status: 500, times: 20 })
    const failed = await picked(taskId)
    expect(failed).toMatchObject({ status: 'success', files: [] })
    server.clearFaults()
    const saved = await picked(taskId)
    expect(saved.files).toEqual([join(outputDir, 'kept-name.png')])
  })

  // A paid picture saved before was replaced: get_image_task's output_path was not checked, and two pending tasks with one path overwrote each other.
  it('never replaces a picture on disk: get_image_task refuses an existing output_path; two tasks with one path get two files', async () => {
    const [first, second] = [await pendingTask('a twin fox', 'twin.png'), await pendingTask('a twin fox again', 'twin.png')]
    const saved = [await picked(first), await picked(second)]
    expect(saved.map((output) => output.files.map((file) => basename(file)))).toEqual([['twin.png'], ['twin-2.png']])
    const refused = await tools.getImageTask({ task_id: first, wait_seconds: 30, output_path: 'twin.png' }, NO_CALL_CONTEXT)
    expect(refused.isError).toBe(true)
    expect(JSON.stringify(refused.content)).toContain('would overwrite')
  })
  // A paid task whose polls failed answered "try a smaller size" / "retry", without its id: the agent could only order again.
  it.each([
    ['a 500', { kind: 'status', status: 500 }],
    ['a reset connection', { kind: 'reset-before' }],
  ] as const)('a created task whose polls fail (%s) is pending under its id, for get_image_task', async (_what, fault) => {
    const before = server.tasks.length
    server.injectFault({ path: '/open/v1/tasks/detail', ...fault, times: 1_000 })
    try {
      const result = await tools.generateImage({ prompt: 'a fox behind a flaky poll', model: 'MJ', wait_seconds: 60 }, NO_CALL_CONTEXT)
      const output = result.structuredContent as unknown as ImageTaskOutput
      expect(result.isError).not.toBe(true)
      expect(server.tasks.length).toBe(before + 1)
      expect(output).toMatchObject({ status: 'pending', task_id: server.tasks.at(-1)?.id })
      expect(JSON.stringify(result.content)).toContain(output.task_id)
      expect(JSON.stringify(result.content)).not.toMatch(/smaller size|retry/i)
      server.clearFaults()
      expect((await picked(output.task_id)).status).toBe('success')
    } finally {
      server.clearFaults()
    }
  })
  // The wait's deadline ran from the create's answer: a create answered after 25 s made a 40 s call last 65 s, past the client's time-out.
  it('wait_seconds counts from the call: a slow create leaves less of it to the wait', async () => {
    server.injectFault({ path: '/open/v1/tasks/create', kind: 'delay', ms: 3_000 })
    try {
      const startedAt = Date.now()
      const result = await tools.generateImage({ prompt: 'a slow fox [never]', model: 'MJ', wait_seconds: 3 }, NO_CALL_CONTEXT)
      const took = Date.now() - startedAt
      expect((result.structuredContent as unknown as ImageTaskOutput).status).toBe('pending')
      // From the create's answer it would be 3 s of create and 3 s more of wait.
      expect(took).toBeGreaterThanOrEqual(3_000)
      expect(took).toBeLessThan(5_000)
    } finally {
      server.clearFaults()
    }
  })
  // A budget store that cannot be reached answered "Image generation encountered an issue … use another model": wrong advice, nothing said of the store.
  it('a budget store that cannot be reached says so (nothing created, another model would not help)', async () => {
    const down = async (): Promise<never> => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:6379')
    }
    const budgetStore = { reserve: down, settle: down, remaining: down }
    const client = new ImaClient({ ...server.clientOptions, maxCredits: 20, budgetStore })
    const shared = new ImaTools(client, readMcpSettings({ IMA_OUTPUT_DIR: outputDir, IMA_MAX_CREDITS: '20', IMA_REDIS_URL: 'redis://127.0.0.1:6379' }), [server.apiKey])
    const before = server.tasks.length
    const result = await shared.generateImage({ prompt: 'a fox on a shared budget', model: 'MJ', wait_seconds: 1 }, NO_CALL_CONTEXT)
    expect(result.isError).toBe(true)
    const text = JSON.stringify(result.content)
    expect(text).toContain('The budget store (the shared budget of IMA_REDIS_URL) cannot be reached: nothing was created or charged')
    expect(text).not.toMatch(/another model\b(?! would not help)/)
    expect(server.tasks.length).toBe(before)
  })
  it("quote_image's remaining_credits counts what every process spent from a shared budget store", async () => {
    const budgetStore = new MemoryBudgetStore()
    const settings = readMcpSettings({ IMA_OUTPUT_DIR: outputDir, IMA_MAX_CREDITS: '20', IMA_REDIS_URL: 'redis://127.0.0.1:6379' })
    const spender = new ImaTools(new ImaClient({ ...server.clientOptions, maxCredits: 20, budgetStore }), settings, [server.apiKey])
    const asker = new ImaTools(new ImaClient({ ...server.clientOptions, maxCredits: 20, budgetStore }), settings, [server.apiKey])
    const spent = await spender.generateImage({ prompt: 'a fox paid from the shared budget', model: 'gemini-3-pro-image', size: '4K', wait_seconds: 0 }, NO_CALL_CONTEXT)
    expect(spent.isError).toBeFalsy()
    const quote = await asker.quoteImage({ model: 'gemini-3-pro-image', size: '4K' }, NO_CALL_CONTEXT)
    expect(quote.structuredContent).toMatchObject({ credit: 18, within_budget: false, remaining_credits: 2 })
    expect(JSON.stringify(quote.content)).toContain('(2 credits left)')
  })
  // A wait that ends for good is the answer, not "pending": a refused key would answer "ask again" for ever.
  it('get_image_task with a refused key answers the key error, not pending', async () => {
    const refused = new ImaTools(new ImaClient({ ...server.clientOptions, apiKey: 'ima_not_this_servers_key_0123456789' }), readMcpSettings({ IMA_OUTPUT_DIR: outputDir }), [server.apiKey])
    const result = await refused.getImageTask({ task_id: 'task_0123456789abcdef', wait_seconds: 5 }, NO_CALL_CONTEXT)
    expect(result.isError).toBe(true)
    expect(result.structuredContent).toBeUndefined()
    expect(JSON.stringify(result.content)).toMatch(/key/i)
  })
})
