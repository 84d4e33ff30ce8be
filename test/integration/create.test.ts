import { describe, expect, it } from 'vitest'
import { ValidationError, type TaskType } from 'ima-open-sdk'
import { rejectionOf, useImaServer } from './harness.js'

const ima = useImaServer()
const INPUT = 'https://cdn.example.com/input.png'

/** Model × size → what the service must receive (protocol §6; the local catalog). */
const SIZES: Array<{ taskType: TaskType; model: string; size: string; attributeId: number; credit: number; sent: string }> = [
  { taskType: 'text_to_image', model: 'gemini-3.1-flash-image', size: '512px', attributeId: 4400, credit: 4, sent: '512px' },
  { taskType: 'text_to_image', model: 'gemini-3.1-flash-image', size: '1k', attributeId: 4401, credit: 6, sent: '1K' },
  { taskType: 'text_to_image', model: 'gemini-3.1-flash-image', size: '2K', attributeId: 4402, credit: 10, sent: '2K' },
  { taskType: 'text_to_image', model: 'gemini-3.1-flash-image', size: '4k', attributeId: 4403, credit: 13, sent: '4K' },
  { taskType: 'text_to_image', model: 'gemini-3-pro-image', size: '1K', attributeId: 2399, credit: 10, sent: '1K' },
  { taskType: 'text_to_image', model: 'gemini-3-pro-image', size: '2k', attributeId: 2400, credit: 10, sent: '2K' },
  { taskType: 'text_to_image', model: 'gemini-3-pro-image', size: '4K', attributeId: 2401, credit: 18, sent: '4K' },
  { taskType: 'text_to_image', model: 'midjourney', size: '480P', attributeId: 5451, credit: 8, sent: '480p' },
  { taskType: 'text_to_image', model: 'midjourney', size: '720p', attributeId: 5452, credit: 10, sent: '720p' },
  { taskType: 'text_to_image', model: 'doubao-seedream-4.5', size: '2K', attributeId: 2341, credit: 5, sent: '2k' },
  { taskType: 'text_to_image', model: 'doubao-seedream-4.5', size: '4k', attributeId: 2341, credit: 5, sent: '4k' },
  { taskType: 'image_to_image', model: 'gemini-3.1-flash-image', size: '512PX', attributeId: 4404, credit: 4, sent: '512px' },
  { taskType: 'image_to_image', model: 'gemini-3.1-flash-image', size: '4K', attributeId: 4407, credit: 13, sent: '4K' },
  { taskType: 'image_to_image', model: 'gemini-3-pro-image', size: '4K', attributeId: 2404, credit: 10, sent: '4K' },
  { taskType: 'image_to_image', model: 'midjourney', size: '720p', attributeId: 5454, credit: 10, sent: '720p' },
  { taskType: 'image_to_image', model: 'doubao-seedream-4.5', size: '4k', attributeId: 1611, credit: 5, sent: '4k' },
]

/** Defaults: no size given → the form default and the rule it selects. */
const DEFAULTS: Array<{ model: string; attributeId: number; credit: number; sent: string }> = [
  { model: 'doubao-seedream-4.5', attributeId: 2341, credit: 5, sent: '2048x2048' },
  { model: 'gemini-3.1-flash-image', attributeId: 4401, credit: 6, sent: '1K' },
  { model: 'gemini-3-pro-image', attributeId: 2399, credit: 10, sent: '1K' },
  { model: 'midjourney', attributeId: 5451, credit: 8, sent: '480p' },
]

const SEEDREAM_RATIOS: Record<string, string> = {
  '1:1': '2048x2048',
  '16:9': '2560x1440',
  '9:16': '1440x2560',
  '4:3': '2304x1728',
  '3:4': '1728x2304',
  '2:3': '1664x2496',
  '3:2': '2496x1664',
  '21:9': '3024x1296',
}

function lastAccepted() {
  const task = ima.server.tasks.at(-1)
  if (!task) throw new Error('the server accepted no task')
  return task
}

describe('tasks.create over HTTP', () => {
  it.each(SIZES)('$taskType $model size $size → attribute $attributeId, $credit points, size "$sent"', async (row) => {
    const task = await ima.client().tasks.create({
      taskType: row.taskType,
      model: row.model,
      prompt: 'a red fox in the snow',
      size: row.size,
      inputImages: row.taskType === 'image_to_image' ? [INPUT] : undefined,
    })
    const received = lastAccepted()
    expect(received.id).toBe(task.id)
    expect(task).toMatchObject({ taskType: row.taskType, attributeId: row.attributeId, credit: row.credit, size: row.sent, n: 1 })
    expect(received).toMatchObject({ attributeId: row.attributeId, credit: row.credit, charged: row.credit, taskType: row.taskType })
    expect(received.parameters).toMatchObject({ size: row.sent, prompt: 'a red fox in the snow', n: 1, cast: { points: row.credit, attribute_id: row.attributeId } })
    expect(received.body).toEqual(task.body)
    if (row.taskType === 'image_to_image') {
      expect(received.inputImages).toEqual([INPUT])
      expect((received.body as { src_img_url: string[] }).src_img_url).toEqual([INPUT])
    }
  })

  it.each(DEFAULTS)('$model with no size → the form default "$sent" ($attributeId, $credit points)', async (row) => {
    const task = await ima.client().tasks.create({ model: row.model, prompt: 'a lighthouse' })
    expect(task).toMatchObject({ attributeId: row.attributeId, credit: row.credit, size: row.sent })
    expect(lastAccepted().parameters.size).toBe(row.sent)
  })

  it.each(Object.entries(SEEDREAM_RATIOS))('SeeDream ratio %s → size %s through the live mapping', async (ratio, size) => {
    const task = await ima.client().tasks.create({ model: 'doubao-seedream-4.5', prompt: 'a wide valley', aspectRatio: ratio })
    expect(task.size).toBe(size)
    expect(lastAccepted().parameters).not.toHaveProperty('aspect_ratio')
    expect(lastAccepted().parameters.size).toBe(size)
  })

  it.each(['16:9', '9:16', '4:3', '3:4'])('Nano Banana sends ratio %s natively', async (ratio) => {
    await ima.client().tasks.create({ model: 'gemini-3-pro-image', prompt: 'a wide valley', size: '2K', aspectRatio: ratio })
    expect(lastAccepted().parameters).toMatchObject({ aspect_ratio: ratio, size: '2K' })
    expect(lastAccepted().attributeId).toBe(2400)
  })

  it('uses the version asked for instead of the newest', async () => {
    const task = await ima.client().tasks.create({ model: 'gemini-3.1-flash-image', versionId: 'gemini-3.1-flash-image-exp-0826', prompt: 'x', size: '2K' })
    expect(task.model.version).toBe('gemini-3.1-flash-image-exp-0826')
    expect(lastAccepted()).toMatchObject({ modelVersion: 'gemini-3.1-flash-image-exp-0826', attributeId: 4302 })
  })

  it('charges n images', async () => {
    const before = ima.server.balance(ima.server.apiKey)
    await ima.client().tasks.create({ model: 'gemini-3.1-flash-image', prompt: 'four cats', size: '512px', n: 3 })
    expect(lastAccepted()).toMatchObject({ n: 3, charged: 12 })
    expect(ima.server.balance(ima.server.apiKey)).toBe(before - 12)
  })

  it('takes a ratio in other terms as the same shape: 7:3 is 21:9', async () => {
    const task = await ima.client().tasks.create({ model: 'doubao-seedream-4.5', prompt: 'a banner', aspectRatio: '7:3' })
    expect(task.taskType).toBe('text_to_image')
    expect(ima.server.tasks.at(-1)?.parameters).toMatchObject({ size: '3024x1296' })
  })

  it('takes a name set to undefined as no value: spreading an object with an empty optional field still creates', async () => {
    const extra: Record<string, unknown> = { sise: undefined }
    const task = await ima.client().tasks.create({ model: 'gemini-3-pro-image', prompt: 'x', ...extra })
    expect(task.id).toMatch(/^task_/)
  })

  it('infers image_to_image from input images', async () => {
    const task = await ima.client().tasks.create({ model: 'doubao-seedream-4.5', prompt: 'as an oil painting', inputImages: [INPUT] })
    expect(task.taskType).toBe('image_to_image')
    expect(lastAccepted().attributeId).toBe(1611)
  })

  it.each([
    [{ model: 'gemini-3-pro-image', prompt: 'x', size: '8K' }, 'size', 'No model makes 8K images: 4K is the most'],
    [{ model: 'gemini-3-pro-image', prompt: 'x', size: '3K' }, 'size', 'choose one of 1K, 2K, 4K'],
    [{ model: 'midjourney', prompt: 'x', aspectRatio: '16:9' }, 'aspectRatio', 'Midjourney makes 1:1 images only'],
    [{ model: 'doubao-seedream-4.5', prompt: 'x', aspectRatio: '7:2' }, 'aspectRatio', 'the nearest is 21:9'],
    [{ model: 'doubao-seedream-4.5', prompt: 'x', aspectRatio: '16:9', size: '4k' }, 'aspect_ratio', 'not both'],
    [{ model: 'gemini-3-pro-image', prompt: '   ' }, 'prompt', 'must not be empty'],
    [{ model: 'gemini-3-pro-image', prompt: 42 as unknown as string }, 'prompt', 'prompt: must be text'],
    [{ model: 'gemini-3-pro-image' } as unknown as { prompt: string }, 'prompt', 'prompt: is required'],
    [{ model: 'gemini-3-pro-image', prompt: 'x', n: 0 }, 'n', 'at least 1'],
    [{ taskType: 'image_to_image' as const, model: 'gemini-3-pro-image', prompt: 'x' }, 'inputImages', 'at least one'],
    [{ model: 'gemini-3-pro-image', prompt: 'x', inputImages: ['http://example.com/a.png'] }, 'inputImages.0', 'https'],
    [{ model: 'gemini-3-pro-image', prompt: 'x', params: { prompt: 'y' } }, 'params.prompt', 'params cannot set prompt'],
    // The size and ratio choose the credit rule: in params they were overwritten by the default size without a word.
    [{ model: 'gemini-3-pro-image', prompt: 'x', params: { size: '4K' } }, 'params.size', 'params cannot set size: use the size option instead — it chooses the credit rule'],
    [{ model: 'gemini-3-pro-image', prompt: 'x', params: { aspect_ratio: '9:16', size: '2K' } }, 'params.aspect_ratio', 'params cannot set aspect_ratio, size: use the aspectRatio and size options instead'],
    // Names the SDK does not take: dropped, each would pay for a picture nobody asked for.
    [{ model: 'gemini-3-pro-image', prompt: 'x', sise: '4K' }, 'sise', 'Unknown task parameter sise (did you mean size?)'],
    [{ model: 'doubao-seedream-4.5', prompt: 'x', aspect_ratio: '16:9' }, 'aspect_ratio', '(did you mean aspectRatio?)'],
    [{ model: 'doubao-seedream-4.5', prompt: 'x', ratio: '16:9' }, 'ratio', '(did you mean aspectRatio?)'],
    [{ model: 'gemini-3-pro-image', prompt: 'x', negative_prompt: 'blur' }, 'negative_prompt', 'put it in params: { negative_prompt: … }'],
    [{ model: 'gemini-3-pro-image', prompt: 'x', signal: new AbortController().signal }, 'signal', 'pass it in the options argument'],
  ])('refuses %j before creating anything', async (params, path, hint) => {
    const before = ima.server.tasks.length
    const error = await rejectionOf(ima.client().tasks.create(params))
    expect(error).toBeInstanceOf(ValidationError)
    const issues = (error as ValidationError).issues
    expect(issues.some((issue) => issue.path.startsWith(path))).toBe(true)
    expect(error.message).toContain(hint)
    expect(ima.server.tasks.length).toBe(before)
  })
})

describe('the options argument', () => {
  const create = (o: object) => ima.client().tasks.create({ model: 'NB Pro', prompt: 'x', size: '4K' }, o)
  const quote = (o: object) => ima.client().tasks.quote({ model: 'NB Pro', prompt: 'x' }, o)
  const generate = (o: object) => ima.client().generate({ model: 'NB Pro', prompt: 'x' }, o)
  const get = (o: object) => ima.client().tasks.get('task_1', o)
  // A name in the wrong argument was dropped: `{ maxCredits: 5 }` as options paid 18 points for a 4K picture.
  it.each([
    ['tasks.create', { maxCredits: 5 }, create, 'options.maxCredits', 'maxCredits is a parameter: pass it in the first argument, tasks.create({ …, maxCredits })'],
    ['tasks.quote', { size: '4K' }, quote, 'options.size', 'size is a parameter'],
    ['generate', { timeoutMs: 500 }, generate, 'options.timeoutMs', 'pass it in the first argument, generate({ …, timeoutMs })'],
    ['generate', { maxCredits: 5, sigal: undefined, maxRetry: 1 }, generate, 'options.maxRetry', 'maxRetry (did you mean maxRetries?)'],
    ['tasks.get', { timout: 1_000 }, get, 'options.timout', 'Unknown option timout (did you mean timeout?) of tasks.get'],
  ] as const)('%s refuses the options %j before sending anything', async (_call, options, call, path, hint) => {
    const [tasks, requests] = [ima.server.tasks.length, ima.server.requests.length]
    const error = await rejectionOf(call(options))
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).issues.map((issue) => issue.path)).toContain(path)
    expect(error.message).toContain(hint)
    expect(error.message).toContain('nothing was sent')
    expect(ima.server.tasks.length).toBe(tasks)
    expect(ima.server.requests.length).toBe(requests)
  })

  it('takes every RequestOptions name, and names set to undefined', async () => {
    const task = await ima.client().tasks.create({ model: 'NB Pro', prompt: 'x' }, { signal: undefined, timeout: 10_000, maxRetries: 1 })
    await expect(ima.client().tasks.get(task, { timeout: 5_000 })).resolves.toMatchObject({ id: task.id })
  })
})
