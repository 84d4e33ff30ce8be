import {
  ApiError,
  BudgetExceededError,
  ConnectionError,
  CreateOutcomeUnknownError,
  DuplicateCreateError,
  ImaAbortError,
  ImaConfigError,
  ImaError,
  ModelNotFoundError,
  RequestTimeoutError,
  ResponseValidationError,
  TaskFailedError,
  TaskTimeoutError,
  ValidationError,
} from 'ima-open-sdk'
import { describe, expect, it } from 'vitest'
import { createApiError } from '../../src/http/api-errors.js'
import { CHAT_ERROR_KINDS, findBannedTerms, translateError, type ChatErrorKind, type ChatLanguage } from '../../src/chat/index.js'
import { rejectionOf, useImaServer } from '../integration/harness.js'

const KEY_URL = 'https://www.imaclaw.ai/imaclaw/apikey'
const CREDITS_URL = 'https://www.imaclaw.ai/imaclaw/subscription'
const target = { method: 'POST', path: '/open/v1/tasks/create' }
const api = (status: number, code?: number, serviceMessage?: string, retryAfterMs?: number) =>
  createApiError({ request: target, status, ...(code === undefined ? {} : { code }), ...(serviceMessage ? { serviceMessage } : {}), ...(retryAfterMs ? { retryAfterMs } : {}) })

interface Row {
  what: string
  error: unknown
  kind: ChatErrorKind
  en: string
  zh: string
  code?: string | number
  links?: string[]
}

/** Every row of the seeds' error tables (and §5 of the protocol), then the SDK's own errors. */
const ROWS: Row[] = [
  { what: '401', error: api(401), kind: 'auth', en: 'API key is invalid or unauthorized', zh: 'API密钥无效或未授权', code: 401, links: [KEY_URL] },
  { what: '401 inside a 200 envelope', error: api(200, 401, 'Unauthorized'), kind: 'auth', en: 'API key is invalid or unauthorized', zh: 'API密钥无效或未授权', code: 401, links: [KEY_URL] },
  { what: '4008', error: api(200, 4008, 'Insufficient points'), kind: 'credits', en: 'Insufficient points to create this task', zh: '积分不足，无法创建任务', code: 4008, links: [CREDITS_URL] },
  { what: '"Insufficient points" without a code', error: new Error('Insufficient points'), kind: 'credits', en: 'Insufficient points to create this task', zh: '积分不足，无法创建任务', links: [CREDITS_URL] },
  { what: '"Invalid product attribute"', error: api(200, 6001, 'Invalid product attribute'), kind: 'configuration', en: 'Configuration error, please try again later', zh: '生成参数配置异常，请稍后重试', code: 6001 },
  { what: '6006', error: api(200, 6006, 'credit mismatch'), kind: 'points-calculation', en: 'Points calculation error, system is fixing', zh: '积分计算异常，系统正在修复', code: 6006 },
  { what: '6009', error: api(200, 6009, 'no rule'), kind: 'incompatible', en: 'Model parameters incompatible, try another model', zh: '模型参数不匹配，请尝试其他模型', code: 6009 },
  { what: '6010', error: api(200, 6010, 'attribute mismatch'), kind: 'incompatible', en: 'Model parameters incompatible, try another model', zh: '模型参数不匹配，请尝试其他模型', code: 6010 },
  { what: '400', error: api(400), kind: 'bad-parameter', en: 'Image parameter error, adjust size or aspect ratio', zh: '图片参数设置有误，请调整尺寸或比例', code: 400 },
  { what: 'resource_status 2', error: new TaskFailedError('t failed: content', { taskId: 't1', reason: 'content check', failure: 'resource' }), kind: 'generation-failed', en: 'Image generation failed, try another model', zh: '图片生成遇到问题，建议换个模型试试', code: 'task_failed' },
  { what: 'status "failed" without detail', error: new TaskFailedError('t failed', { taskId: 't1', failure: 'status' }), kind: 'unsuccessful', en: 'Generation unsuccessful, try a different model?', zh: '这次生成没成功，要不换个模型试试？', code: 'task_failed' },
  // A journal that cannot be written is this bot's storage, not the model: "use another model" would not help.
  { what: 'journal unavailable', error: new ImaError('The task journal could not be written (EACCES)', { code: 'journal_unavailable' }), kind: 'setup', en: 'Image generation is not set up yet', zh: '图片生成功能还没有配置好', code: 'journal_unavailable' },
  { what: 'timeout', error: new TaskTimeoutError('late', { taskId: 't1', elapsedMs: 600_000 }), kind: 'timeout', en: 'Generation took too long, try a faster model', zh: '生成时间过长已超时，建议用更快的模型', code: 'task_timeout' },
  { what: 'network: ConnectionError', error: new ConnectionError('refused', { request: target, sent: false, code: 'ECONNREFUSED' }), kind: 'network', en: 'Network connection unstable, check network and retry', zh: '网络连接不稳定，请检查网络后重试', code: 'ECONNREFUSED' },
  { what: 'network: RequestTimeoutError', error: new RequestTimeoutError('slow', { request: target }), kind: 'network', en: 'Network connection unstable, check network and retry', zh: '网络连接不稳定，请检查网络后重试', code: 'timeout' },
  { what: 'network: a raw Node error', error: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), kind: 'network', en: 'Network connection unstable, check network and retry', zh: '网络连接不稳定，请检查网络后重试', code: 'ECONNREFUSED' },
  { what: '429', error: api(429), kind: 'rate-limit', en: 'Too many requests, please wait a moment', zh: '请求过于频繁，请稍等片刻再试', code: 429 },
  { what: '503', error: api(503), kind: 'unavailable', en: 'Model temporarily unavailable, try another model', zh: '当前模型暂时不可用，建议换个模型', code: 503 },
  { what: '500', error: api(500), kind: 'server', en: 'This combination could not be made right now, try a smaller size', zh: '这个组合暂时生成不了，建议换个小一点的尺寸', code: 500 },
  { what: '500 of the product list', error: createApiError({ request: { method: 'GET', path: '/open/v1/product/list' }, status: 500 }), kind: 'service-trouble', en: 'The image service is having trouble right now', zh: '图片服务暂时出了点问题', code: 500 },
  { what: '503 of the upload host', error: createApiError({ request: { method: 'GET', path: '/api/rest/oss/getuploadtoken' }, status: 503 }), kind: 'service-trouble', en: 'The image service is having trouble right now', zh: '图片服务暂时出了点问题', code: 503 },
  { what: 'unsupported aspect ratio', error: new ValidationError('ratio 7:3 not offered', [{ path: 'aspectRatio', message: 'not offered' }]), kind: 'unsupported-ratio', en: 'Use supported ratios: 1:1, 16:9, 9:16, 4:3, 3:4', zh: '请使用支持的比例：1:1、16:9、9:16、4:3、3:4', code: 'validation' },
  { what: 'unsupported size', error: new ValidationError('size 8K', [{ path: 'size', message: 'not offered' }]), kind: 'unsupported-size', en: 'This model does not offer that size', zh: '这个模型没有这个尺寸', code: 'validation' },
  { what: 'ValidationError (other)', error: new ValidationError('prompt empty', [{ path: 'prompt', message: 'empty' }]), kind: 'invalid-input', en: 'Your request needs a small adjustment', zh: '这个请求需要稍微调整一下', code: 'validation' },
  { what: 'BudgetExceededError', error: new BudgetExceededError('too dear', { cost: 18, remaining: 5 }), kind: 'budget', en: 'This picture would cost more points than allowed', zh: '这张图需要的积分超出了设定的上限', code: 'validation' },
  { what: 'ModelNotFoundError', error: new ModelNotFoundError('Unknown model "dalle"', ['gemini-3.1-flash-image', 'gemini-3-pro-image']), kind: 'model-not-found', en: "I couldn't find that model", zh: '没有找到这个模型', code: 'validation' },
  { what: 'CreateOutcomeUnknownError', error: new CreateOutcomeUnknownError('unknown', { cause: new Error('reset') }), kind: 'outcome-unknown', en: "I'm not sure the request went through — the picture may still be on its way", zh: '不确定这次请求是否已提交，图片可能仍在生成', code: 'create_outcome_unknown' },
  { what: 'ImaAbortError', error: new ImaAbortError(), kind: 'cancelled', en: 'Generation cancelled', zh: '已取消生成', code: 'aborted' },
  { what: "the platform's AbortError", error: new DOMException('aborted', 'AbortError'), kind: 'cancelled', en: 'Generation cancelled', zh: '已取消生成' },
  { what: 'DuplicateCreateError', error: new DuplicateCreateError({ ref: 'message-7', state: 'succeeded', taskId: 't1', totalCredit: 6 }), kind: 'already-ordered', en: 'This request was already ordered — its picture is on its way or already made', zh: '这个请求已经下过单了，图片正在生成或已经生成好', code: 'duplicate_create' },
  { what: 'ImaConfigError (no key)', error: new ImaConfigError('No API key: set IMA_API_KEY'), kind: 'setup', en: 'Image generation is not set up yet', zh: '图片生成功能还没有配置好' },
]

const GENERIC_EN = 'Image generation encountered an issue, please try again or use another model'
const GENERIC_ZH = '图片生成遇到问题，请稍后重试或换个模型试试'
const ODDITIES: unknown[] = [
  undefined,
  null,
  42,
  'something broke',
  new Error('boom'),
  new TypeError("Cannot read properties of undefined (reading 'url')"),
  new ResponseValidationError('bad body', { request: target, excerpt: '<html>' }),
  new ApiError('teapot', { request: target, status: 418 }),
  api(404),
  { weird: true },
]

describe('translateError', () => {
  describe.each(['en', 'zh'] as const)('in %s', (language: ChatLanguage) => {
    it.each(ROWS)('$what', (row) => {
      const translated = translateError(row.error, language)
      expect(translated.kind).toBe(row.kind)
      expect(translated.message).toBe(language === 'zh' ? row.zh : row.en)
      expect(translated.action.length).toBeGreaterThan(0)
      if (row.code !== undefined) expect(translated.code).toBe(row.code)
      expect(translated.links).toEqual(row.links ?? [])
      for (const link of row.links ?? []) expect(translated.action).toContain(link)
    })

    it.each(ODDITIES.map((error) => ({ error })))('falls back to the generic sentence for %o', ({ error }) => {
      const translated = translateError(error, language)
      expect(translated.kind).toBe('generic')
      expect(translated.message).toBe(language === 'zh' ? GENERIC_ZH : GENERIC_EN)
    })
  })

  it('says how long to wait when the service said so', () => {
    expect(translateError(api(429, undefined, undefined, 30_000), 'en').action).toBe('Wait about 30 seconds, then try again')
    expect(translateError(api(429, undefined, undefined, 2_500), 'zh').action).toBe('等 3 秒左右再试一次')
  })

  it('names a long wait in minutes and leaves out one past an hour (or not a number)', () => {
    expect(translateError(api(429, undefined, undefined, 90_000), 'en').action).toBe('Wait about 90 seconds, then try again')
    expect(translateError(api(429, undefined, undefined, 600_000), 'en').action).toBe('Wait about 10 minutes, then try again')
    expect(translateError(api(429, undefined, undefined, 600_000), 'zh').action).toBe('等 10 分钟左右再试一次')
    for (const wait of [3_600_001, 999_999_999_000, Number.POSITIVE_INFINITY, Number.NaN]) {
      expect(translateError({ name: 'RateLimitError', retryAfterMs: wait }, 'en').action).toBe('Wait a moment, then try again')
    }
  })

  it('an error after the create that is not the task\'s verdict is pending: paid for, fetch it later, never order again', () => {
    const pendingEn = 'It is already paid for and may still arrive: ask for it again in a minute instead of ordering a new one, so you are not charged twice'
    const afterCreate = [
      new TaskTimeoutError('late', { taskId: 't1', elapsedMs: 600_000 }),
      Object.assign(new ConnectionError('reset', { request: target, sent: true }), { taskId: 't1' }),
      Object.assign(api(500), { taskId: 't1' }),
      Object.assign(api(401), { taskId: 't1' }),
    ]
    for (const error of afterCreate) {
      const translated = translateError(error, 'en')
      expect(translated).toMatchObject({ pendingTaskId: 't1', action: pendingEn })
      expect(findBannedTerms(translated.message + translated.action)).toEqual([])
    }
    // The class's own sentence stays, so a log or a CLI can still say what went wrong.
    expect(translateError(afterCreate[0], 'en').message).toBe('Generation took too long, try a faster model')
    // An abort after the create did not cancel the task; the caller may name the task it knows.
    expect(translateError(new ImaAbortError(), 'zh', { taskId: 't2' })).toMatchObject({
      kind: 'cancelled',
      pendingTaskId: 't2',
      message: '已停止等待——这张图已经下单，可能仍会生成好',
      action: '这张图已经扣过积分，可能仍会生成好：过一分钟再来要它，不用重新下单，以免重复扣积分',
    })
    // A verdict, a duplicate or an error before any create is not pending.
    expect(translateError(new TaskFailedError('failed', { taskId: 't1', failure: 'resource' }), 'en').pendingTaskId).toBeUndefined()
    expect(translateError(new DuplicateCreateError({ ref: 'r', state: 'created', taskId: 't1', totalCredit: 6 }), 'en').pendingTaskId).toBeUndefined()
    expect(translateError(api(500), 'en').pendingTaskId).toBeUndefined()
    expect(translateError(new ImaAbortError(), 'en')).toMatchObject({ kind: 'cancelled', message: 'Generation cancelled' })
  })

  it('a value whose fields throw when read is the generic case, not a throw', () => {
    const throwing = {
      get name(): string {
        throw new Error('getter boom')
      },
    }
    const revoked = Proxy.revocable({}, {})
    revoked.revoke()
    const rateLimitThatThrows = {
      name: 'RateLimitError',
      get retryAfterMs(): number {
        throw new Error('getter boom')
      },
    }
    for (const error of [throwing, revoked.proxy, rateLimitThatThrows]) {
      const translated = translateError(error, 'en')
      expect(translated.message.length).toBeGreaterThan(0)
    }
    expect(translateError(throwing, 'en').kind).toBe('generic')
    expect(translateError(revoked.proxy, 'en').kind).toBe('generic')
  })

  it("offers the budget error's cheaper choice by its display name", () => {
    const error = new BudgetExceededError('too dear', { cost: 18, remaining: 10, suggestion: { model: 'gemini-3-pro-image', size: '2K', cost: 10 } })
    expect(translateError(error, 'en').action).toBe('Try Nano Banana Pro 2K instead (10 pts)')
    expect(translateError(error, 'zh').action).toBe('可以改用 Nano Banana Pro 2K（10 积分）')
  })

  it('lists the models a user can name, never their ids', () => {
    const error = new ModelNotFoundError('Unknown model', ['gemini-3.1-flash-image', 'gemini-3-pro-image', 'some-new-model'])
    expect(translateError(error, 'en').action).toBe('Choose one of: Nano Banana2, Nano Banana Pro — or say "recommend one"')
    expect(translateError(error, 'zh').action).toBe('可以选：Nano Banana2、Nano Banana Pro，或者说「推荐一个」')
  })

  it('knows every kind in both languages and never says anything technical', () => {
    const everything = [...ROWS.map((row) => row.error), ...ODDITIES, api(429, undefined, undefined, 30_000)]
    const seen = new Set<string>()
    for (const language of ['en', 'zh'] as const) {
      for (const error of everything) {
        const { message, action, kind } = translateError(error, language)
        seen.add(kind)
        expect(findBannedTerms(message), message).toEqual([])
        expect(findBannedTerms(action), action).toEqual([])
      }
    }
    expect([...seen].sort()).toEqual([...CHAT_ERROR_KINDS].sort())
  })

  it('the banned list catches what it should', () => {
    expect(findBannedTerms('Error 6006: attribute_id mismatch')).toEqual(expect.arrayContaining(['attribute_id', 'Error 6006', 'status or business code']))
    expect(findBannedTerms('HTTP 请求失败')).toContain('HTTP')
    expect(findBannedTerms('API 调用出错')).toEqual(expect.arrayContaining(['API 调用']))
    expect(findBannedTerms('429 Too Many Requests')).toEqual(expect.arrayContaining(['429 Too Many Requests', 'status or business code']))
    expect(findBannedTerms('task_id abc')).toContain('task_id')
    expect(findBannedTerms('{"code":500}')).toEqual(expect.arrayContaining(['code-like braces', 'status or business code']))
    // Durations, sizes and points are not codes; "API key" is the seeds' own wording.
    expect(findBannedTerms('已等待 400s，预计最长 500秒 · 4K · 10 pts · API key · API密钥')).toEqual([])
    // Digits inside a link are the link's own (a task id, a port), not codes; a code beside a link still is.
    expect(findBannedTerms('🔗 原始链接：http://127.0.0.1:45004/files/task_816e504d5ac0e9dd360551f9/0.png?v=429')).toEqual([])
    expect(findBannedTerms('Error 504 — see https://example.com/help')).toContain('status or business code')
  })
})

describe('translateError on errors from real requests', () => {
  const local = useImaServer({ apiKeys: { ima_rich: 100_000, ima_poor: 0 }, taskDurationMs: 200 })

  it('a wrong key, too few points, 429, 503 and a refused connection', async () => {
    const wrongKey = await rejectionOf(local.client({ apiKey: 'ima_wrong', maxRetries: 0 }).tasks.create({ prompt: 'a cat' }))
    expect(translateError(wrongKey, 'en')).toMatchObject({ kind: 'auth', links: [KEY_URL] })

    const poor = await rejectionOf(local.client({ apiKey: 'ima_poor', maxRetries: 0 }).tasks.create({ prompt: 'a cat' }))
    expect(translateError(poor, 'zh')).toMatchObject({ kind: 'credits', message: '积分不足，无法创建任务', code: 4008 })

    local.server.injectFault({ kind: 'status', status: 429, path: '/open/v1/tasks/create' })
    const limited = await rejectionOf(local.client({ apiKey: 'ima_rich', maxRetries: 0 }).tasks.create({ prompt: 'a cat' }))
    expect(translateError(limited, 'en').kind).toBe('rate-limit')

    local.server.injectFault({ kind: 'status', status: 503, path: '/open/v1/tasks/create' })
    const unavailable = await rejectionOf(local.client({ apiKey: 'ima_rich', maxRetries: 0 }).tasks.create({ prompt: 'a cat' }))
    expect(translateError(unavailable, 'en').kind).toBe('unavailable')

    const refused = await rejectionOf(
      local.client({ apiKey: 'ima_rich', maxRetries: 0, baseURL: 'http://127.0.0.1:1' }).products.list('text_to_image'),
    )
    expect(translateError(refused, 'en').kind).toBe('network')
  })
})
