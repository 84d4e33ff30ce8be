import { MODEL_CATALOG } from 'ima-open-sdk/protocol'
import { FULL_CATALOG_SCOPE, NANO_BANANA_SCOPE, TaskFailedError, type CreatedTask, type TaskCreateParams, type TaskEvent } from 'ima-open-sdk'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApiError } from '../../src/http/api-errors.js'
import {
  createChatReporter,
  findBannedTerms,
  suggestAlternatives,
  translateError,
  type ChatClock,
  type ChatLanguage,
  type ChatMessage,
  type ChatReporterClient,
} from '../../src/chat/index.js'
import { encodePng } from '../../src/testing/png.js'
import { useImaServer } from '../integration/harness.js'

const URL_OK = 'https://cdn.example.com/result/cat.png'

function createdTask(modelId: string, overrides: Partial<CreatedTask> = {}): CreatedTask {
  const model = MODEL_CATALOG.find((entry) => entry.modelId === modelId)
  return {
    id: 'task-1',
    ref: 'ima-ref-1',
    taskType: 'text_to_image',
    model: { id: modelId, name: model?.name ?? modelId, version: model?.versionId ?? 'v1' },
    attributeId: 1,
    credit: 5,
    n: 1,
    totalCredit: 5,
    size: undefined,
    estimatedSeconds: model?.estimatedSeconds ?? [30, 90],
    createdAt: Date.now(),
    body: {} as CreatedTask['body'],
    ...overrides,
  }
}

/**
 * A client whose task ends after `finishAfterMs` of (fake) time: the end is a
 * timer too, so the test drives it with the same fake clock as the reporter.
 */
function scriptedClient(task: CreatedTask, finishAfterMs: number, ending: 'success' | Error = 'success'): ChatReporterClient & { createCalls: TaskCreateParams[] } {
  const createCalls: TaskCreateParams[] = []
  return {
    createCalls,
    tasks: {
      async create(params) {
        createCalls.push(params)
        return task
      },
      async *waitFor(): AsyncGenerator<TaskEvent> {
        const started = Date.now()
        await new Promise((resolve) => setTimeout(resolve, finishAfterMs))
        if (ending !== 'success') throw ending
        const media = { resourceStatus: 1 as const, status: 'success', url: URL_OK, watermarkUrl: undefined, coverUrl: undefined, previewUrl: undefined, format: 'png', width: 1, height: 1, errorMsg: undefined, remark: undefined }
        yield { type: 'success', taskId: task.id, elapsedMs: Date.now() - started, percent: 100, medias: [media], url: URL_OK, urls: [URL_OK] }
      },
    },
  }
}

interface Sent {
  at: number
  message: ChatMessage
}

async function run(modelId: string, finishAfterMs: number, language: ChatLanguage, credits = 5): Promise<Sent[]> {
  const sent: Sent[] = []
  const start = Date.now()
  const reporter = createChatReporter({
    client: scriptedClient(createdTask(modelId, { totalCredit: credits, credit: credits }), finishAfterMs),
    language,
    send: (message) => {
      sent.push({ at: Date.now() - start, message })
    },
  })
  const outcome = reporter.generate({ prompt: 'a cat' })
  await vi.advanceTimersByTimeAsync(finishAfterMs + 1)
  expect((await outcome).ok).toBe(true)
  // No timer outlives the generation.
  expect(vi.getTimerCount()).toBe(0)
  return sent
}

/** The progress texts the seeds' templates give, written out here independently of the reporter. */
function progressText(language: ChatLanguage, elapsed: number, max: number): string {
  const percent = Math.min(95, Math.floor((elapsed / max) * 100))
  if (language === 'zh') return `⏳ 正在生成中… ${percent}%\n已等待 ${elapsed}s，预计最长 ${max}s${elapsed > max ? '「稍等，即将完成…」' : ''}`
  return `⏳ Generating… ${percent}%\nWaited ${elapsed}s, expected at most ${max}s${elapsed > max ? ' — taking a bit longer, almost done…' : ''}`
}

describe('createChatReporter: the message sequence and its timing', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  describe.each(['en', 'zh'] as const)('in %s', (language) => {
    describe.each(MODEL_CATALOG.map((model) => ({ model })))('$model.name', ({ model }) => {
      const every = model.progressEveryMs
      const [low, high] = model.estimatedSeconds

      it('a task done within the first period: start and success, no progress at all', async () => {
        const sent = await run(model.modelId, every - 1_000, language)
        expect(sent.map((entry) => entry.message.kind)).toEqual(['start', 'success'])
        expect(sent[0]?.at).toBe(0)
        const start = sent[0]?.message.text
        expect(start).toBe(
          language === 'zh'
            ? `🎨 开始生成图片，请稍候…\n• 模型：${model.name}\n• 预计耗时：${low} ~ ${high} 秒\n• 消耗积分：5 pts`
            : `🎨 Starting image generation, please wait…\n• Model: ${model.name}\n• Estimated time: ${low} ~ ${high} s\n• Credits: 5 pts`,
        )
        const actual = Math.round((every - 1_000) / 1000)
        expect(sent[1]?.message).toMatchObject({ kind: 'success', mediaUrl: URL_OK, elapsedSeconds: actual, credits: 5 })
        expect(sent[1]?.message.text).toBe(
          language === 'zh'
            ? `✅ 图片生成成功！\n• 模型：${model.name}\n• 耗时：预计 ${low}~${high}s，实际 ${actual}s\n• 消耗积分：5 pts\n\n🔗 原始链接：${URL_OK}`
            : `✅ Image generated!\n• Model: ${model.name}\n• Time: estimated ${low}~${high}s, actual ${actual}s\n• Credits: 5 pts\n\n🔗 Original link: ${URL_OK}`,
        )
      })

      it('a long task: one progress notice per period, at the period', async () => {
        const periods = Math.floor((high * 1000) / every)
        const finish = periods * every + 500
        const sent = await run(model.modelId, finish, language)
        const progress = sent.filter((entry) => entry.message.kind === 'progress')
        expect(progress.map((entry) => entry.at)).toEqual(Array.from({ length: periods }, (_, index) => (index + 1) * every))
        expect(progress.map((entry) => entry.message.text)).toEqual(
          Array.from({ length: periods }, (_, index) => progressText(language, ((index + 1) * every) / 1000, high)),
        )
        expect(sent.map((entry) => entry.message.kind)).toEqual(['start', ...progress.map(() => 'progress'), 'success'])
      })

      it('an overrun: 95% with the "taking a bit longer" note once past the estimate', async () => {
        const finish = high * 1000 + 2 * every + 500
        const sent = await run(model.modelId, finish, language)
        const progress = sent.filter((entry) => entry.message.kind === 'progress')
        const late = progress.filter((entry) => entry.at > high * 1000)
        expect(late.length).toBeGreaterThanOrEqual(2)
        for (const entry of late) {
          expect(entry.message.percent).toBe(95)
          expect(entry.message.text).toContain(language === 'zh' ? '「稍等，即将完成…」' : 'taking a bit longer')
        }
        for (const entry of progress.filter((item) => item.at <= high * 1000)) {
          expect(entry.message.text).not.toMatch(/稍等，即将完成|taking a bit longer/)
        }
        const texts = sent.map((entry) => entry.message.text)
        expect(new Set(texts).size).toBe(texts.length)
      })
    })
  })

  it("the seeds' own example: SeeDream 4.5 at 40 s of 60 shows 66%", async () => {
    const sent = await run('doubao-seedream-4.5', 45_000, 'zh')
    expect(sent.find((entry) => entry.at === 40_000)?.message.text).toBe('⏳ 正在生成中… 66%\n已等待 40s，预计最长 60s')
  })

  it('progress follows its own timer, not the poll interval', async () => {
    const sent: Sent[] = []
    const task = createdTask('gemini-3.1-flash-image')
    // A client that polls every 7 s and yields processing events: the notices must still come every 15 s.
    const client: ChatReporterClient = {
      tasks: {
        create: async () => task,
        async *waitFor() {
          for (let elapsed = 7_000; elapsed < 50_000; elapsed += 7_000) {
            await new Promise((resolve) => setTimeout(resolve, 7_000))
            yield { type: 'processing', taskId: task.id, elapsedMs: elapsed, percent: 0, medias: [] }
          }
          yield { type: 'success', taskId: task.id, elapsedMs: 49_000, percent: 100, medias: [], url: URL_OK, urls: [URL_OK] }
        },
      },
    }
    const reporter = createChatReporter({ client, send: (message) => void sent.push({ at: Date.now(), message }) })
    const started = Date.now()
    const outcome = reporter.generate({ prompt: 'a cat' })
    await vi.advanceTimersByTimeAsync(60_000)
    await outcome
    expect(sent.filter((entry) => entry.message.kind === 'progress').map((entry) => entry.at - started)).toEqual([15_000, 30_000, 45_000])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('a slow send does not reorder messages', async () => {
    const order: string[] = []
    const reporter = createChatReporter({
      client: scriptedClient(createdTask('gemini-3.1-flash-image'), 16_000),
      send: async (message) => {
        // The start takes longer to deliver than the first progress period.
        if (message.kind === 'start') await new Promise((resolve) => setTimeout(resolve, 20_000))
        order.push(message.kind)
      },
    })
    const outcome = reporter.generate({ prompt: 'a cat' })
    await vi.advanceTimersByTimeAsync(40_000)
    await outcome
    // The task ran 16 s after the start was delivered (20 s): two periods passed, and the start still came first.
    expect(order).toEqual(['start', 'progress', 'progress', 'success'])
  })

  it('a failing send is kept, not thrown, and the generation still ends', async () => {
    const reporter = createChatReporter({
      client: scriptedClient(createdTask('gemini-3.1-flash-image'), 1_000),
      send: () => {
        throw new Error('chat platform down')
      },
    })
    const outcome = reporter.generate({ prompt: 'a cat' })
    await vi.advanceTimersByTimeAsync(2_000)
    const result = await outcome
    expect(result.ok).toBe(true)
    expect(result.sendErrors).toHaveLength(2)
  })

  it('a task failing after a while: start, progress, then the failure — and the timer is gone', async () => {
    const sent: ChatMessage[] = []
    const reporter = createChatReporter({
      client: scriptedClient(createdTask('gemini-3-pro-image'), 65_000, new TaskFailedError('failed', { taskId: 'task-1', reason: 'content' })),
      language: 'zh',
      send: (message) => void sent.push(message),
    })
    const outcome = reporter.generate({ prompt: 'a cat' })
    await vi.advanceTimersByTimeAsync(70_000)
    const result = await outcome
    expect(result.ok).toBe(false)
    expect(sent.map((message) => message.kind)).toEqual(['start', 'progress', 'progress', 'failure'])
    expect(sent[3]?.text).toBe(
      '❌ 图片生成失败\n• 原因：图片生成遇到问题，建议换个模型试试\n• 建议改用：\n  - SeeDream 4.5（性价比高，5 pts）\n  - Nano Banana2（最便宜，4 pts）\n\n需要我帮你用其他模型重试吗？',
    )
    expect(vi.getTimerCount()).toBe(0)
  })
})

/** The fallback tables of both seeds: failed model (and size) → the two suggestions. */
const FALLBACKS: Array<{ scope: 'full' | 'nano'; failed: string | undefined; size?: string; en: string[]; zh: string[] }> = [
  { scope: 'full', failed: 'doubao-seedream-4.5', en: ['Nano Banana2 (fast and cheap, 4 pts)', 'Nano Banana Pro (high quality, 10–18 pts)'], zh: ['Nano Banana2（快速便宜，4 pts）', 'Nano Banana Pro（高质量，10–18 pts）'] },
  { scope: 'full', failed: 'gemini-3.1-flash-image', en: ['SeeDream 4.5 (higher quality, 5 pts)', 'Nano Banana Pro (best quality, 10–18 pts)'], zh: ['SeeDream 4.5（更高质量，5 pts）', 'Nano Banana Pro（最高质量，10–18 pts）'] },
  { scope: 'full', failed: 'gemini-3-pro-image', en: ['SeeDream 4.5 (great value, 5 pts)', 'Nano Banana2 (cheapest, 4 pts)'], zh: ['SeeDream 4.5（性价比高，5 pts）', 'Nano Banana2（最便宜，4 pts）'] },
  { scope: 'full', failed: 'midjourney', en: ['SeeDream 4.5 (recommended default, 5 pts)', 'Nano Banana2 (budget-friendly, 4 pts)'], zh: ['SeeDream 4.5（默认首选，5 pts）', 'Nano Banana2（预算紧张，4 pts）'] },
  { scope: 'full', failed: undefined, en: ['SeeDream 4.5 (recommended default, 5 pts)', 'Nano Banana2 (budget-friendly, 4 pts)'], zh: ['SeeDream 4.5（默认首选，5 pts）', 'Nano Banana2（预算紧张，4 pts）'] },
  { scope: 'nano', failed: 'gemini-3.1-flash-image', size: '4K', en: ['Nano Banana Pro (high quality, 10–18 pts)', 'Nano Banana2 2K (same model, another size, 10 pts)'], zh: ['Nano Banana Pro（高质量，10–18 pts）', 'Nano Banana2 2K（同款换个尺寸，10 pts）'] },
  { scope: 'nano', failed: 'gemini-3.1-flash-image', size: '512px', en: ['Nano Banana Pro (high quality, 10–18 pts)', 'Nano Banana2 1K (same model, another size, 6 pts)'], zh: ['Nano Banana Pro（高质量，10–18 pts）', 'Nano Banana2 1K（同款换个尺寸，6 pts）'] },
  { scope: 'nano', failed: 'gemini-3-pro-image', size: '2K', en: ['Nano Banana2 (faster and cheaper, from 4 pts)', 'Nano Banana Pro 1K (same model, another size, 10 pts)'], zh: ['Nano Banana2（更快更省，4 pts 起）', 'Nano Banana Pro 1K（同款换个尺寸，10 pts）'] },
  { scope: 'nano', failed: undefined, en: ['Nano Banana2 (recommended default, from 4 pts)', 'Nano Banana Pro (high quality, 10–18 pts)'], zh: ['Nano Banana2（默认推荐，4 pts 起）', 'Nano Banana Pro（高质量，10–18 pts）'] },
]

describe('failure messages: the fallback tables for both scopes', () => {
  it.each(FALLBACKS.flatMap((row) => (['en', 'zh'] as const).map((language) => ({ ...row, language }))))(
    '$scope: $failed $size ($language)',
    ({ scope, failed, size, en, zh, language }) => {
      const alternatives = suggestAlternatives({ failedModelId: failed, scope: scope === 'nano' ? NANO_BANANA_SCOPE : FULL_CATALOG_SCOPE, language, ...(size ? { failedSize: size } : {}) })
      const lines = alternatives.map((item) =>
        language === 'zh' ? `${item.name}${item.size ? ` ${item.size}` : ''}（${item.trait}，${item.points}）` : `${item.name}${item.size ? ` ${item.size}` : ''} (${item.trait}, ${item.points})`,
      )
      expect(lines).toEqual(language === 'zh' ? zh : en)
      if (scope === 'nano') for (const item of alternatives) expect(NANO_BANANA_SCOPE.models).toContain(item.modelId)
    },
  )

  it('a custom scope never suggests a model outside it', () => {
    const scope = { ...FULL_CATALOG_SCOPE, name: 'two', models: ['doubao-seedream-4.5', 'midjourney'] }
    const alternatives = suggestAlternatives({ failedModelId: 'doubao-seedream-4.5', scope, language: 'en' })
    expect(alternatives.map((item) => item.modelId)).toEqual(['midjourney', 'doubao-seedream-4.5'])
    expect(alternatives[1]?.size).toBeDefined()
  })

  const target = { method: 'POST', path: '/open/v1/tasks/create' }
  const errors: unknown[] = [
    createApiError({ request: target, status: 401 }),
    createApiError({ request: target, status: 200, code: 4008, serviceMessage: 'Insufficient points' }),
    createApiError({ request: target, status: 200, code: 6001, serviceMessage: 'Invalid product attribute' }),
    createApiError({ request: target, status: 200, code: 6006 }),
    createApiError({ request: target, status: 200, code: 6010 }),
    createApiError({ request: target, status: 400 }),
    createApiError({ request: target, status: 429 }),
    createApiError({ request: target, status: 503 }),
    createApiError({ request: target, status: 500 }),
    new Error('boom'),
  ]
  it.each((['en', 'zh'] as const).flatMap((language) => errors.map((error) => ({ error, language }))))(
    'a create refused with $error.name in $language: one failure message in plain words',
    async ({ error, language }) => {
      const sent: ChatMessage[] = []
      const client: ChatReporterClient = {
        tasks: {
          create: async () => {
            throw error
          },
          waitFor: () => {
            throw new Error('not reached')
          },
        },
      }
      const outcome = await createChatReporter({ client, language, scope: NANO_BANANA_SCOPE, send: (message) => void sent.push(message) }).generate({ prompt: 'a cat', model: 'NB Pro' })
      expect(outcome.ok).toBe(false)
      expect(sent).toHaveLength(1)
      const [failure] = sent
      expect(failure?.kind).toBe('failure')
      expect(failure?.text).toContain(failure?.error?.message)
      expect(failure?.alternatives?.map((item) => item.modelId)).toEqual(['gemini-3.1-flash-image', 'gemini-3-pro-image'])
      for (const link of failure?.error?.links ?? []) expect(failure?.text).toContain(link)
      expect(findBannedTerms(failure?.text ?? '')).toEqual([])
    },
  )
})

describe('createChatReporter against the local server (real HTTP)', () => {
  const local = useImaServer({ taskDurationMs: 600 })
  /** Reporter time runs 100× faster than real time, so a 0.6 s task looks like a minute. */
  const scaled: ChatClock = {
    now: () => Date.now() * 100,
    setTimeout: (callback, ms) => setTimeout(callback, ms / 100),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  }

  it.each(['en', 'zh'] as const)('start, progress at the cadence, then the picture (%s)', async (language) => {
    const sent: ChatMessage[] = []
    const reporter = createChatReporter({ client: local.client(), language, clock: scaled, send: (message) => void sent.push(message) })
    const outcome = await reporter.generate({ prompt: 'a cat on a sofa', model: 'Nano Banana2', size: '1K', intervalMs: 50 })
    expect(outcome.ok).toBe(true)
    const kinds = sent.map((message) => message.kind)
    expect(kinds[0]).toBe('start')
    expect(kinds.at(-1)).toBe('success')
    expect(kinds.filter((kind) => kind === 'progress').length).toBeGreaterThanOrEqual(1)
    expect(sent[0]?.text).toContain(language === 'zh' ? '• 消耗积分：6 pts' : '• Credits: 6 pts')
    const success = sent.at(-1)
    expect(success?.mediaUrl).toMatch(/^http/)
    expect(success?.text).toContain(success?.mediaUrl)
    const percents = sent.filter((message) => message.kind === 'progress').map((message) => message.percent ?? 0)
    expect([...percents].sort((a, b) => a - b)).toEqual(percents)
    for (const message of sent) expect(findBannedTerms(message.text), message.text).toEqual([])
  })

  it('a failed task with a Nano Banana client suggests the other Nano Banana and another size (the client\'s scope by default)', async () => {
    const sent: ChatMessage[] = []
    const reporter = createChatReporter({ client: local.client({ models: NANO_BANANA_SCOPE }), language: 'en', clock: scaled, send: (message) => void sent.push(message) })
    const outcome = await reporter.generate({ prompt: 'a cat [fail]', size: '4K', intervalMs: 50 })
    expect(outcome.ok).toBe(false)
    const failure = sent.at(-1)
    expect(failure?.text).toBe(
      '❌ Image generation failed\n• Reason: Image generation failed, try another model\n• Try instead:\n  - Nano Banana Pro (high quality, 10–18 pts)\n  - Nano Banana2 2K (same model, another size, 10 pts)\n\nWant me to try again with another model?',
    )
  })

  it('"status failed" without detail and a wrong key, in Chinese', async () => {
    const sent: ChatMessage[] = []
    const reporter = createChatReporter({ client: local.client(), language: 'zh', clock: scaled, send: (message) => void sent.push(message) })
    await reporter.generate({ prompt: 'a cat [fail-status]', intervalMs: 50 })
    expect(sent.at(-1)?.text).toContain('• 原因：这次生成没成功，要不换个模型试试？')

    const wrong = createChatReporter({ client: local.client({ apiKey: 'ima_wrong', maxRetries: 0 }), language: 'zh', send: (message) => void sent.push(message) })
    await wrong.generate({ prompt: 'a cat' })
    expect(sent.at(-1)?.text).toContain('💡 生成新密钥：https://www.imaclaw.ai/imaclaw/apikey')
  })
})

describe('createChatReporter after a paid create (real HTTP): the task is pending, never "failed, try another"', () => {
  const local = useImaServer({ taskDurationMs: 300 })
  const scaled: ChatClock = {
    now: () => Date.now() * 100,
    setTimeout: (callback, ms) => setTimeout(callback, ms / 100),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  }
  const creates = (prompt: string) => local.server.requests.filter((request) => request.path === '/open/v1/tasks/create' && JSON.stringify(request.body).includes(prompt)).length
  const PENDING_EN = '⏳ Your picture was ordered and may still be on its way, but I could not follow it to the end\n💡 It is already paid for and may still arrive: ask for it again in a minute instead of ordering a new one, so you are not charged twice'
  const PENDING_ZH = '⏳ 图片已经下单，可能还在生成，但我暂时没能跟进到结果\n💡 这张图已经扣过积分，可能仍会生成好：过一分钟再来要它，不用重新下单，以免重复扣积分'

  it.each([
    { what: 'polls answered 500', fault: { kind: 'status', status: 500, times: Infinity } as const, language: 'en' as const },
    { what: 'polls dropped', fault: { kind: 'reset-before', times: Infinity } as const, language: 'zh' as const },
    { what: 'polls answered 401', fault: { kind: 'status', status: 401, times: Infinity } as const, language: 'en' as const },
  ])('$what: pending, no other model offered; resume delivers the picture without a second create', async ({ fault, language, what }) => {
    const sent: ChatMessage[] = []
    const reporter = createChatReporter({ client: local.client({ maxRetries: 0 }), language, clock: scaled, send: (message) => void sent.push(message) })
    const prompt = `a pending cat (${what})`
    local.server.injectFault({ path: '/open/v1/tasks/detail', ...fault })
    const outcome = await reporter.generate({ prompt, intervalMs: 20 })
    local.server.clearFaults()
    expect(outcome.ok).toBe(false)
    if (outcome.ok) return
    expect(outcome.task?.id).toMatch(/^task_/)
    expect(outcome.translated.pendingTaskId).toBe(outcome.task?.id)
    const failure = sent.at(-1)
    expect(failure?.text).toBe(language === 'zh' ? PENDING_ZH : PENDING_EN)
    expect(failure?.alternatives).toEqual([])
    expect(findBannedTerms(failure?.text ?? '')).toEqual([])

    const resumed = await reporter.resume(outcome.task as CreatedTask, { intervalMs: 20 })
    expect(resumed.ok).toBe(true)
    expect(sent.at(-1)?.kind).toBe('success')
    expect(sent.at(-1)?.mediaUrl).toMatch(/^http/)
    expect(creates(prompt)).toBe(1)
  })

  it('the wait deadline, and an abort during the wait: the task is charged and may still finish', async () => {
    const sent: ChatMessage[] = []
    const reporter = createChatReporter({ client: local.client(), language: 'en', clock: scaled, send: (message) => void sent.push(message) })
    const late = await reporter.generate({ prompt: 'a slow cat [never]', timeoutMs: 50, intervalMs: 20 })
    expect(late.ok).toBe(false)
    expect(sent.at(-1)?.text).toBe(PENDING_EN)

    const controller = new AbortController()
    const aborted = reporter.generate({ prompt: 'an abandoned cat [never]', intervalMs: 20 }, { signal: controller.signal })
    while (!sent.some((message) => message.kind === 'start' && message !== sent[0])) await new Promise((resolve) => setTimeout(resolve, 5))
    controller.abort()
    const outcome = await aborted
    expect(outcome.ok).toBe(false)
    expect(sent.at(-1)?.text).toBe(
      '⏹️ Stopped waiting — the picture was already ordered and may still be made\n💡 It is already paid for and may still arrive: ask for it again in a minute instead of ordering a new one, so you are not charged twice',
    )
    expect(sent.at(-1)?.alternatives).toEqual([])
  })

  it('a create whose answer was lost, and a ref sent twice: no other model, the advice not to order again', async () => {
    const sent: ChatMessage[] = []
    const reporter = createChatReporter({ client: local.client({ maxRetries: 0 }), language: 'en', scope: NANO_BANANA_SCOPE, send: (message) => void sent.push(message) })
    local.server.injectFault({ path: '/open/v1/tasks/create', kind: 'reset-after' })
    const lost = await reporter.generate({ prompt: 'a lost cat' })
    expect(lost.ok).toBe(false)
    expect(creates('a lost cat')).toBe(1)
    expect(sent.at(-1)?.text).toBe("⏳ I'm not sure the request went through — the picture may still be on its way\n💡 Wait a minute before asking again, so you are not charged twice")
    expect(sent.at(-1)?.alternatives).toEqual([])

    const first = await reporter.generate({ prompt: 'a cat, once', ref: 'message-77', intervalMs: 20 })
    expect(first.ok).toBe(true)
    const again = await reporter.generate({ prompt: 'a cat, once', ref: 'message-77', intervalMs: 20 })
    expect(again.ok).toBe(false)
    if (!again.ok) expect(again.translated.kind).toBe('already-ordered')
    expect(sent.at(-1)?.text).toBe('⏳ This request was already ordered — its picture is on its way or already made\n💡 Look for that picture, or ask me for it, instead of ordering it again')
    expect(creates('a cat, once')).toBe(1)
  })

  it('a 500 or 503 of the product list or the upload host is the service\'s trouble: no size advice, no other model', async () => {
    const sent: ChatMessage[] = []
    const reporter = createChatReporter({ client: local.client({ maxRetries: 0, productCacheTtlMs: 0 }), language: 'en', send: (message) => void sent.push(message) })
    const trouble = '❌ Image generation failed\n• Reason: The image service is having trouble right now\n💡 Try again in a moment'
    for (const status of [500, 503]) {
      local.server.injectFault({ path: '/open/v1/product/list', kind: 'status', status })
      const listed = await reporter.generate({ prompt: 'a listed cat', size: '512px', model: 'NB2' })
      expect(listed.ok).toBe(false)
      expect(sent.at(-1)?.text).toBe(trouble)
      expect(sent.at(-1)?.alternatives).toEqual([])
    }
    local.server.injectFault({ path: '/api/rest/oss/getuploadtoken', kind: 'status', status: 500 })
    const uploaded = await reporter.generate({ prompt: 'an edited cat', inputImages: [encodePng(2, 2, new Uint8Array(12))] })
    expect(uploaded.ok).toBe(false)
    expect(sent.at(-1)?.text).toBe(trouble)
    expect(creates('a listed cat') + creates('an edited cat')).toBe(0)
    const zh = translateError(createApiError({ request: { method: 'GET', path: '/open/v1/product/list' }, status: 500 }), 'zh')
    expect({ message: zh.message, action: zh.action, kind: zh.kind }).toEqual({ message: '图片服务暂时出了点问题', action: '请稍等片刻再试一次', kind: 'service-trouble' })
  })

  it("a rate limit the service timed: the wait is named, in minutes past 90 s, and left out when absurd", async () => {
    const sent: ChatMessage[] = []
    const reporter = createChatReporter({ client: local.client({ maxRetries: 0 }), language: 'zh', send: (message) => void sent.push(message) })
    for (const [retryAfter, action] of [['30', '💡 等 30 秒左右再试一次'], ['600', '💡 等 10 分钟左右再试一次'], ['999999999', undefined]] as const) {
      local.server.injectFault({ path: '/open/v1/tasks/create', kind: 'status', status: 429, retryAfter })
      await reporter.generate({ prompt: 'a cat' })
      const text = sent.at(-1)?.text ?? ''
      if (action) expect(text).toContain(action)
      else expect(text).not.toContain('💡')
      expect(text).toContain('需要我帮你用其他模型重试吗？')
    }
  })
})
