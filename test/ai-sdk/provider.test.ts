/** createIma's settings, the lazy default provider, and the agent tool, against the local server. */
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { generateImage, generateText, stepCountIs } from 'ai'
import { MockLanguageModelV3 } from 'ai/test'
import { CreateOutcomeUnknownError, ImaClient, ImaConfigError, TaskTimeoutError, ValidationError } from 'ima-open-sdk'
import { startImaServer, type ImaServer } from 'ima-open-sdk/testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createIma, imaImageTool, type ImaImageToolInput } from '../../src/ai-sdk/index.js'
import { forTheAgent } from '../../src/ai-sdk/tool.js'
import { ImaClient as NodeImaClient } from '../../src/node/index.js'
import { encodePng } from '../../src/testing/png.js'

let server: ImaServer
beforeAll(async () => {
  server = await startImaServer({ taskDurationMs: 200 })
})
afterAll(async () => {
  await server.close()
})
beforeEach(() => {
  server.reset()
})

describe('createIma', () => {
  it('connects with its own settings, and sends its headers to the API host only', async () => {
    const provider = createIma({ ...server.clientOptions, headers: { 'x-request-source': 'ai-sdk-test' } })
    const result = await generateImage({ model: provider.image('NB2'), prompt: 'a fox', maxRetries: 0 })
    expect(result.images).toHaveLength(1)
    const create = server.requests.find((request) => request.path === '/open/v1/tasks/create')
    expect(create?.headers['x-request-source']).toBe('ai-sdk-test')
    expect(server.requests.filter((request) => request.path.startsWith('/files/')).every((request) => request.headers['x-request-source'] === undefined)).toBe(true)
  })

  it('warns that per-call headers are not sent', async () => {
    const provider = createIma({ client: new ImaClient(server.clientOptions) })
    const result = await generateImage({ model: provider.image('NB2'), prompt: 'a fox', headers: { 'x-trace': '1' }, maxRetries: 0 })
    expect(result.warnings).toContainEqual(expect.objectContaining({ type: 'unsupported', feature: 'headers' }))
  })

  it('refuses a client together with connection settings', () => {
    expect(() => createIma({ client: new ImaClient(server.clientOptions), apiKey: 'ima_other' })).toThrow(ImaConfigError)
    expect(() => createIma({ client: new ImaClient(server.clientOptions), apiKey: 'ima_other' })).toThrow(/apiKey/)
  })

  it('refuses a setting it does not take, naming the one meant, and points a client option (a budget) to the client', () => {
    const refusal = (settings: object) => {
      try {
        createIma(settings as never)
        return undefined
      } catch (error) {
        return error
      }
    }
    const typo = refusal({ ...server.clientOptions, pollIntervalMS: 100 })
    expect(typo).toBeInstanceOf(ImaConfigError)
    expect(String(typo)).toMatch(/Unknown createIma setting pollIntervalMS \(did you mean pollIntervalMs\?\) — the settings are client, apiKey/)
    // Dropped, it would have left every generateImage without a budget.
    const budget = refusal({ ...server.clientOptions, maxCredits: 100 })
    expect(String(budget)).toMatch(/Unknown createIma setting maxCredits — .*maxCredits is an option of the client: createIma\(\{ client: new ImaClient\(\{ maxCredits: … \}\) \}\)/)
    expect(String(budget)).not.toContain(server.apiKey)
    // undefined passes, as everywhere in the SDK.
    expect(() => createIma({ ...server.clientOptions, maxImageBytes: undefined })).not.toThrow()
    expect(server.requests).toHaveLength(0)
  })

  it('without a key, says which variable to set on first use, not before', async () => {
    const saved = process.env.IMA_API_KEY
    delete process.env.IMA_API_KEY
    try {
      const provider = createIma({ baseURL: server.url })
      const model = provider.image('NB2')
      const error = await generateImage({ model, prompt: 'a fox', maxRetries: 0 }).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(ImaConfigError)
      expect((error as Error).message).toMatch(/IMA_API_KEY/)
      expect(server.requests).toHaveLength(0)
    } finally {
      if (saved !== undefined) process.env.IMA_API_KEY = saved
    }
  })

  it('importing the default provider reads no environment and never throws', () => {
    const script = `
      const env = process.env
      delete env.IMA_API_KEY
      let reads = 0
      process.env = new Proxy(env, { get(target, key) { if (key === 'IMA_API_KEY') reads += 1; return target[key] } })
      const { ima } = await import('./src/ai-sdk/index.ts')
      const model = ima.image('NB Pro')
      console.log(model.provider, model.modelId, model.maxImagesPerCall, reads)`
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: resolve(import.meta.dirname, '../..'), encoding: 'utf8', timeout: 30_000 })
    expect(child.stderr).toBe('')
    expect(child.stdout.trim()).toBe(`ima NB Pro ${Number.MAX_SAFE_INTEGER} 0`)
  }, 40_000)
})

/** A language model whose one step calls the tool `image` with `input`. */
function modelCallingImageTool(input: Record<string, unknown>): MockLanguageModelV3 {
  return new MockLanguageModelV3({
    doGenerate: async () => ({
      content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'image', input: JSON.stringify(input) }],
      finishReason: { unified: 'tool-calls', raw: undefined },
      usage: { inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined }, outputTokens: { total: 1, text: 1, reasoning: undefined } },
      warnings: [],
    }),
  })
}

describe('imaImageTool', () => {
  it('answers with the URL, the credits and the task id as text, never base64', async () => {
    const tool = imaImageTool({ client: new ImaClient(server.clientOptions), model: 'NB2' })
    const text = await tool.execute({ prompt: 'a red fox', n: 2 })
    const task = server.tasks.at(-1)
    expect(task?.n).toBe(2)
    expect(text).toContain(`Task id: ${task?.id}`)
    expect(text).toContain(`Credits: ${task?.charged}`)
    expect(text.match(/^URL \d: http\S+\.png$/gm)).toHaveLength(2)
    expect(text).not.toMatch(/base64|data:image|[A-Za-z0-9+/]{200}/)
  })

  it('refuses an option it does not take, naming the one meant: a mistyped maxCredits is not a tool without its budget', () => {
    const client = new ImaClient(server.clientOptions)
    expect(() => imaImageTool({ client, maxCredit: 10 } as never)).toThrow(ImaConfigError)
    expect(() => imaImageTool({ client, maxCredit: 10 } as never)).toThrow(/^Unknown imaImageTool option maxCredit \(did you mean maxCredits\?\)/)
    expect(() => imaImageTool({ client, maxCredits: undefined })).not.toThrow()
  })

  it('refuses an argument it does not take, creating nothing: called directly, a ValidationError; inside generateText, a tool error the model reads', async () => {
    const client = new ImaClient(server.clientOptions)
    const tool = imaImageTool({ client, model: 'NB2' })
    const before = server.tasks.length
    const direct = await tool.execute({ prompt: 'a wide fox', ratio: '16:9' } as ImaImageToolInput).catch((caught: unknown) => caught)
    expect(direct).toBeInstanceOf(ValidationError)
    expect((direct as ValidationError).message).toContain('ratio')
    const result = await generateText({ model: modelCallingImageTool({ prompt: 'a lighthouse', ratio: '16:9' }), tools: { image: tool }, prompt: 'draw a lighthouse', stopWhen: stepCountIs(1) })
    const failed = result.content.find((part) => part.type === 'tool-error')
    expect(failed, JSON.stringify(result.content)).toBeDefined()
    expect(String((failed as { error: unknown }).error)).toContain('ratio')
    expect(server.tasks.length).toBe(before)
  })

  it("never reads a local file the agent's model names: a path or file: URL is refused before anything is read, uploaded or created", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ima-tool-'))
    const png = join(dir, 'secret.png')
    await writeFile(png, encodePng(2, 2, new Uint8Array(2 * 2 * 3).fill(200)))
    // The Node client reads local paths for uploads: the tool must not hand it one.
    const tool = imaImageTool({ client: new NodeImaClient(server.clientOptions), model: 'NB2' })
    const before = { tasks: server.tasks.length, requests: server.requests.length }
    for (const image of [png, `file://${png}`, '../secret.png', 'http://example.com/a.png']) {
      const refused = await tool.execute({ prompt: 'edit this', inputImages: [image] }).catch((caught: unknown) => caught)
      expect(refused, image).toBeInstanceOf(ValidationError)
      expect((refused as ValidationError).message).toContain('must be an https URL: the tool reads no local files')
    }
    expect([server.tasks.length, server.requests.length]).toEqual([before.tasks, before.requests])
    await rm(dir, { recursive: true, force: true })
  })

  it('a picture that was or may have been charged tells the agent not to call again, never to try again', async () => {
    const client = new ImaClient({ ...server.clientOptions, maxRetries: 0 })
    const tool = imaImageTool({ client, model: 'NB2' })
    server.injectFault({ path: '/open/v1/tasks/create', kind: 'reset-after' })
    const lost = (await tool.execute({ prompt: 'a fox, answer lost' }).catch((caught: unknown) => caught)) as CreateOutcomeUnknownError
    expect(lost).toBeInstanceOf(CreateOutcomeUnknownError)
    const ref = (await client.tasks.recent()).find((entry) => entry.state === 'unknown')?.ref
    expect(lost).toMatchObject({ ref, totalCredit: server.tasks.at(-1)?.charged })
    expect(lost.message).toBe(
      `The picture was requested, but the answer was lost: it may have been made and charged (${server.tasks.at(-1)?.charged} credits). Do not call this tool again for this picture — tell the user it may already be on its way. (Journal ref ${ref}, for the app to look up.)`,
    )
    expect(lost.message).not.toMatch(/try again|tasks\.recent|UND_ERR|POST/)

    // A wait that ends before the task (the default deadline is minutes): the same words, by the same conversion.
    const late = forTheAgent(new TaskTimeoutError("Task t9 was not finished after 300 s of waiting. It may still finish: resume with ima.tasks.wait('t9')", { taskId: 't9', elapsedMs: 300_000 }))
    expect(late).toBeInstanceOf(TaskTimeoutError)
    expect(late).toMatchObject({
      taskId: 't9',
      message: 'The picture was ordered and charged (task t9) but was not finished after 300 s; it may still finish. Do not call this tool again for it — tell the user it is still being made (task t9).',
    })
    const refused = new ValidationError('size 8K is not offered', [])
    expect(forTheAgent(refused)).toBe(refused)
  })

  it('says when the task made fewer images than it was charged for', async () => {
    const client = new ImaClient(server.clientOptions)
    client.on('task.created', ({ task }) => {
      const media = { resource_status: 1, status: 'success', url: `${server.url}/files/${task.id}/0.png`, format: 'png', width: 1024, height: 1024 }
      server.injectFault({ path: '/open/v1/tasks/detail', kind: 'malformed', status: 200, body: JSON.stringify({ code: 0, message: 'success', data: { id: task.id, medias: [media] } }), times: 50 })
    })
    const text = await imaImageTool({ client, model: 'NB2' }).execute({ prompt: 'three foxes, one came', n: 3 })
    expect(text).toContain('Generated 1 image with')
    expect(text).toContain('Only 1 of the 3 images asked for came back; the task was charged for 3.')
  })

  it('runs inside generateText as a tool call', async () => {
    const client = new ImaClient(server.clientOptions)
    const result = await generateText({
      model: modelCallingImageTool({ prompt: 'a lighthouse', aspectRatio: '16:9' }),
      tools: { image: imaImageTool({ client, model: 'NB Pro' }) },
      prompt: 'draw a lighthouse',
      stopWhen: stepCountIs(1),
    })
    const output = result.toolResults[0]?.output
    expect(typeof output).toBe('string')
    expect(output).toContain(`Task id: ${server.tasks[0]?.id}`)
    expect(server.tasks[0]?.parameters.aspect_ratio).toBe('16:9')
  })
})
