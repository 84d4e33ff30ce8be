import { describe, expect, it } from 'vitest'
import {
  BudgetExceededError,
  CreateOutcomeUnknownError,
  BadRequestError,
  MemoryPreferenceStore,
  ModelNotFoundError,
  NANO_BANANA_SCOPE,
  ValidationError,
  type TaskType,
} from 'ima-open-sdk'
import { productListRewriter, rejectionOf, useImaServer, visitNodes } from './harness.js'

const ima = useImaServer()
const INPUT = 'https://cdn.example.com/input.png'

/** The protocol's table (§6): attribute id and points per model, task type and size. */
const PRICES: Record<TaskType, Record<string, Array<[size: string, attributeId: number, points: number]>>> = {
  text_to_image: {
    'doubao-seedream-4.5': [['2k', 2341, 5], ['4k', 2341, 5]],
    'gemini-3.1-flash-image': [['512px', 4400, 4], ['1K', 4401, 6], ['2K', 4402, 10], ['4K', 4403, 13]],
    'gemini-3-pro-image': [['1K', 2399, 10], ['2K', 2400, 10], ['4K', 2401, 18]],
    midjourney: [['480p', 5451, 8], ['720p', 5452, 10]],
  },
  image_to_image: {
    'doubao-seedream-4.5': [['2k', 1611, 5], ['4k', 1611, 5]],
    'gemini-3.1-flash-image': [['512px', 4404, 4], ['1K', 4405, 6], ['2K', 4406, 10], ['4K', 4407, 13]],
    'gemini-3-pro-image': [['1K', 2402, 10], ['2K', 2403, 10], ['4K', 2404, 10]],
    midjourney: [['480p', 5453, 8], ['720p', 5454, 10]],
  },
}
const NATIVE_RATIOS = ['1:1', '16:9', '9:16', '4:3', '3:4']
const SEEDREAM_RATIOS: Record<string, string> = {
  '1:1': '2048x2048', '16:9': '2560x1440', '9:16': '1440x2560', '4:3': '2304x1728',
  '3:4': '1728x2304', '2:3': '1664x2496', '3:2': '2496x1664', '21:9': '3024x1296',
}

interface Row { taskType: TaskType; model: string; size?: string; ratio?: string; attributeId: number; credit: number; sentSize: string; sentRatio?: string }
const ROWS: Row[] = []
for (const taskType of ['text_to_image', 'image_to_image'] as const) {
  const prices = PRICES[taskType]
  const seedream = prices['doubao-seedream-4.5']![0]!
  for (const [size, attributeId, credit] of prices['doubao-seedream-4.5']!) ROWS.push({ taskType, model: 'doubao-seedream-4.5', size: size.toUpperCase(), attributeId, credit, sentSize: size })
  for (const [ratio, sentSize] of Object.entries(SEEDREAM_RATIOS)) ROWS.push({ taskType, model: 'doubao-seedream-4.5', ratio, attributeId: seedream[1], credit: seedream[2], sentSize })
  for (const model of ['gemini-3.1-flash-image', 'gemini-3-pro-image']) {
    for (const [size, attributeId, credit] of prices[model]!) {
      for (const ratio of NATIVE_RATIOS) ROWS.push({ taskType, model, size: size.toLowerCase(), ratio, attributeId, credit, sentSize: size, sentRatio: ratio })
    }
  }
  for (const [size, attributeId, credit] of prices.midjourney!) ROWS.push({ taskType, model: 'midjourney', size: size.toUpperCase(), ratio: '1:1', attributeId, credit, sentSize: size })
}

function lastAccepted() {
  const task = ima.server.tasks.at(-1)
  if (!task) throw new Error('the server accepted no task')
  return task
}

const countRequests = (path: string) => ima.server.requests.filter((request) => request.path === path).length

describe('every model × size × task type × aspect ratio', () => {
  const client = () => ima.client()
  it.each(ROWS)('$taskType $model size=$size ratio=$ratio → $attributeId / $credit / "$sentSize"', async (row) => {
    const task = await client().tasks.create({
      taskType: row.taskType,
      model: row.model,
      prompt: 'a harbour at dawn',
      size: row.size,
      aspectRatio: row.ratio,
      inputImages: row.taskType === 'image_to_image' ? [INPUT] : undefined,
    })
    const received = lastAccepted()
    expect(received.id).toBe(task.id)
    expect(received).toMatchObject({ attributeId: row.attributeId, credit: row.credit, taskType: row.taskType })
    expect(received.parameters.size).toBe(row.sentSize)
    expect(received.parameters.cast).toEqual({ points: row.credit, attribute_id: row.attributeId })
    if (row.sentRatio) expect(received.parameters.aspect_ratio).toBe(row.sentRatio)
    else expect(received.parameters).not.toHaveProperty('aspect_ratio')
    expect(task).toMatchObject({ attributeId: row.attributeId, credit: row.credit, size: row.sentSize, totalCredit: row.credit })
  })
})

describe('model references, tiers and scopes', () => {
  it.each([
    ['NB Pro', 'gemini-3-pro-image'],
    ['nano banana pro', 'gemini-3-pro-image'],
    ['Nano Banana', 'gemini-3.1-flash-image'],
    ['香蕉', 'gemini-3.1-flash-image'],
    ['nb2', 'gemini-3.1-flash-image'],
    ['MJ', 'midjourney'],
    ['SeeDream', 'doubao-seedream-4.5'],
    ['seedream 4.5', 'doubao-seedream-4.5'],
    ['gemini-3-pro-image-preview', 'gemini-3-pro-image'],
    ['default', 'doubao-seedream-4.5'],
    ['budget', 'gemini-3.1-flash-image'],
    ['最便宜', 'gemini-3.1-flash-image'],
    ['premium', 'gemini-3-pro-image'],
    ['最好', 'gemini-3-pro-image'],
    ['artistic', 'midjourney'],
  ])('"%s" → %s', async (reference, modelId) => {
    const task = await ima.client().tasks.create({ model: reference, prompt: 'a fox' })
    expect(task.model.id).toBe(modelId)
    expect(lastAccepted().modelId).toBe(modelId)
  })

  it('the budget tier is the cheapest choice: Nano Banana2 at its cheapest size (512px, 4 points), unless a size is named', async () => {
    for (const reference of ['budget', '最便宜', 'cheapest']) {
      const task = await ima.client().tasks.create({ model: reference, prompt: 'a cheap fox' })
      expect([task.model.id, task.size, task.totalCredit]).toEqual(['gemini-3.1-flash-image', '512px', 4])
    }
    expect(await ima.client({ models: NANO_BANANA_SCOPE }).tasks.quote({ model: 'budget', prompt: 'a fox' })).toMatchObject({ size: '512px', totalCredit: 4 })
    // A size named stays; the model named by name keeps its default size.
    expect((await ima.client().tasks.create({ model: 'budget', prompt: 'a fox', size: '2K' })).size).toBe('2K')
    expect((await ima.client().tasks.create({ model: 'Nano Banana2', prompt: 'a fox' })).size).toBe('1K')
  })

  it('a version id selects that version, not the newest', async () => {
    const task = await ima.client().tasks.create({ model: 'gemini-3.1-flash-image-exp-0826', prompt: 'a fox' })
    expect(task.model.version).toBe('gemini-3.1-flash-image-exp-0826')
    expect(lastAccepted().modelVersion).toBe('gemini-3.1-flash-image-exp-0826')
  })

  it('an unknown model lists close matches, before any create', async () => {
    const before = countRequests('/open/v1/tasks/create')
    const error = await rejectionOf(ima.client().tasks.create({ model: 'nano bananna pro', prompt: 'a fox' }))
    expect(error).toBeInstanceOf(ModelNotFoundError)
    expect(error.message).toContain('did you mean Nano Banana Pro (gemini-3-pro-image)')
    expect((error as ModelNotFoundError).suggestions[0]).toBe('gemini-3-pro-image')
    expect(countRequests('/open/v1/tasks/create')).toBe(before)
  })

  it('the Nano Banana scope defaults to Nano Banana2 and refuses other models and tiers before any create', async () => {
    const client = ima.client({ models: NANO_BANANA_SCOPE })
    expect((await client.tasks.create({ prompt: 'a fox' })).model.id).toBe('gemini-3.1-flash-image')
    expect((await client.tasks.create({ model: 'premium', prompt: 'a fox' })).model.id).toBe('gemini-3-pro-image')
    const before = countRequests('/open/v1/tasks/create')
    const outside = await rejectionOf(client.tasks.create({ model: 'MJ', prompt: 'a fox' }))
    expect(outside).toBeInstanceOf(ValidationError)
    expect(outside.message).toContain("outside this client's models")
    expect((await rejectionOf(client.tasks.create({ model: 'artistic', prompt: 'a fox' }))).message).toContain('no artistic model')
    expect(countRequests('/open/v1/tasks/create')).toBe(before)
    expect((await client.products.models('text_to_image')).map((model) => model.modelId)).toEqual(['gemini-3.1-flash-image', 'gemini-3-pro-image'])
  })

  it('an allowlist of model ids is a scope too', async () => {
    const client = ima.client({ models: ['midjourney'] })
    expect((await client.tasks.create({ prompt: 'a castle' })).model.id).toBe('midjourney')
  })

  it('explicit model > saved preference > scope default', async () => {
    const preferences = new MemoryPreferenceStore()
    const client = ima.client({ preferences })
    expect((await client.tasks.create({ userId: 'ann', prompt: 'a fox' })).model.id).toBe('doubao-seedream-4.5')
    await preferences.set('ann', 'text_to_image', { modelId: 'midjourney', modelName: 'Midjourney', credit: 8, lastUsed: new Date().toISOString() })
    expect((await client.tasks.create({ userId: 'ann', prompt: 'a fox' })).model.id).toBe('midjourney')
    expect((await client.tasks.create({ userId: 'ann', model: 'NB Pro', prompt: 'a fox' })).model.id).toBe('gemini-3-pro-image')
  })
})

describe('cost before spending', () => {
  it('quotes without creating anything', async () => {
    const creates = countRequests('/open/v1/tasks/create')
    const quote = await ima.client().tasks.quote({ model: 'NB Pro', prompt: 'a fox', size: '4k', n: 2 })
    expect(quote).toMatchObject({ attributeId: 2401, credit: 18, n: 2, totalCredit: 36, size: '4K', estimatedSeconds: [60, 120], withinBudget: true })
    expect(quote.model).toEqual({ id: 'gemini-3-pro-image', name: 'Nano Banana Pro', version: 'gemini-3-pro-image-preview' })
    expect(countRequests('/open/v1/tasks/create')).toBe(creates)
  })

  it('refuses a call over its maxCredits, suggesting a size that fits', async () => {
    const creates = countRequests('/open/v1/tasks/create')
    const error = await rejectionOf(ima.client().tasks.create({ model: 'gemini-3-pro-image', prompt: 'a fox', size: '4K', maxCredits: 12 }))
    expect(error).toBeInstanceOf(BudgetExceededError)
    expect(error).toMatchObject({ cost: 18, remaining: 12, suggestion: { model: 'Nano Banana Pro', size: '2K', cost: 10 } })
    expect(error.message).toContain('costs 18 points')
    expect(countRequests('/open/v1/tasks/create')).toBe(creates)
  })

  it('keeps a running total per client and suggests another model when the same one cannot fit', async () => {
    const client = ima.client({ maxCredits: 15 })
    await client.tasks.create({ model: 'gemini-3-pro-image', prompt: 'a fox' })
    expect(client.creditsSpent).toBe(10)
    const error = await rejectionOf(client.tasks.create({ model: 'gemini-3-pro-image', prompt: 'another fox' }))
    expect(error).toMatchObject({ name: 'BudgetExceededError', remaining: 5, suggestion: { model: 'Nano Banana2', size: '512px', cost: 4 } })
    expect((await client.tasks.quote({ model: 'gemini-3-pro-image', prompt: 'x' })).withinBudget).toBe(false)
  })

  it('does not count a refused create against the budget', async () => {
    const client = ima.client({ maxCredits: 10, apiKey: 'ima_not_a_real_key' })
    await rejectionOf(client.tasks.create({ model: 'gemini-3-pro-image', prompt: 'a fox' }))
    expect(client.creditsSpent).toBe(0)
  })
})

describe('product list cache and recovery', () => {
  it('reads the list once for several creates, and every time with a TTL of 0', async () => {
    const lists = () => countRequests('/open/v1/product/list')
    let before = lists()
    const cached = ima.client()
    await cached.tasks.create({ model: 'MJ', prompt: 'a' })
    await cached.tasks.create({ model: 'MJ', prompt: 'b' })
    await cached.tasks.quote({ model: 'MJ', prompt: 'c' })
    expect(lists() - before).toBe(1)
    before = lists()
    const uncached = ima.client({ productCacheTtlMs: 0 })
    await uncached.tasks.create({ model: 'MJ', prompt: 'a' })
    await uncached.tasks.create({ model: 'MJ', prompt: 'b' })
    expect(lists() - before).toBe(2)
  })

  it('refreshes the list once and re-creates when the service says the list changed (6010)', async () => {
    let rewrites = 0
    // Only the first list the client reads is stale: attribute ids of two rules swapped.
    const fetch = productListRewriter((tree) => {
      if (rewrites++ > 0) return tree
      visitNodes(tree, (node) => {
        if (node.id !== 'gemini-3-pro-image-preview') return
        const rules = node.credit_rules as Array<{ attribute_id: number }>
        ;[rules[0]!.attribute_id, rules[1]!.attribute_id] = [rules[1]!.attribute_id, rules[0]!.attribute_id]
      })
      return tree
    })
    const client = ima.client({ fetch })
    const retries: string[] = []
    client.on('retry', (event) => retries.push(event.reason))
    const accepted = ima.server.tasks.length
    const task = await client.tasks.create({ model: 'gemini-3-pro-image', prompt: 'a fox', size: '2K' })
    expect(task.attributeId).toBe(2400)
    expect(ima.server.tasks.length).toBe(accepted + 1)
    expect(retries).toEqual([expect.stringContaining('product list changed (6010)')])
  })

  it('steps the size down only after a refusal that names the size, and only when fallback.size is set', async () => {
    // The service refuses creates at 4K with a 400 that names the size: nothing was created.
    const fetch: typeof globalThis.fetch = async (input, init) => {
      if (String(input).endsWith('/open/v1/tasks/create') && String(init?.body).includes('"size":"4K"')) {
        return new Response(JSON.stringify({ code: 400, message: 'unsupported size 4K' }), { status: 400, headers: { 'content-type': 'application/json' } })
      }
      return globalThis.fetch(input, init)
    }
    const strict = await rejectionOf(ima.client({ fetch }).tasks.create({ model: 'gemini-3.1-flash-image', prompt: 'a fox', size: '4K' }))
    expect(strict).toBeInstanceOf(BadRequestError)
    const client = ima.client({ fetch })
    const retries: string[] = []
    client.on('retry', (event) => retries.push(event.reason))
    const task = await client.tasks.create({ model: 'gemini-3.1-flash-image', prompt: 'a fox', size: '4K', fallback: { size: true } })
    expect(task).toMatchObject({ size: '2K', attributeId: 4402, credit: 10 })
    expect(retries).toEqual(['400 at size 4K: trying size 2K (fallback.size)'])
    const refused = (await client.tasks.recent()).map((entry) => [entry.state, entry.size])
    expect(refused).toEqual([['created', '2K'], ['refused', '4K']])
  })

  it('never steps the size down after a 500: that create may exist', async () => {
    const before = ima.server.tasks.length
    // The service records the create, then a 500 comes back (what a failing backend or gateway does).
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const response = await globalThis.fetch(input, init)
      if (!String(input).endsWith('/open/v1/tasks/create')) return response
      return new Response(JSON.stringify({ code: 500, message: 'backend rejected' }), { status: 500, headers: { 'content-type': 'application/json' } })
    }
    const client = ima.client({ fetch })
    const error = await rejectionOf(client.tasks.create({ model: 'gemini-3.1-flash-image', prompt: 'a fox', size: '4K', fallback: { size: true } }))
    expect(error).toBeInstanceOf(CreateOutcomeUnknownError)
    expect(ima.server.tasks.length).toBe(before + 1)
    expect(client.creditsUncertain).toBe(13)
    const [entry] = await client.tasks.recent()
    expect(entry).toMatchObject({ state: 'unknown', ref: (error as CreateOutcomeUnknownError).ref, size: '4K', totalCredit: 13 })
  })

  it('sends a ratio natively when the list has no ratio field for a Nano Banana model, and refuses it for SeeDream without its virtual field', async () => {
    const fetch = productListRewriter((tree) => {
      visitNodes(tree, (node) => {
        if (Array.isArray(node.form_config)) node.form_config = (node.form_config as Array<{ field: string; is_ui_virtual?: boolean }>).filter((field) => field.field !== 'aspect_ratio' && !field.is_ui_virtual)
      })
      return tree
    })
    const client = ima.client({ fetch })
    await client.tasks.create({ model: 'NB Pro', prompt: 'a fox', aspectRatio: '16:9' })
    expect(lastAccepted().parameters.aspect_ratio).toBe('16:9')
    const error = await rejectionOf(client.tasks.create({ model: 'SeeDream', prompt: 'a fox', aspectRatio: '16:9' }))
    expect(error.message).toContain('takes no aspect ratio in the current product list')
  })
})
