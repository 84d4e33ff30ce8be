/**
 * `ima mcp` on stdio, as an MCP client (Claude Desktop, an IDE) runs it: the
 * bundled `ima` (test/cli/ima-process.ts) spawned by the official client's
 * StdioClientTransport with the environment a client config sets, against
 * local IMA servers ('time' progression: a normal server whose tasks take
 * 600 ms, a slow one whose tasks take 4 s for the pending/get_image_task path).
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { isAbsolute, join, sep } from 'node:path'
import type { Progress, Tool } from '@modelcontextprotocol/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startImaServer, type ImaServer } from '../../src/testing/index.js'
import { prepareIma, type ImaProcess } from '../cli/ima-process.js'
import { cleanEnv, startIma } from '../cli/run-ima.js'
import { redisServerOnPath, startRedisServer, type RedisServer } from '../support/redis-server.js'
import {
  CREATE_PATH,
  SECRET_KEY,
  STACK_LINE,
  TOOL_NAMES,
  createCount,
  expectPlainError,
  expectRisingProgress,
  filesContaining,
  isPngFile,
  startMcpSession,
  structured,
  textOf,
  type McpSession,
} from './mcp-harness.js'

const MIB = 1_048_576
const TEST_TIMEOUT = 60_000

let ima: ImaProcess
let server: ImaServer
let slowServer: ImaServer
let root: string
let home: string
let out: string
let cwd: string
/** Every session started, so the key check reads what each received and printed. */
const sessions: McpSession[] = []

/** The environment of a session against `target`: the key, the local server, the output folder, fast polls. */
function mcpEnv(target: ImaServer, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return cleanEnv(home, {
    IMA_API_KEY: SECRET_KEY,
    IMA_BASE_URL: target.url,
    IMA_IM_BASE_URL: target.uploadURL,
    IMA_OUTPUT_DIR: out,
    IMA_POLL_INTERVAL_MS: '50',
    ...extra,
  })
}

async function session(env: NodeJS.ProcessEnv, args: string[] = []): Promise<McpSession> {
  const started = await startMcpSession(ima, env, { args, cwd })
  sessions.push(started)
  return started
}

beforeAll(async () => {
  ima = await prepareIma()
  server = await startImaServer({ apiKeys: { [SECRET_KEY]: 100_000 }, taskDurationMs: 600 })
  slowServer = await startImaServer({ apiKeys: { [SECRET_KEY]: 100_000 }, taskDurationMs: 4000 })
  root = await mkdtemp(join(tmpdir(), 'ima-mcp-'))
  home = join(root, 'home')
  out = join(root, 'out')
  cwd = join(root, 'cwd')
  await mkdir(home, { recursive: true })
  await mkdir(cwd, { recursive: true })
}, 120_000)

afterAll(async () => {
  for (const started of sessions) await started.close().catch(() => undefined)
  await server?.close()
  await slowServer?.close()
  await ima?.remove()
  if (root) await rm(root, { recursive: true, force: true })
}, 60_000)

describe('ima mcp on stdio', () => {
  let main: McpSession

  beforeAll(async () => {
    main = await session(mcpEnv(server))
  }, TEST_TIMEOUT)

  it('says on stderr that it is ready, and prints nothing but protocol on stdout', async () => {
    const stderr = await main.waitForStderr(/ima mcp: ready on stdio/)
    expect(stderr).toMatch(/^ima mcp: ready on stdio/m)
    expect(stderr).not.toMatch(STACK_LINE)
    expect(main.transportErrors).toEqual([])
  }, TEST_TIMEOUT)

  it('tools/list shows exactly the four tools, each with a title, a description, schemas and annotations', async () => {
    const { tools } = await main.client.listTools()
    expect(tools.map((tool) => tool.name).sort()).toEqual(TOOL_NAMES)
    const byName = new Map<string, Tool>(tools.map((tool) => [tool.name, tool]))
    for (const tool of tools) {
      expect(tool.title, `${tool.name} has no title`).toBeTypeOf('string')
      expect(tool.title?.trim()).not.toBe('')
      expect(tool.description, `${tool.name} has no description`).toBeTypeOf('string')
      expect((tool.description ?? '').length).toBeGreaterThan(20)
      expect(tool.description).toMatch(/credit|point|free|cost|charge/i)
      expect(tool.inputSchema.type).toBe('object')
      expect(tool.outputSchema, `${tool.name} has no outputSchema`).toBeDefined()
      expect(tool.outputSchema?.type).toBe('object')
      expect(tool.annotations, `${tool.name} has no annotations`).toBeDefined()
    }

    const generate = byName.get('generate_image')!
    expect(generate.description).toMatch(/credit|point/i)
    expect(Object.keys(generate.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(['prompt', 'model', 'size', 'aspect_ratio', 'input_images', 'n', 'output_path', 'wait_seconds']),
    )
    expect(generate.inputSchema.required).toEqual(['prompt'])
    const generateProperties = generate.inputSchema.properties as Record<string, Record<string, unknown>>
    expect(generateProperties.prompt?.type).toBe('string')
    expect(generateProperties.n).toMatchObject({ minimum: 1, maximum: 4 })
    expect(generateProperties.wait_seconds).toMatchObject({ minimum: 0, maximum: 600 })
    expect(generate.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true })
    expect(Object.keys(generate.outputSchema?.properties ?? {})).toEqual(
      expect.arrayContaining(['status', 'task_id', 'urls', 'files', 'credit', 'model', 'model_name']),
    )

    const get = byName.get('get_image_task')!
    expect(Object.keys(get.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['task_id', 'wait_seconds', 'output_path']))
    expect(get.inputSchema.required).toEqual(['task_id'])
    expect(get.annotations).toMatchObject({ readOnlyHint: false, idempotentHint: true, openWorldHint: true })
    expect(Object.keys(get.outputSchema?.properties ?? {})).toEqual(expect.arrayContaining(['status', 'task_id', 'urls', 'files']))

    const list = byName.get('list_image_models')!
    expect(Object.keys(list.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['task_type']))
    expect(list.inputSchema.required ?? []).toEqual([])
    expect(list.annotations).toMatchObject({ readOnlyHint: true, idempotentHint: true, openWorldHint: true })
    expect(Object.keys(list.outputSchema?.properties ?? {})).toEqual(expect.arrayContaining(['models']))

    const quote = byName.get('quote_image')!
    expect(Object.keys(quote.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(['model', 'size', 'aspect_ratio', 'n', 'task_type', 'input_images']),
    )
    expect(quote.annotations).toMatchObject({ readOnlyHint: true, idempotentHint: true, openWorldHint: true })
    expect(Object.keys(quote.outputSchema?.properties ?? {})).toEqual(
      expect.arrayContaining(['model', 'model_name', 'size', 'credit', 'n', 'total_credit', 'estimated_seconds', 'within_budget', 'remaining_credits']),
    )
  }, TEST_TIMEOUT)

  it('generate_image reports rising progress and returns the URL, the saved file under IMA_OUTPUT_DIR, a resource link, all under 1 MiB', async () => {
    const createsBefore = createCount(server)
    const progress: Progress[] = []
    const result = await main.call('generate_image', { prompt: 'a red fox in the snow', model: 'gemini-3-pro-image', size: '1K' }, progress)
    expect(result.isError, textOf(result)).toBeFalsy()
    expectRisingProgress(progress)

    const content = structured(result)
    expect(content.status).toBe('success')
    expect(content.task_id).toBeTypeOf('string')
    expect(content.model).toBe('gemini-3-pro-image')
    expect(content.model_name).toBe('Nano Banana Pro')
    expect(content.credit).toBe(10)
    const urls = content.urls as string[]
    const files = content.files as string[]
    expect(urls).toHaveLength(1)
    expect(files).toHaveLength(1)
    const [url] = urls as [string]
    const [file] = files as [string]
    expect(url).toMatch(/^https?:\/\//)
    expect(isAbsolute(file)).toBe(true)
    expect(file.startsWith(out + sep)).toBe(true)
    expect(existsSync(file)).toBe(true)
    expect(await isPngFile(file)).toBe(true)
    // Never the client's working directory.
    expect(await readdir(cwd)).toEqual([])

    const text = textOf(result)
    expect(text).toContain(url)
    expect(text).toContain(file)
    expect(text).toContain(String(content.task_id))
    expect(text).toMatch(/\b10\b/)

    const links = result.content.filter((block) => block.type === 'resource_link')
    expect(links.length).toBeGreaterThanOrEqual(1)
    expect(links.map((link) => (link as { uri: string }).uri)).toContain(url)
    for (const block of result.content.filter((item) => item.type === 'image')) {
      const image = block as { data: string; mimeType: string }
      expect(image.mimeType).toMatch(/^image\//)
      expect(Buffer.from(image.data, 'base64').length).toBeGreaterThan(8)
      expect(image.data.length).toBeLessThan(MIB / 2)
    }
    expect(JSON.stringify(result).length).toBeLessThan(MIB)

    expect(createCount(server) - createsBefore).toBe(1)
    expect(server.tasks.at(-1)?.id).toBe(content.task_id)
    expect(server.tasks.at(-1)?.prompt).toBe('a red fox in the snow')
  }, TEST_TIMEOUT)

  it("output_path 'fox.png' saves to <IMA_OUTPUT_DIR>/fox.png", async () => {
    const result = await main.call('generate_image', { prompt: 'a fox on a hill', output_path: 'fox.png' })
    expect(result.isError, textOf(result)).toBeFalsy()
    const content = structured(result)
    expect(content.status).toBe('success')
    expect(content.files).toEqual([join(out, 'fox.png')])
    expect(existsSync(join(out, 'fox.png'))).toBe(true)
    expect(await isPngFile(join(out, 'fox.png'))).toBe(true)
    expect(textOf(result)).toContain(join(out, 'fox.png'))
  }, TEST_TIMEOUT)

  it('an output_path whose file exists is refused before anything is created: a saved picture is never overwritten', async () => {
    const taken = join(out, 'taken.png')
    await writeFile(taken, 'an earlier, paid picture')
    const createsBefore = createCount(server)
    const result = await main.call('generate_image', { prompt: 'a fox again', output_path: 'taken.png' })
    expect(expectPlainError(result)).toContain(`would overwrite ${taken}, which exists. Nothing was created or charged.`)
    expect(createCount(server)).toBe(createsBefore)
    expect(await readFile(taken, 'utf8')).toBe('an earlier, paid picture')
  }, TEST_TIMEOUT)

  it("output_path '../escape.png' is refused before anything is created", async () => {
    const createsBefore = createCount(server)
    const result = await main.call('generate_image', { prompt: 'a fox escaping', output_path: '../escape.png' })
    const text = expectPlainError(result)
    expect(text).toMatch(/output_path|IMA_OUTPUT_DIR|folder|outside/i)
    expect(createCount(server)).toBe(createsBefore)
    expect(existsSync(join(out, '..', 'escape.png'))).toBe(false)
    expect(existsSync(join(root, 'escape.png'))).toBe(false)
  }, TEST_TIMEOUT)

  it('an argument a tool does not take is refused, naming it, and creates nothing', async () => {
    const { tools } = await main.client.listTools()
    for (const name of ['generate_image', 'quote_image', 'get_image_task', 'list_image_models']) expect(tools.find((tool) => tool.name === name)?.inputSchema.additionalProperties, name).toBe(false)
    const listed = await main.call('list_image_models', { task_typ: 'image_to_image' })
    expect(listed.isError, JSON.stringify(listed)).toBe(true)
    expect(textOf(listed)).toContain('task_typ')
    // A relative path would be read from the server's own folder: refused, nothing read or created.
    const relative = await main.call('generate_image', { prompt: 'edit this', input_images: ['cat.png'] })
    expect(relative.isError, JSON.stringify(relative)).toBe(true)
    expect(textOf(relative)).toContain('must be an https URL or an absolute path')
    const createsBefore = createCount(server)
    const generate = await main.call('generate_image', { prompt: 'a wide fox', ratio: '16:9' })
    expect(generate.isError, JSON.stringify(generate)).toBe(true)
    expect(textOf(generate)).toContain('ratio')
    const quote = await main.call('quote_image', { model: 'NB Pro', resolution: '4K' })
    expect(quote.isError, JSON.stringify(quote)).toBe(true)
    expect(textOf(quote)).toContain('resolution')
    expect(createCount(server)).toBe(createsBefore)
  }, TEST_TIMEOUT)

  it('an unknown model is an error naming the models there are, and creates nothing', async () => {
    const createsBefore = createCount(server)
    const result = await main.call('generate_image', { prompt: 'a fox', model: 'dall-e-9' })
    const text = expectPlainError(result)
    expect(text).toContain('dall-e-9')
    expect(text).toMatch(/gemini-3-pro-image|Nano Banana Pro/i)
    expect(text).toMatch(/seedream/i)
    expect(createCount(server)).toBe(createsBefore)
  }, TEST_TIMEOUT)

  it("size '8K' is an error saying 4K is the most, and a size the model lacks names the sizes it has; neither creates anything", async () => {
    const createsBefore = createCount(server)
    const tooLarge = expectPlainError(await main.call('generate_image', { prompt: 'a fox', model: 'gemini-3-pro-image', size: '8K' }))
    expect(tooLarge).toContain('8K')
    expect(tooLarge).toMatch(/4K is the most/)
    const notOffered = expectPlainError(await main.call('generate_image', { prompt: 'a fox', model: 'gemini-3-pro-image', size: '512px' }))
    expect(notOffered).toContain('512px')
    for (const size of ['1K', '2K', '4K']) expect(notOffered).toContain(size)
    // One statement of each fact: not the SDK's sentence and a chat phrase saying it again.
    expect(tooLarge.match(/4K is the/g)).toHaveLength(1)
    expect(createCount(server)).toBe(createsBefore)
  }, TEST_TIMEOUT)

  it('get_image_task with a task id the service does not know is a plain error, and creates nothing', async () => {
    const createsBefore = createCount(server)
    const result = await main.call('get_image_task', { task_id: 'task_does_not_exist', wait_seconds: 1 })
    const text = expectPlainError(result)
    expect(text).toMatch(/task/i)
    // Plain language: not the HTTP request that failed.
    expect(text).not.toMatch(/\/open\/v1|\[(POST|GET) /)
    expect(createCount(server)).toBe(createsBefore)
  }, TEST_TIMEOUT)

  it('a create whose answer is lost is reported as maybe charged, with the journal ref to find it; it is never sent again', async () => {
    const createsBefore = createCount(server)
    // The server records (and charges) the create, then drops the connection without answering.
    server.injectFault({ path: '/open/v1/tasks/create', kind: 'reset-after' })
    const text = expectPlainError(await main.call('generate_image', { prompt: 'a lost answer', model: 'gemini-3.1-flash-image' }))
    expect(createCount(server)).toBe(createsBefore + 1)
    expect(text).toMatch(/charged/i)
    const ref = /get_image_task with task_id "([^"]+)"/.exec(text)?.[1]
    expect(ref, text).toBeDefined()
    // The ref finds the journal entry; its task id was never answered, so the tool says so rather than creating anything.
    const again = expectPlainError(await main.call('get_image_task', { task_id: ref!, wait_seconds: 1 }))
    expect(again).toContain(ref!)
    expect(again).toMatch(/ima tasks/)
    expect(createCount(server)).toBe(createsBefore + 1)
  }, TEST_TIMEOUT)

  it('get_image_task on the ref of a create the service refused says nothing was charged, and creates nothing', async () => {
    server.injectFault({ path: '/open/v1/tasks/create', kind: 'status', status: 400, code: 400, message: 'refused for the test' })
    expectPlainError(await main.call('generate_image', { prompt: 'a refused fox', model: 'gemini-3.1-flash-image' }))
    const entries = (await readFile(join(home, 'ima_tasks.jsonl'), 'utf8')).split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as { ref: string; state: string })
    const refused = entries.filter((entry) => entry.state === 'refused').at(-1)
    expect(refused).toBeDefined()
    const createsBefore = createCount(server)
    const text = expectPlainError(await main.call('get_image_task', { task_id: refused!.ref, wait_seconds: 1 }))
    expect(text).toMatch(/was refused by the service: no task was made and nothing was charged/)
    expect(createCount(server)).toBe(createsBefore)
  }, TEST_TIMEOUT)

  it('list_image_models returns the live models with their sizes, credits and timings', async () => {
    const listsBefore = server.requests.filter((request) => request.path === '/open/v1/product/list').length
    const result = await main.call('list_image_models', {})
    expect(result.isError, textOf(result)).toBeFalsy()
    const models = structured(result).models as {
      id: string
      name: string
      task_type: string
      sizes: { size: string; credit: number }[]
      aspect_ratios: string[]
      estimated_seconds: number[]
    }[]
    expect(Array.isArray(models)).toBe(true)
    expect(new Set(models.map((model) => model.task_type))).toEqual(new Set(['text_to_image', 'image_to_image']))
    const ids = new Set(models.map((model) => model.id))
    for (const id of ['doubao-seedream-4.5', 'gemini-3.1-flash-image', 'gemini-3-pro-image', 'midjourney']) expect(ids).toContain(id)
    const pro = models.find((model) => model.id === 'gemini-3-pro-image' && model.task_type === 'text_to_image')
    expect(pro?.name).toBe('Nano Banana Pro')
    expect(pro?.sizes).toEqual([
      { size: '1K', credit: 10 },
      { size: '2K', credit: 10 },
      { size: '4K', credit: 18 },
    ])
    expect(pro?.aspect_ratios).toEqual(expect.arrayContaining(['1:1', '16:9']))
    expect(pro?.estimated_seconds).toHaveLength(2)
    expect(pro?.estimated_seconds[0]).toBeLessThanOrEqual(pro?.estimated_seconds[1] ?? -1)
    // The image-to-image list has its own points (4K costs 10 there, 18 in text-to-image).
    const proEdit = models.find((model) => model.id === 'gemini-3-pro-image' && model.task_type === 'image_to_image')
    expect(proEdit?.sizes).toContainEqual({ size: '4K', credit: 10 })
    const text = textOf(result)
    expect(text).toContain('gemini-3-pro-image')
    expect(text).toContain('18')
    // Read from the live list (at start or now), not from a table of its own.
    expect(server.requests.filter((request) => request.path === '/open/v1/product/list').length).toBeGreaterThanOrEqual(Math.max(1, listsBefore))

    const editOnly = await main.call('list_image_models', { task_type: 'image_to_image' })
    expect(editOnly.isError, textOf(editOnly)).toBeFalsy()
    const editModels = structured(editOnly).models as { task_type: string }[]
    expect(editModels.length).toBeGreaterThan(0)
    expect(new Set(editModels.map((model) => model.task_type))).toEqual(new Set(['image_to_image']))
  }, TEST_TIMEOUT)

  it('quote_image returns the total credits and creates nothing', async () => {
    const createsBefore = createCount(server)
    const result = await main.call('quote_image', { model: 'gemini-3-pro-image', size: '4K', n: 2 })
    expect(result.isError, textOf(result)).toBeFalsy()
    expect(structured(result)).toMatchObject({
      model: 'gemini-3-pro-image',
      model_name: 'Nano Banana Pro',
      size: '4K',
      credit: 18,
      n: 2,
      total_credit: 36,
      within_budget: true,
      remaining_credits: null,
    })
    expect(structured(result).estimated_seconds).toHaveLength(2)
    expect(textOf(result)).toContain('36')

    const byAlias = await main.call('quote_image', { model: 'NB Pro', size: '2k' })
    expect(byAlias.isError, textOf(byAlias)).toBeFalsy()
    expect(structured(byAlias)).toMatchObject({ model: 'gemini-3-pro-image', credit: 10, n: 1, total_credit: 10 })
    expect(createCount(server)).toBe(createsBefore)
  }, TEST_TIMEOUT)
})

describe('a task slower than wait_seconds', () => {
  let slow: McpSession

  beforeAll(async () => {
    // --verbose, so the key check below also covers the most talkative stderr.
    slow = await session(mcpEnv(slowServer), ['--verbose'])
  }, TEST_TIMEOUT)

  it('generate_image answers pending with the task id, then get_image_task fetches the image; one create in all', async () => {
    const createsBefore = createCount(slowServer)
    const first = await slow.call('generate_image', { prompt: 'a slow fox', model: 'gemini-3-pro-image', wait_seconds: 1 })
    const returnedAt = Date.now()
    expect(first.isError, textOf(first)).toBeFalsy()
    const pending = structured(first)
    expect(pending.status).toBe('pending')
    expect(pending.task_id).toBeTypeOf('string')
    expect(String(pending.task_id)).not.toBe('')
    expect(pending.urls).toEqual([])
    expect(pending.files).toEqual([])
    expect(pending.model).toBe('gemini-3-pro-image')
    expect(pending.credit).toBe(10)
    const estimate = pending.estimated_seconds as number[]
    expect(estimate).toHaveLength(2)
    expect(estimate[0]).toBeLessThanOrEqual(estimate[1] ?? -1)
    expect(textOf(first)).toContain('get_image_task')
    expect(textOf(first)).toContain(String(pending.task_id))
    // It came back about a second after the create, well before the 4 s task ends.
    const task = slowServer.tasks.find((item) => item.id === pending.task_id)
    expect(task).toBeDefined()
    expect(returnedAt - (task?.createdAt ?? 0)).toBeLessThan(3000)

    const progress: Progress[] = []
    const second = await slow.call('get_image_task', { task_id: pending.task_id, wait_seconds: 30 }, progress)
    expect(second.isError, textOf(second)).toBeFalsy()
    const done = structured(second)
    expect(done.status).toBe('success')
    expect(done.task_id).toBe(pending.task_id)
    const files = done.files as string[]
    expect(files).toHaveLength(1)
    expect(files[0]?.startsWith(out + sep)).toBe(true)
    expect(existsSync(files[0] ?? '')).toBe(true)
    expect(await isPngFile(files[0] ?? '')).toBe(true)
    expect((done.urls as string[])[0]).toMatch(/^https?:\/\//)
    expect(second.content.some((block) => block.type === 'resource_link')).toBe(true)

    expect(createCount(slowServer) - createsBefore).toBe(1)
  }, TEST_TIMEOUT)
})

describe('IMA_MAX_CREDITS and IMA_MODELS', () => {
  let capped: McpSession

  beforeAll(async () => {
    capped = await session(mcpEnv(server, { IMA_MAX_CREDITS: '5', IMA_MODELS: 'nano-banana' }))
  }, TEST_TIMEOUT)

  it('a generation over the budget is an error naming the budget, and creates nothing', async () => {
    const createsBefore = createCount(server)
    const result = await capped.call('generate_image', { prompt: 'an expensive fox', model: 'gemini-3-pro-image', size: '4K' })
    const text = expectPlainError(result)
    expect(text).toMatch(/budget|IMA_MAX_CREDITS/i)
    expect(text).toMatch(/\b5\b/)
    // A cheaper option: a smaller size or model (Nano Banana2 at 512px costs 4).
    expect(text).toMatch(/cheap|smaller|lower|512px|Nano Banana ?2|gemini-3\.1-flash-image/i)
    expect(createCount(server)).toBe(createsBefore)
  }, TEST_TIMEOUT)

  it('quote_image tells the quote is over the budget, with the credits left', async () => {
    const createsBefore = createCount(server)
    const result = await capped.call('quote_image', { model: 'gemini-3-pro-image', size: '4K' })
    expect(result.isError, textOf(result)).toBeFalsy()
    expect(structured(result)).toMatchObject({ credit: 18, n: 1, total_credit: 18, within_budget: false, remaining_credits: 5 })
    expect(createCount(server)).toBe(createsBefore)
  }, TEST_TIMEOUT)

  it('IMA_MODELS=nano-banana lists only the two Nano Banana models and refuses the others', async () => {
    const listed = await capped.call('list_image_models', {})
    expect(listed.isError, textOf(listed)).toBeFalsy()
    const ids = new Set((structured(listed).models as { id: string }[]).map((model) => model.id))
    expect(ids).toEqual(new Set(['gemini-3.1-flash-image', 'gemini-3-pro-image']))

    const createsBefore = createCount(server)
    const refused = await capped.call('generate_image', { prompt: 'a fox', model: 'midjourney', size: '480p' })
    const text = expectPlainError(refused)
    expect(text).toMatch(/midjourney/i)
    expect(createCount(server)).toBe(createsBefore)
  }, TEST_TIMEOUT)
})

describe('IMA_LANGUAGE=zh', () => {
  let zh: McpSession

  beforeAll(async () => {
    zh = await session(mcpEnv(server, { IMA_LANGUAGE: 'zh' }))
  }, TEST_TIMEOUT)

  it('words the errors in Chinese', async () => {
    const createsBefore = createCount(server)
    const calls: Record<string, unknown>[] = [
      { prompt: 'a fox', model: 'dall-e-9' },
      { prompt: 'a fox', model: 'gemini-3-pro-image', size: '8K' },
      { prompt: 'a fox', output_path: '../escape.png' },
    ]
    for (const args of calls) {
      const text = expectPlainError(await zh.call('generate_image', args))
      expect.soft(text, JSON.stringify(args)).toMatch(/[\u4e00-\u9fff]/)
      // Names, ids and sizes stay as they are, but no English sentence: never four English words in a row.
      expect.soft(text, JSON.stringify(args)).not.toMatch(/[A-Za-z]+ [A-Za-z]+ [A-Za-z]+ [A-Za-z]+/)
    }
    expect(createCount(server)).toBe(createsBefore)
  }, TEST_TIMEOUT)
})

describe('without IMA_API_KEY', () => {
  let keyless: McpSession

  beforeAll(async () => {
    const env = mcpEnv(server)
    delete env.IMA_API_KEY
    keyless = await session(env)
  }, TEST_TIMEOUT)

  it('starts, warns on stderr, and every tool answers an error naming IMA_API_KEY', async () => {
    const { tools } = await keyless.client.listTools()
    expect(tools.map((tool) => tool.name).sort()).toEqual(TOOL_NAMES)
    expect(await keyless.waitForStderr(/IMA_API_KEY/)).not.toMatch(STACK_LINE)

    const createsBefore = createCount(server)
    const calls: [string, Record<string, unknown>][] = [
      ['generate_image', { prompt: 'a fox' }],
      ['get_image_task', { task_id: 'task-that-does-not-matter' }],
      ['list_image_models', {}],
      ['quote_image', { model: 'gemini-3-pro-image' }],
    ]
    for (const [name, args] of calls) {
      const text = expectPlainError(await keyless.call(name, args))
      expect(text, name).toContain('IMA_API_KEY')
    }
    expect(createCount(server)).toBe(createsBefore)
  }, TEST_TIMEOUT)
})

describe('settings refused at start', () => {
  it('a relative IMA_OUTPUT_DIR stops the server with exit code 2 and a message on stderr', async () => {
    const { done } = startIma(ima, ['mcp'], mcpEnv(server, { IMA_OUTPUT_DIR: 'relative/pictures' }), cwd)
    const run = await done
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain('IMA_OUTPUT_DIR')
    expect(run.stderr).not.toMatch(STACK_LINE)
    expect(existsSync(join(cwd, 'relative'))).toBe(false)
  }, TEST_TIMEOUT)
})

describe('the API key', () => {
  it('appears in no result, notification, stderr line or file the processes wrote', async () => {
    // Close every session first, so whatever is logged at exit is on disk.
    for (const started of sessions) await started.close()
    expect(sessions.length).toBe(5)
    for (const started of sessions) {
      expect(started.received.length).toBeGreaterThan(1)
      expect(JSON.stringify(started.received)).not.toContain(SECRET_KEY)
      expect(started.stderr()).not.toContain(SECRET_KEY)
      expect(started.transportErrors).toEqual([])
    }
    // The progress notifications were among what was received (the serialization above covered them).
    expect(sessions.some((started) => JSON.stringify(started.received).includes('notifications/progress'))).toBe(true)
    expect(await filesContaining(home, SECRET_KEY)).toEqual([])
    expect(await filesContaining(out, SECRET_KEY, true)).toEqual([])
    expect(await filesContaining(cwd, SECRET_KEY)).toEqual([])
  }, TEST_TIMEOUT)
})

describe('IMA_REDIS_URL: one budget for every ima mcp on that Redis', () => {
  let redis: RedisServer | undefined

  beforeAll(async () => {
    if (redisServerOnPath()) redis = await startRedisServer()
  }, TEST_TIMEOUT)

  afterAll(async () => {
    await redis?.stop()
  })

  it('two server processes share IMA_MAX_CREDITS: the second create that does not fit is refused, and never sent', async (context) => {
    if (!redis) {
      if (process.env.CI) throw new Error('redis-server is not on PATH: .ci/run installs it with apt-get install redis-server')
      context.skip()
      return
    }
    const env = mcpEnv(server, { IMA_MAX_CREDITS: '10', IMA_REDIS_URL: redis.url })
    const [first, second] = [await session(env), await session(env)]
    const createsBefore = createCount(server)
    const made = await first.call('generate_image', { prompt: 'shared budget one', model: 'gemini-3.1-flash-image', size: '1K' })
    expect(made.isError, textOf(made)).toBeFalsy()
    // 6 of the 10 points are spent through the first process: 6 more do not fit in the second.
    const refused = expectPlainError(await second.call('generate_image', { prompt: 'shared budget two', model: 'gemini-3.1-flash-image', size: '1K' }))
    expect(refused).toMatch(/more than the 4 the budget allows/)
    expect(createCount(server)).toBe(createsBefore + 1)
    expect(await second.waitForStderr(/shared through Redis/)).not.toContain(redis.url)
  }, TEST_TIMEOUT)
})

// The client left (or stopped the server) while a create was on its way: the process ended at once, and the charged
// task stayed a ref without an id in the journal, which get_image_task could never pick up.
describe('ima mcp, stopped with a create in flight', () => {
  it('lives until the late answer is journaled with its task id, and says so on stderr', async () => {
    const journal = join(root, 'detached', 'ima_tasks.jsonl')
    const leaving = await session(mcpEnv(server, { IMA_JOURNAL_PATH: journal }))
    server.injectFault({ path: CREATE_PATH, kind: 'delay', ms: 1_200 })
    try {
      const before = server.requests.length
      const call = leaving.call('generate_image', { prompt: 'a fox whose client left', model: 'gemini-3.1-flash-image' }).catch((error: unknown) => error)
      await expect.poll(() => server.requests.slice(before).some((request) => request.path === CREATE_PATH && request.status === 0), { timeout: 10_000, interval: 5 }).toBe(true)
      // The MCP client's close: stdin ends, SIGTERM after 2 s, SIGKILL 2 s later.
      await leaving.close()
      await call
      expect(leaving.stderr()).toMatch(/waiting up to \d+ s for the answer of 1 create\(s\) sent before the client left/)
      expect(leaving.stderr()).toContain('every answer arrived and is journaled')
      const entries = (await readFile(journal, 'utf8')).split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as { state: string; taskId?: string })
      expect(entries.at(-1)).toMatchObject({ state: 'created', taskId: server.tasks.at(-1)?.id })
    } finally {
      server.clearFaults()
    }
  }, TEST_TIMEOUT)
})
