import { afterAll, beforeEach, beforeAll, describe, expect, it } from 'vitest'
import { startImaServer } from '../../src/testing/index.js'
import type { ImaServer } from '../../src/testing/index.js'
import { create, nanoBanana1kBody, request } from './local-http.js'

describe('local IMA server: create', () => {
  let server: ImaServer
  // The strict refusals of what the service accepts leniently (see leniency.test.ts for the lenient side).
  let strict: ImaServer
  beforeAll(async () => {
    server = await startImaServer({ progression: 'polls' })
    strict = await startImaServer({ progression: 'polls', strict: true })
  })
  beforeEach(() => {
    server.reset()
    strict.reset()
  })
  afterAll(async () => {
    await server.close()
    await strict.close()
  })

  async function expectRejected(body: unknown, status: number, code: number, message?: RegExp, on: ImaServer = server): Promise<void> {
    const answer = await create(on, body)
    expect(answer.status).toBe(status)
    expect(answer.json.code).toBe(code)
    if (message) expect(answer.json.message).toMatch(message)
    expect(on.tasks).toHaveLength(0)
    expect(on.balance(on.apiKey)).toBe(100_000)
  }

  it('accepts a valid body, deducts credit × n and stores the task', async () => {
    const body = nanoBanana1kBody()
    body.parameters[0].parameters.n = 2
    const answer = await create(server, body)
    expect(answer.status).toBe(200)
    expect(answer.json).toEqual({ code: 0, message: 'success', data: { id: expect.stringMatching(/^task_[0-9a-f]+$/) } })
    expect(server.balance(server.apiKey)).toBe(100_000 - 12)
    expect(server.tasks).toHaveLength(1)
    expect(server.tasks[0]).toMatchObject({
      id: answer.json.data.id,
      taskType: 'text_to_image',
      body,
      modelId: 'gemini-3.1-flash-image',
      modelVersion: 'gemini-3.1-flash-image-preview',
      attributeId: 4401,
      credit: 6,
      n: 2,
      charged: 12,
      prompt: 'a red fox in the snow',
      inputImages: [],
      width: 1024,
      height: 1024,
      polls: 0,
    })
    expect(server.tasks[0]?.parameters).toEqual(body.parameters[0].parameters)
  })

  it('rejects a body that is not a JSON object', async () => {
    await expectRejected(undefined, 400, 400)
    const notJson = await request(server, 'POST', '/open/v1/tasks/create', { rawBody: '{oops' })
    expect(notJson.status).toBe(400)
    await expectRejected([1, 2], 400, 400)
    await expectRejected('text', 400, 400)
  })

  it('rejects a bad task_type or parameters shape', async () => {
    await expectRejected({ ...nanoBanana1kBody(), task_type: 'text_to_video' }, 400, 400)
    await expectRejected({ ...nanoBanana1kBody(), parameters: [] }, 400, 400)
    await expectRejected({ ...nanoBanana1kBody(), parameters: {} }, 400, 400)
    const body = nanoBanana1kBody()
    body.parameters[0].parameters = 'size=1K'
    await expectRejected(body, 400, 400)
  })

  it('rejects an unknown model_version, a model_id or a model_name that does not match', async () => {
    const unknown = nanoBanana1kBody()
    unknown.parameters[0].model_version = 'gemini-3.1-flash-image'
    await expectRejected(unknown, 400, 400, /unknown model_version/)
    const wrongModel = nanoBanana1kBody()
    wrongModel.parameters[0].model_id = 'gemini-3-pro-image'
    await expectRejected(wrongModel, 400, 400, /unknown model_version/)
    const wrongName = nanoBanana1kBody()
    wrongName.parameters[0].model_name = 'Nano Banana 2'
    await expectRejected(wrongName, 400, 400, /unknown model_version/)
    const wrongCategory = nanoBanana1kBody()
    wrongCategory.task_type = 'image_to_image'
    await expectRejected(wrongCategory, 200, 6001)
  })

  it('answers 6001 for a missing, zero or foreign attribute_id', async () => {
    for (const attributeId of [undefined, 0, 4405, 4301]) {
      const body = nanoBanana1kBody()
      body.parameters[0].attribute_id = attributeId
      await expectRejected(body, 200, 6001, /Invalid product attribute/)
    }
  })

  it('answers 6006 when credit or cast.points differ from the rule points', async () => {
    const credit = nanoBanana1kBody()
    credit.parameters[0].credit = 4
    credit.parameters[0].parameters.cast.points = 4
    await expectRejected(credit, 200, 6006)
    const cast = nanoBanana1kBody()
    cast.parameters[0].parameters.cast.points = 4
    await expectRejected(cast, 200, 6006)
    const noCast = nanoBanana1kBody()
    delete noCast.parameters[0].parameters.cast
    await expectRejected(noCast, 200, 6006)
  })

  it('answers 6010 when cast.attribute_id differs', async () => {
    const body = nanoBanana1kBody()
    body.parameters[0].parameters.cast.attribute_id = 4400
    await expectRejected(body, 200, 6010)
  })

  it('requires the nested prompt', async () => {
    for (const prompt of [undefined, 42, '   ']) {
      const body = nanoBanana1kBody()
      body.parameters[0].parameters.prompt = prompt
      await expectRejected(body, 400, 400, /prompt is required in parameters\[0\]\.parameters\.prompt/)
    }
    const topLevel = nanoBanana1kBody()
    delete topLevel.parameters[0].parameters.prompt
    topLevel.prompt = 'a fox'
    topLevel.parameters[0].prompt = 'a fox'
    await expectRejected(topLevel, 400, 400)
  })

  it('answers 6010 when the parameters match another rule and 6009 when they match none', async () => {
    const other = nanoBanana1kBody()
    other.parameters[0].parameters.size = '2K'
    await expectRejected(other, 200, 6010, /attribute_id does not match the parameters/)
    const otherLowerCase = nanoBanana1kBody()
    otherLowerCase.parameters[0].parameters.size = '2k'
    await expectRejected(otherLowerCase, 200, 6010)
    const lowerCase = nanoBanana1kBody()
    lowerCase.parameters[0].parameters.size = '1k'
    await expectRejected(lowerCase, 400, 400, /invalid size "1k" for Nano Banana2: the product list spells it "1K"/, strict)
    const missing = nanoBanana1kBody()
    delete missing.parameters[0].parameters.size
    await expectRejected(missing, 200, 6009, /no credit rule matches the parameters \(missing size\)/)
  })

  it('rejects sizes the leaf does not offer, including adaptive', async () => {
    const seedream = seedreamBody()
    seedream.parameters[0].parameters.size = 'adaptive'
    await expectRejected(seedream, 400, 400, /invalid size/)
    seedream.parameters[0].parameters.size = '1024x1024'
    await expectRejected(seedream, 400, 400, /invalid size/)
    for (const size of ['2k', '4k', '2560x1440', '3024x1296']) {
      const ok = seedreamBody()
      ok.parameters[0].parameters.size = size
      expect((await create(server, ok)).json.code, size).toBe(0)
    }
  })

  it('checks aspect_ratio against the native field; strict mode refuses one the model would ignore', async () => {
    const nb = nanoBanana1kBody()
    nb.parameters[0].parameters.aspect_ratio = '21:9'
    await expectRejected(nb, 400, 400, /invalid aspect_ratio/)
    await expectRejected(nb, 400, 400, /invalid aspect_ratio/, strict)
    const seedream = seedreamBody()
    seedream.parameters[0].parameters.aspect_ratio = '16:9'
    await expectRejected(seedream, 400, 400, /invalid aspect_ratio "16:9" for SeeDream 4.5: .*send size "2560x1440"/, strict)
    const midjourney = midjourneyBody()
    midjourney.parameters[0].parameters.aspect_ratio = '16:9'
    await expectRejected(midjourney, 400, 400, /invalid aspect_ratio/, strict)
    midjourney.parameters[0].parameters.aspect_ratio = '1:1'
    expect((await create(strict, midjourney)).json.code).toBe(0)
    expect((await create(server, midjourney)).json.code).toBe(0)
    const wide = nanoBanana1kBody()
    wide.parameters[0].parameters.aspect_ratio = '16:9'
    expect((await create(server, wide)).json.code).toBe(0)
    expect(server.tasks.at(-1)).toMatchObject({ width: 1024, height: 576 })
  })

  it('requires n to be a whole number from 1 up to the local guard (the service states no upper limit)', async () => {
    for (const n of [0, 1.5, '2', 1001]) {
      const body = nanoBanana1kBody()
      body.parameters[0].parameters.n = n
      await expectRejected(body, 400, 400)
    }
    const noN = nanoBanana1kBody()
    delete noN.parameters[0].parameters.n
    expect((await create(server, noN)).json.code).toBe(0)
    expect(server.tasks[0]?.n).toBe(1)
  })

  it('checks input images for both task types', async () => {
    const t2iWithImage = nanoBanana1kBody()
    t2iWithImage.src_img_url = ['https://example.com/a.png']
    t2iWithImage.parameters[0].parameters.input_images = ['https://example.com/a.png']
    await expectRejected(t2iWithImage, 400, 400)

    await expectRejected(imageToImageBody([], []), 400, 400)
    await expectRejected(imageToImageBody(['https://example.com/a.png'], []), 400, 400)
    await expectRejected(imageToImageBody(['https://example.com/a.png'], ['https://example.com/b.png']), 400, 400)
    await expectRejected(imageToImageBody(['http://example.com/a.png'], ['http://example.com/a.png']), 400, 400)
    await expectRejected(imageToImageBody(['/tmp/a.png'], ['/tmp/a.png']), 400, 400)

    const local = `${server.url}/cdn/abc.png`
    const accepted = await create(server, imageToImageBody(['https://example.com/a.png', local], [local, 'https://example.com/a.png']))
    expect(accepted.json.code).toBe(0)
    expect(server.tasks[0]).toMatchObject({ taskType: 'image_to_image', attributeId: 4405, inputImages: [local, 'https://example.com/a.png'] })
    for (const host of ['http://localhost:9/x.png', 'http://[::1]:9/x.png']) {
      expect((await create(server, imageToImageBody([host], [host]))).json.code, host).toBe(0)
    }
  })

  it('rejects enable_multi_model other than false', async () => {
    await expectRejected({ ...nanoBanana1kBody(), enable_multi_model: true }, 400, 400)
    const absent = nanoBanana1kBody()
    delete absent.enable_multi_model
    expect((await create(server, absent)).json.code).toBe(0)
  })

  it('answers 4008 when the balance runs out, without charging', async () => {
    server.setBalance(server.apiKey, 13)
    expect((await create(server, nanoBanana1kBody())).json.code).toBe(0)
    expect((await create(server, nanoBanana1kBody())).json.code).toBe(0)
    expect(server.balance(server.apiKey)).toBe(1)
    const refused = await create(server, nanoBanana1kBody())
    expect(refused.status).toBe(200)
    expect(refused.json).toMatchObject({ code: 4008, message: 'Insufficient points' })
    expect(server.balance(server.apiKey)).toBe(1)
    expect(server.tasks).toHaveLength(2)
    server.reset()
    expect(server.balance(server.apiKey)).toBe(100_000)
  })

  it('keeps balances per key', async () => {
    const twoKeys = await startImaServer({ apiKeys: { ima_a: 10, ima_b: 0 } })
    try {
      expect(twoKeys.apiKey).toBe('ima_a')
      const byB = await request(twoKeys, 'POST', '/open/v1/tasks/create', {
        body: nanoBanana1kBody(),
        headers: { authorization: 'Bearer ima_b', 'x-app-source': 'ima_skills', 'content-type': 'application/json' },
      })
      expect(byB.json.code).toBe(4008)
      expect((await create(twoKeys, nanoBanana1kBody())).json.code).toBe(0)
      expect(twoKeys.balance('ima_a')).toBe(4)
      expect(() => twoKeys.balance('ima_c')).toThrow()
    } finally {
      await twoKeys.close()
    }
  })
})

function seedreamBody(): any {
  return {
    task_type: 'text_to_image',
    enable_multi_model: false,
    src_img_url: [],
    parameters: [
      {
        attribute_id: 2341,
        model_id: 'doubao-seedream-4.5',
        model_name: 'SeeDream 4.5',
        model_version: 'doubao-seedream-4-5-251128',
        app: 'ima',
        platform: 'web',
        category: 'text_to_image',
        credit: 5,
        parameters: { size: '2048x2048', prompt: 'a lighthouse', n: 1, input_images: [], cast: { points: 5, attribute_id: 2341 } },
      },
    ],
  }
}

function midjourneyBody(): any {
  return {
    task_type: 'text_to_image',
    enable_multi_model: false,
    src_img_url: [],
    parameters: [
      {
        attribute_id: 5451,
        model_id: 'midjourney',
        model_name: 'Midjourney',
        model_version: 'v6',
        app: 'ima',
        platform: 'web',
        category: 'text_to_image',
        credit: 8,
        parameters: { size: '480p', prompt: 'a castle', n: 1, input_images: [], cast: { points: 8, attribute_id: 5451 } },
      },
    ],
  }
}

function imageToImageBody(srcImgUrl: string[], inputImages: string[]): any {
  return {
    task_type: 'image_to_image',
    enable_multi_model: false,
    src_img_url: srcImgUrl,
    parameters: [
      {
        attribute_id: 4405,
        model_id: 'gemini-3.1-flash-image',
        model_name: 'Nano Banana2',
        model_version: 'gemini-3.1-flash-image-preview',
        app: 'ima',
        platform: 'web',
        category: 'image_to_image',
        credit: 6,
        parameters: {
          size: '1K',
          prompt: 'make it blue',
          n: 1,
          input_images: inputImages,
          cast: { points: 6, attribute_id: 4405 },
        },
      },
    ],
  }
}
