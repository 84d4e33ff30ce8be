import { NANO_BANANA_SCOPE } from 'ima-open-sdk'
import { MODEL_CATALOG } from 'ima-open-sdk/protocol'
import { describe, expect, it } from 'vitest'
import { acknowledge, findBannedTerms, parseRequest, type ChatRequest } from '../../src/chat/index.js'

const SEEDREAM = 'doubao-seedream-4.5'
const NB2 = 'gemini-3.1-flash-image'
const PRO = 'gemini-3-pro-image'
const MJ = 'midjourney'

describe('parseRequest: models by name and alias, in both languages', () => {
  const names = MODEL_CATALOG.flatMap((model) => [model.name, ...model.aliases].map((name) => ({ name, modelId: model.modelId })))
  it.each(names)('"$name" → $modelId', ({ name, modelId }) => {
    expect(parseRequest(`画一只猫 ${name}`).model).toBe(modelId)
    expect(parseRequest(`draw a cat with ${name.toLowerCase()}`).model).toBe(modelId)
  })

  it('the longest name wins: "Nano Banana Pro" is not "Nano Banana"', () => {
    expect(parseRequest('nano banana pro, a fox').model).toBe(PRO)
    expect(parseRequest('nano banana, a fox').model).toBe(NB2)
    expect(parseRequest('香蕉Pro 画狐狸').model).toBe(PRO)
    expect(parseRequest('香蕉 画狐狸').model).toBe(NB2)
  })

  it('a model outside the scope is not chosen, with a note', () => {
    const request = parseRequest('用 MJ 画一只猫', { scope: NANO_BANANA_SCOPE })
    expect(request.model).toBeUndefined()
    expect(request.notes).toEqual(['Midjourney 在这里不可用，改用推荐的模型'])
  })
})

describe('parseRequest: ratios and sizes', () => {
  it.each([
    ['画一只猫，横图', '16:9'],
    ['画一只猫，竖图', '9:16'],
    ['a cat, 16:9', '16:9'],
    ['一只猫 16：9', '16:9'],
    ['a cat 4:3', '4:3'],
    ['猫 3比4', '3:4'],
    ['a square cat picture', '1:1'],
    ['portrait of a cat', '9:16'],
    ['landscape with mountains', '16:9'],
  ])('%s → %s', (text, ratio) => {
    expect(parseRequest(text).aspectRatio).toBe(ratio)
  })

  it('a ratio in other terms is the same ratio: 7:3 is 21:9, 32:18 is 16:9, without a note', () => {
    expect(parseRequest('a banner 7:3')).toMatchObject({ aspectRatio: '21:9', notes: [] })
    expect(parseRequest('横幅 32:18')).toMatchObject({ aspectRatio: '16:9', notes: [] })
    expect(parseRequest('a banner 7:3', { scope: NANO_BANANA_SCOPE })).toMatchObject({ aspectRatio: '16:9', notes: ["7:3 isn't offered, so I'll use the nearest ratio, 16:9"] })
  })

  it('a ratio no model has becomes the nearest, with a note', () => {
    expect(parseRequest('横幅 8:3')).toMatchObject({ aspectRatio: '21:9', notes: ['不支持 8:3 的比例，改用最接近的 21:9'] })
    // The Nano Banana scope has fewer ratios: 21:9 is not among them.
    expect(parseRequest('a banner 21:9', { scope: NANO_BANANA_SCOPE }).aspectRatio).toBe('16:9')
  })

  it.each([
    ['a cat in 4K', '4K'],
    ['a cat 4k', '4K'],
    ['画一只猫 2K', '2K'],
    ['猫 1k', '1K'],
    ['a cat 512', '512px'],
    ['a cat at 512px', '512px'],
    ['MJ 720p cat', '720p'],
  ])('%s → %s', (text, size) => {
    expect(parseRequest(text).size).toBe(size)
  })

  it('8K becomes 4K, with a note in the user\'s language', () => {
    expect(parseRequest('a cat in 8K')).toMatchObject({ size: '4K', notes: ["The largest size is 4K, so I'll use 4K"] })
    expect(parseRequest('画一只猫 8K')).toMatchObject({ size: '4K', notes: ['最高支持 4K，这次用 4K 生成'] })
  })
})

describe('parseRequest: remembering and tiers', () => {
  it.each([
    ['以后都用 Nano Banana Pro', PRO],
    ['默认用 SeeDream', SEEDREAM],
    ['always use NB2', NB2],
    ['Always use Midjourney from now on', MJ],
    ['我喜欢用香蕉', NB2],
    ['以后用 NB Pro 画图', PRO],
    ['from now on use MJ', MJ],
  ])('"%s" saves %s', (text, model) => {
    expect(parseRequest(text)).toMatchObject({ model, remember: 'save' })
  })

  it.each([
    ['用香蕉画一只猫', NB2],
    ['use Midjourney for a castle', MJ],
    ['用 NB Pro 画一只猫', PRO],
    ['改用 seedream 4.5', SEEDREAM],
    ['switch to Nano Banana 2', NB2],
    ['Nano Banana Pro: a fox in snow', PRO],
  ])('"%s" picks %s for this request only: nothing is saved', (text, model) => {
    const request = parseRequest(text)
    expect(request.model).toBe(model)
    expect(request.remember).toBeUndefined()
  })

  it.each(['用最好的', '用最好的画一只猫', 'best quality please', 'use the best model', '最强的'])('"%s" → premium, saved', (text) => {
    expect(parseRequest(text)).toMatchObject({ model: PRO, tier: 'premium', remember: 'save' })
    expect(parseRequest(text, { scope: NANO_BANANA_SCOPE })).toMatchObject({ model: PRO, tier: 'premium' })
  })

  it.each(['用便宜的', '用最便宜的画猫', 'cheapest', 'the cheapest one please'])('"%s" → budget at its smallest size, not saved', (text) => {
    const request = parseRequest(text)
    expect(request).toMatchObject({ model: NB2, tier: 'budget', size: '512px' })
    expect(request.remember).toBeUndefined()
  })

  it('"cheapest" with "always" is saved', () => {
    expect(parseRequest('以后都用最便宜的')).toMatchObject({ model: NB2, remember: 'save' })
    expect(parseRequest('always use the cheapest')).toMatchObject({ model: NB2, remember: 'save' })
  })

  it.each(['用默认的', '推荐一个', '你推荐一个吧', 'use the default', 'recommend one', 'recommend a model'])('"%s" clears the saved model', (text) => {
    const request = parseRequest(text)
    expect(request.remember).toBe('clear')
    expect(request.model).toBeUndefined()
  })

  it.each(['换个模型', '换个模型试试', '试试别的', 'try another model', 'try a different model'])('"%s" asks for another model', (text) => {
    const request = parseRequest(text)
    expect(request.anotherModel).toBe(true)
    expect(request.model).toBeUndefined()
  })

  it('"artistic" means Midjourney in the full catalog only', () => {
    expect(parseRequest('an artistic cat').model).toBe(MJ)
    expect(parseRequest('an artistic cat', { scope: NANO_BANANA_SCOPE }).model).toBeUndefined()
  })
})

describe('parseRequest: language and task type', () => {
  it.each([
    ['画一只猫', 'zh'],
    ['a cat', 'en'],
    ['draw 一只猫', 'zh'],
    ['NB2 4K', 'en'],
  ])('%s → %s', (text, language) => {
    expect(parseRequest(text).language).toBe(language)
  })

  it.each([
    ['把这张图改成油画风格', 'image_to_image'],
    ['turn this photo into a watercolor', 'image_to_image'],
    ['edit this picture https://example.com/a.png', 'image_to_image'],
    ['画一只猫', 'text_to_image'],
    ['generate a sunset', 'text_to_image'],
  ])('%s → %s', (text, taskType) => {
    expect(parseRequest(text).taskType).toBe(taskType)
  })
})

/** Twenty requests as people type them, mixing everything. */
const MIXED: Array<[string, Partial<ChatRequest>]> = [
  ['帮我画一只可爱的猫咪', { language: 'zh', taskType: 'text_to_image' }],
  ['画一只猫，横图', { language: 'zh', taskType: 'text_to_image', aspectRatio: '16:9' }],
  ['用香蕉画个竖图的赛博朋克城市，2K', { model: NB2, aspectRatio: '9:16', size: '2K' }],
  ['以后都用 nano banana pro 吧，这次来张 4K 的雪山', { model: PRO, size: '4K', remember: 'save', language: 'zh' }],
  ['Draw a lighthouse at dusk, 16:9, 4K please', { language: 'en', aspectRatio: '16:9', size: '4K', taskType: 'text_to_image' }],
  ['can you make me a picture of a red fox with NB Pro?', { model: PRO, language: 'en', taskType: 'text_to_image' }],
  ['8K wallpaper of the milky way, landscape', { size: '4K', aspectRatio: '16:9' }],
  ['用最便宜的模型画一个简笔画小狗', { model: NB2, tier: 'budget', size: '512px', language: 'zh' }],
  ['best quality portrait of an old sailor, 3:4', { model: PRO, tier: 'premium', remember: 'save', aspectRatio: '3:4' }],
  ['MJ 风格，一只穿西装的猫', { model: MJ, language: 'zh' }],
  ['换个模型再来一次', { anotherModel: true, language: 'zh' }],
  ['hmm not great, try another model', { anotherModel: true, language: 'en' }],
  ['推荐一个模型，画一碗拉面', { remember: 'clear', taskType: 'text_to_image' }],
  ['把这张照片变成吉卜力风格 https://cdn.example.com/me.jpg', { taskType: 'image_to_image', language: 'zh' }],
  ['always use seedream 4.5 for my pictures', { model: SEEDREAM, remember: 'save' }],
  ['默认用MJ', { model: MJ, remember: 'save' }],
  ['a 1:1 logo for a coffee shop, 1K, cheapest', { aspectRatio: '1:1', size: '1K', tier: 'budget', model: NB2 }],
  ['竖图 4k 一个女孩在樱花树下 Nano Banana 2', { model: NB2, aspectRatio: '9:16', size: '4K' }],
  ['用默认的就行，画个日落', { remember: 'clear', taskType: 'text_to_image' }],
  ['make an image of a robot, square, 512px, Nano Banana', { model: NB2, aspectRatio: '1:1', size: '512px', language: 'en' }],
]

describe('parseRequest: twenty real-looking requests', () => {
  it.each(MIXED)('%s', (text, expected) => {
    expect(parseRequest(text)).toMatchObject(expected)
  })
})

describe('acknowledge', () => {
  const requests = [...MIXED.map(([text]) => parseRequest(text)), parseRequest('a cat'), parseRequest('画一只猫')]
  const emoji = /\p{Extended_Pictographic}/gu

  it.each(requests.flatMap((request) => (['en', 'zh'] as const).map((language) => ({ request, language }))))(
    'is short, warm, one emoji, plain ($language, $request.model)',
    ({ request, language }) => {
      const text = acknowledge(request, language)
      expect(text.match(emoji)).toHaveLength(1)
      if (language === 'en') expect(text.split(/\s+/).length).toBeLessThan(15)
      else expect(text.length).toBeLessThan(30)
      expect(findBannedTerms(text)).toEqual([])
    },
  )

  it('matches the seeds\' examples', () => {
    expect(acknowledge(parseRequest('画一只猫，横图'))).toBe('收到！马上为你生成一张 16:9 的图 🎨')
    expect(acknowledge(parseRequest('画一只猫'))).toBe('好的！马上帮你画 🎨')
    expect(acknowledge({ model: SEEDREAM }, 'en')).toBe('OK! Starting image generation with SeeDream 4.5 🎨')
    expect(acknowledge(parseRequest('always use NB2'))).toBe('Got it! Nano Banana2 from now on — starting 🎨')
  })
})
