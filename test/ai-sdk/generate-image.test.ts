/**
 * `ima-open-sdk/ai-sdk` through `generateImage` from `ai` 6, over real HTTP
 * against the local IMA server: sizes, ratios, n, files, provider options,
 * the bytes, the metadata, warnings, create safety and cancellation.
 */
import { generateImage } from 'ai'
import { BudgetExceededError, CreateOutcomeUnknownError, ImaClient, ValidationError } from 'ima-open-sdk'
import { startImaServer, type ImaServer } from 'ima-open-sdk/testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { decodePng } from '../../src/testing/png-decode.js'
import { encodePng } from '../../src/testing/png.js'
import { createIma, type ImaImageMetadata, type ImaProvider } from '../../src/ai-sdk/index.js'

let server: ImaServer
let provider: ImaProvider

beforeAll(async () => {
  server = await startImaServer({ taskDurationMs: 200 })
  provider = createIma({ client: new ImaClient(server.clientOptions) })
})
afterAll(async () => {
  await server.close()
})
beforeEach(() => {
  server.reset()
})

const lastTask = () => {
  const task = server.tasks.at(-1)
  if (!task) throw new Error('the server recorded no task')
  return task
}
const creates = () => server.requests.filter((request) => request.path === '/open/v1/tasks/create').length
const metadataOf = (result: { providerMetadata: Record<string, unknown> }) => result.providerMetadata.ima as ImaImageMetadata

describe('generateImage with an IMA model', () => {
  it.each([
    ['doubao-seedream-4.5', '2048x2048', 'doubao-seedream-4.5', '2k'],
    ['gemini-3.1-flash-image', '1024x1024', 'gemini-3.1-flash-image', '1K'],
    ['gemini-3-pro-image', '4096x4096', 'gemini-3-pro-image', '4K'],
    ['midjourney', '1024x1024', 'midjourney', '720p'],
    // The ids other AI SDK providers use for the same models.
    ['seedream-4-5-251128', '2048x2048', 'doubao-seedream-4.5', '2k'],
    ['gemini-3.1-flash-image-preview', '512x512', 'gemini-3.1-flash-image', '512px'],
    ['gemini-3-pro-image-preview', '2048x2048', 'gemini-3-pro-image', '2K'],
    ['NB Pro', '1000x1000', 'gemini-3-pro-image', '1K'],
  ] as const)('%s with size %s: the nearest offered size', async (modelId, size, imaModel, sent) => {
    const result = await generateImage({ model: provider.image(modelId), prompt: 'a red fox', size, maxRetries: 0 })
    expect(result.images).toHaveLength(1)
    const task = lastTask()
    expect(task.modelId).toBe(imaModel)
    expect(task.parameters.size).toBe(sent)
    expect(result.responses[0]?.modelId).toBe(imaModel)
  })

  it('says when a pixel size is only approximated', async () => {
    const result = await generateImage({ model: provider.image('MJ'), prompt: 'a castle', size: '1024x1024', maxRetries: 0 })
    expect(result.warnings).toEqual([expect.objectContaining({ type: 'compatibility', feature: 'size' })])
    const exact = await generateImage({ model: provider.image('NB Pro'), prompt: 'a castle', size: '2048x2048', maxRetries: 0 })
    expect(exact.warnings).toEqual([])
  })

  it('turns a non-square size into the nearest size and ratio on a native model', async () => {
    const result = await generateImage({ model: provider.image('NB2'), prompt: 'a coast', size: '1792x1024', maxRetries: 0 })
    expect(lastTask().parameters).toMatchObject({ size: '2K', aspect_ratio: '16:9' })
    expect(result.warnings).toEqual([expect.objectContaining({ type: 'compatibility', feature: 'size' })])
  })

  it('maps aspectRatio on SeeDream through its virtual size (checked in the body the server received)', async () => {
    const result = await generateImage({ model: provider.image('doubao-seedream-4.5'), prompt: 'a coast', aspectRatio: '16:9', maxRetries: 0 })
    const body = lastTask().body as { parameters: { parameters: Record<string, unknown> }[] }
    expect(body.parameters[0]?.parameters.size).toBe('2560x1440')
    expect(result.warnings).toEqual([])
    expect(server.warnings).toEqual([])
  })

  it('says a pixel size on SeeDream was sent as its aspect ratio, at the size the model makes for it', async () => {
    const result = await generateImage({ model: provider.image('doubao-seedream-4.5'), prompt: 'a coast', size: '1024x768', maxRetries: 0 })
    const body = lastTask().body as { parameters: { parameters: Record<string, unknown> }[] }
    expect(body.parameters[0]?.parameters.size).toBe('2304x1728')
    expect(result.warnings).toEqual([
      { type: 'compatibility', feature: 'size', details: 'SeeDream 4.5 sets its pixel size from the aspect ratio: 1024x768 was sent as aspect ratio 4:3, at the size the model makes for it' },
    ])
  })

  it('sends aspectRatio natively on Nano Banana', async () => {
    await generateImage({ model: provider.image('gemini-3-pro-image'), prompt: 'a tower', aspectRatio: '9:16', maxRetries: 0 })
    expect(lastTask().parameters.aspect_ratio).toBe('9:16')
  })

  it('refuses a ratio the model cannot make with the SDK error, before any create', async () => {
    const error = await generateImage({ model: provider.image('MJ'), prompt: 'a tower', aspectRatio: '16:9', maxRetries: 0 }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ValidationError)
    expect(creates()).toBe(0)
  })

  it('n: 2 is one task with n: 2, two images and two metadata entries', async () => {
    const result = await generateImage({ model: provider.image('NB2'), prompt: 'two foxes', n: 2, maxRetries: 0 })
    expect(server.tasks).toHaveLength(1)
    expect(lastTask().n).toBe(2)
    expect(result.images).toHaveLength(2)
    const images = metadataOf(result).images
    expect(images).toHaveLength(2)
    expect(new Set(images.map((image) => image.url)).size).toBe(2)
  })

  it('a larger n than one task makes becomes several tasks, and the client budget holds across them', async () => {
    const result = await generateImage({ model: provider.image('MJ'), prompt: 'six castles', n: 6, maxRetries: 0 })
    expect(result.images).toHaveLength(6)
    expect(server.tasks.map((task) => task.n).sort()).toEqual([2, 4])
    server.reset()
    // 480p Midjourney: 8 points an image; 4 + 2 images cost 48, more than the 40 allowed.
    // The 4 made are paid for: they are returned, and a warning says the other 2 were refused by the budget.
    const cappedClient = new ImaClient({ ...server.clientOptions, maxCredits: 40 })
    const capped = createIma({ client: cappedClient })
    const partial = await generateImage({ model: capped.image('MJ'), prompt: 'six castles', n: 6, maxRetries: 0 })
    expect(partial.images).toHaveLength(4)
    expect(creates()).toBe(1)
    expect(cappedClient.creditsSpent).toBe(32)
    const taskId = server.tasks[0]?.id
    expect(partial.warnings).toContainEqual({ type: 'other', message: expect.stringMatching(new RegExp(`^4 of 6 images were made and are returned \\(task ${taskId}\\); the others were not: .*budget`)) })
    expect(metadataOf(partial).images.map((image) => image.taskId)).toEqual([taskId, taskId, taskId, taskId])
  })

  // The size planning quoted n: 6 as one task, so n above 4 with a pixel size always failed with "n: must be at most 4".
  it('n above 4 with a pixel size plans the size per task and makes every image', async () => {
    const result = await generateImage({ model: provider.image('NB Pro'), prompt: 'six foxes', n: 6, size: '1024x1024', maxRetries: 0 })
    expect(result.images).toHaveLength(6)
    expect(server.tasks.map((task) => task.n).sort()).toEqual([2, 4])
  })

  it('the provider shows its client, where the journal finds what a call paid for', async () => {
    const client = new ImaClient(server.clientOptions)
    const shared = createIma({ client })
    expect(shared.client).toBe(client)
    await generateImage({ model: shared.image('MJ'), prompt: 'a journaled castle', maxRetries: 0 })
    expect((await shared.client.tasks.recent()).map((entry) => entry.state)).toEqual(['succeeded'])
    const own = createIma({ apiKey: server.apiKey, baseURL: server.url, uploadBaseURL: server.uploadURL })
    expect(own.client).toBe(own.client)
    expect(own.client.baseURL).toBe(server.url)
    const keyless = createIma({ baseURL: server.url })
    const previous = process.env.IMA_API_KEY
    delete process.env.IMA_API_KEY
    try {
      expect(() => keyless.client).toThrow(/No API key for the IMA provider/)
    } finally {
      if (previous !== undefined) process.env.IMA_API_KEY = previous
    }
  })

  it('a refusal of the first task sends nothing more: no later task is created and charged unseen', async () => {
    // Each task capped at 20 points: the first (4 images, 32) is refused, the second (2 images, 16) would fit.
    const client = new ImaClient(server.clientOptions)
    const error = await generateImage({ model: createIma({ client }).image('MJ'), prompt: 'six castles', n: 6, providerOptions: { ima: { maxCredits: 20 } }, maxRetries: 0 }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(BudgetExceededError)
    // Before, the AI SDK ran the second task beside the first: it was being created as the call failed.
    expect(await client.tasks.recent()).toEqual([])
    expect(creates()).toBe(0)
  })

  it('files as bytes: the PNG is uploaded and the task is image_to_image', async () => {
    const png = new Uint8Array(encodePng(8, 8, new Uint8Array(8 * 8 * 3).fill(200)))
    const result = await generateImage({ model: provider.image('NB Pro'), prompt: { text: 'make it blue', images: [png] }, maxRetries: 0 })
    expect(server.uploads).toHaveLength(1)
    const task = lastTask()
    expect(task.taskType).toBe('image_to_image')
    expect(task.inputImages).toHaveLength(1)
    expect(task.inputImages[0]).toContain(server.uploads[0]?.id)
    expect(result.images).toHaveLength(1)
  })

  it('files as base64 are decoded and uploaded; URL files are passed as URLs', async () => {
    const png = new Uint8Array(encodePng(4, 4, new Uint8Array(4 * 4 * 3).fill(90)))
    const base64 = Buffer.from(png).toString('base64')
    const model = provider.image('NB2')
    await model.doGenerate({ prompt: 'edit', n: 1, size: undefined, aspectRatio: undefined, seed: undefined, mask: undefined, providerOptions: {}, files: [{ type: 'file', mediaType: 'image/png', data: base64 }] })
    expect(server.uploads).toHaveLength(1)
    expect(Buffer.from(server.uploads[0]?.bytes ?? []).equals(Buffer.from(png))).toBe(true)
    await generateImage({ model, prompt: { text: 'edit', images: ['https://example.com/cat.png'] }, maxRetries: 0 })
    expect(server.uploads).toHaveLength(1)
    expect(lastTask().inputImages).toEqual(['https://example.com/cat.png'])
  })

  it('providerOptions.ima.size: 4K is sent as IMA names it, and billed as such', async () => {
    const result = await generateImage({ model: provider.image('NB Pro'), prompt: 'a fox', providerOptions: { ima: { size: '4K' } }, maxRetries: 0 })
    expect(lastTask().parameters.size).toBe('4K')
    expect(lastTask().credit).toBe(18)
    expect(metadataOf(result).images[0]?.credit).toBe(18)
  })

  it('refuses unknown or mistyped provider options before anything is sent', async () => {
    const error = await generateImage({ model: provider.image('NB Pro'), prompt: 'a fox', providerOptions: { ima: { sise: '4K' } }, maxRetries: 0 }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ValidationError)
    expect(String((error as Error).message)).toMatch(/sise/)
    expect(server.requests).toHaveLength(0)
  })

  it('returns the bytes of the PNG the server made, and the URL, task id and credit in providerMetadata.ima', async () => {
    const result = await generateImage({ model: provider.image('NB2'), prompt: 'a lighthouse', maxRetries: 0 })
    const task = lastTask()
    // generateImage keeps only providerMetadata.ima.images when it merges calls: each image carries its task and credit.
    const image = metadataOf(result).images[0]
    expect(image).toMatchObject({ taskId: task.id, credit: task.credit })
    const downloaded = new Uint8Array(await (await fetch(image?.url ?? '')).arrayBuffer())
    expect(Buffer.from(result.image.uint8Array).equals(Buffer.from(downloaded))).toBe(true)
    expect(result.image.mediaType).toBe('image/png')
    const decoded = decodePng(result.image.uint8Array)
    expect(decoded.width).toBe(image?.width)
    expect(decoded.height).toBe(image?.height)
  })

  it('one doGenerate answers with the whole task in providerMetadata.ima', async () => {
    const direct = await provider.image('NB Pro').doGenerate({ prompt: 'a fox', n: 2, size: undefined, aspectRatio: undefined, seed: undefined, files: undefined, mask: undefined, providerOptions: { ima: { size: '4K' } } })
    const task = lastTask()
    expect(direct.providerMetadata?.ima).toMatchObject({ taskId: task.id, credit: 18, totalCredit: 36, attributeId: task.attributeId, model: { id: 'gemini-3-pro-image', name: 'Nano Banana Pro', version: task.modelVersion } })
    expect(direct.images).toHaveLength(2)
    expect(direct.response.modelId).toBe('gemini-3-pro-image')
    expect(direct.response.timestamp.getTime()).toBeGreaterThan(Date.now() - 60_000)
  })

  it('warns about seed and mask instead of ignoring them silently', async () => {
    const png = new Uint8Array(encodePng(4, 4, new Uint8Array(4 * 4 * 3)))
    const seeded = await generateImage({ model: provider.image('NB2'), prompt: 'a fox', seed: 42, maxRetries: 0 })
    expect(seeded.warnings).toContainEqual(expect.objectContaining({ type: 'unsupported', feature: 'seed' }))
    const masked = await generateImage({ model: provider.image('NB2'), prompt: { text: 'a fox', images: [png], mask: png }, maxRetries: 0 })
    expect(masked.warnings).toContainEqual(expect.objectContaining({ type: 'unsupported', feature: 'mask' }))
  })
})

describe('create safety', () => {
  it.each([
    ['maxRetries: 0', 0],
    ["generateImage's default maxRetries", undefined],
  ])('a create reset after the server recorded it is not re-sent (%s), and the error is the SDK’s', async (_name, maxRetries) => {
    server.injectFault({ path: '/open/v1/tasks/create', kind: 'reset-after' })
    const error = await generateImage({ model: provider.image('MJ'), prompt: 'a castle', ...(maxRetries === undefined ? {} : { maxRetries }) }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(CreateOutcomeUnknownError)
    expect(server.tasks).toHaveLength(1)
    expect(creates()).toBe(1)
  })
})

describe('what was paid for is returned or named, never dropped unseen', () => {
  /** A provider with its own client (listeners of one test stay there), calling and downloading through `fetch`. */
  const providerWith = (fetch: typeof globalThis.fetch = globalThis.fetch) => {
    const ima = createIma({ apiKey: server.apiKey, baseURL: server.url, uploadBaseURL: server.uploadURL, pollIntervalMs: server.clientOptions.pollIntervalMs, fetch })
    return { client: ima.client, ima }
  }

  it('a task that made fewer images than it was charged for says so', async () => {
    const { client, ima } = providerWith()
    client.on('task.created', ({ task }) => {
      const media = (index: number) => ({ resource_status: 1, status: 'success', url: `${server.url}/files/${task.id}/${index}.png`, format: 'png', width: 1024, height: 1024 })
      const body = JSON.stringify({ code: 0, message: 'success', data: { id: task.id, medias: [media(0), media(1)] } })
      server.injectFault({ path: '/open/v1/tasks/detail', kind: 'malformed', status: 200, body, times: 50 })
    })
    const result = await generateImage({ model: ima.image('NB2'), prompt: 'four foxes, two came', n: 4, maxRetries: 0 })
    expect(result.images).toHaveLength(2)
    const task = lastTask()
    expect(result.warnings).toContainEqual({ type: 'other', message: `task ${task.id} made 2 of the 4 images it was charged for (${task.charged} credits); only those are returned` })
  })

  it('n: 6, one image that cannot be downloaded: the other five are returned, the warning names its own task; none readable names that task', async () => {
    const secondTask = () => server.tasks.find((task) => task.n === 2)?.id ?? 'none'
    const { ima } = providerWith(async (input, init) => {
      const url = String(input)
      return url.includes(`/files/${secondTask()}/`) && url.endsWith('1.png') ? new Response('gone', { status: 404 }) : fetch(input, init)
    })
    const result = await generateImage({ model: ima.image('NB2'), prompt: 'six foxes', n: 6, maxRetries: 0 })
    expect(result.images).toHaveLength(5)
    expect(metadataOf(result).images).toHaveLength(5)
    const warning = result.warnings.find((entry) => entry.type === 'other' && entry.message.includes('could not be downloaded'))
    expect(warning && 'message' in warning ? warning.message : '').toMatch(new RegExp(`^an image of task ${secondTask()} could not be downloaded and is left out \\(it is paid for: read the task again for a fresh URL\\): Download of \\S+ failed with HTTP 404`))

    const { ima: broken } = providerWith(async (input, init) => (String(input).endsWith('.png') ? new Response('gone', { status: 404 }) : fetch(input, init)))
    const error = (await generateImage({ model: broken.image('NB2'), prompt: 'one fox', maxRetries: 0 }).catch((caught: unknown) => caught)) as Error & { taskId?: string }
    expect(error).toMatchObject({ code: 'download_failed', taskId: lastTask().id })
  })

  it('n: 6, the answer to the second create lost: the first four are returned, and the warning says the others may be charged', async () => {
    const { client, ima } = providerWith()
    let armed = false
    client.on('task.created', () => {
      if (armed) return
      armed = true
      server.injectFault({ path: '/open/v1/tasks/create', kind: 'reset-after' })
    })
    const result = await generateImage({ model: ima.image('NB2'), prompt: 'six foxes, an answer lost', n: 6, maxRetries: 0 })
    expect(result.images).toHaveLength(4)
    expect(server.tasks).toHaveLength(2)
    const [first, second] = server.tasks
    const ref = (await client.tasks.recent()).find((entry) => entry.state === 'unknown')?.ref
    expect(result.warnings).toContainEqual({
      type: 'other',
      message: `4 of 6 images were made and are returned (task ${first?.id}); the answer to the create of the others was lost, so they may have been made and charged (${second?.charged} credits): do not order them again before checking; it is in the client's task journal as ${ref} (ima.client.tasks.recent())`,
    })
  })
})

describe('cancellation', () => {
  it('abortSignal rejects within 100 ms, while the task runs', async () => {
    const controller = new AbortController()
    const pending = generateImage({ model: provider.image('MJ'), prompt: 'a castle [never]', abortSignal: controller.signal, maxRetries: 0 }).catch((caught: unknown) => caught)
    // Abort once the wait is polling: the create's answer has then reached the client. A task the server
    // holds is not enough — its answer may still be on the way, and an abort then is rightly CreateOutcomeUnknownError.
    while (!server.requests.some((request) => request.path === '/open/v1/tasks/detail')) await new Promise((resolve) => setTimeout(resolve, 5))
    const abortedAt = performance.now()
    controller.abort()
    const error = (await pending) as Error
    const latencyMs = performance.now() - abortedAt
    expect(error.name).toBe('AbortError')
    expect(latencyMs).toBeLessThan(100)
  })

  it('an abort while the image downloads is the SDK AbortError naming the paid task, not the bare reason', async () => {
    let downloading: () => void = () => {}
    const started = new Promise<void>((resolve) => (downloading = resolve))
    // Result downloads hang until the call is aborted; every other request goes through.
    const slowDownloads: typeof fetch = async (input, init) => {
      if (!String(input).endsWith('.png')) return fetch(input, init)
      downloading()
      return new Promise<Response>((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason), { once: true }))
    }
    const slow = createIma({ apiKey: server.apiKey, baseURL: server.url, uploadBaseURL: server.uploadURL, fetch: slowDownloads })
    const controller = new AbortController()
    const pending = generateImage({ model: slow.image('MJ'), prompt: 'a castle', abortSignal: controller.signal, maxRetries: 0 }).catch((caught: unknown) => caught)
    await started
    controller.abort(new Error('user cancelled'))
    const error = (await pending) as Error & { taskId?: string }
    expect(error.name).toBe('AbortError')
    expect(error.message).toBe('The operation was aborted: user cancelled')
    expect(error.taskId).toBe(server.tasks.at(-1)?.id)
  })

  it('an already aborted signal sends nothing', async () => {
    const error = (await generateImage({ model: provider.image('MJ'), prompt: 'a castle', abortSignal: AbortSignal.abort(), maxRetries: 0 }).catch((caught: unknown) => caught)) as Error
    expect(error.name).toBe('AbortError')
    expect(creates()).toBe(0)
  })
})
