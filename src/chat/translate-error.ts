/**
 * Turns any error the SDK (or the platform under it) throws into the words a
 * chat user should read: one plain sentence, one thing to do, and the links
 * that help. The sentences are the skill documents' own ("Say Instead"
 * columns of their error tables); errors the tables do not cover get
 * sentences written in the same tone. Nothing technical reaches the text —
 * the service's code is returned apart, in `code`, for logs.
 */
import { API_KEY_URL, CREDITS_URL } from '../http/api-errors.js'
import { displayName } from '../catalog/scopes.js'
import { CREATE_TASK_PATH } from '../protocol/endpoints.js'
import type { ChatLanguage } from './types.js'

/**
 * What kind of trouble an error is, as far as a chat user is concerned. One
 * kind per row of the seeds' error table, plus the SDK's own errors.
 * @public
 */
export type ChatErrorKind =
  | 'auth'
  | 'credits'
  | 'configuration'
  | 'points-calculation'
  | 'incompatible'
  | 'bad-parameter'
  | 'unsupported-ratio'
  | 'unsupported-size'
  | 'generation-failed'
  | 'unsuccessful'
  | 'timeout'
  | 'network'
  | 'rate-limit'
  | 'unavailable'
  | 'server'
  | 'service-trouble'
  | 'invalid-input'
  | 'budget'
  | 'model-not-found'
  | 'outcome-unknown'
  | 'already-ordered'
  | 'cancelled'
  | 'setup'
  | 'generic'

/**
 * An error in a chat user's words.
 * @public
 */
export interface TranslatedError {
  /** What went wrong, in one plain sentence (the seeds' sentence when they give one). */
  message: string
  /** What the user can do now, in plain words; carries the links when there are any. */
  action: string
  /** The service's or SDK's code (4008, 6010, 401, `'task_timeout'`…), for logs only — never shown in the text. */
  code: string | number | undefined
  /** Links the user may need (new key, buy credits); also written into `action`. */
  links: string[]
  /** Which kind of trouble it is, so a caller can decide what else to offer (e.g. other models). */
  kind: ChatErrorKind
  /**
   * Set when the task was created and the error is not its verdict (a wait
   * that timed out, lost the network or was aborted): the picture is paid
   * for and may still arrive, so `action` says to fetch it later, never to
   * order it again. Follow it with `ima.tasks.wait(pendingTaskId)` (or the
   * reporter's `resume`).
   */
  pendingTaskId?: string
}

/** Options of {@link translateError}. @public */
export interface TranslateErrorOptions {
  /** The task the error concerns, when the caller knows it was created (the error's own `taskId` is read too). */
  taskId?: string
}

interface Phrase {
  message: string
  action: string
}

/** Per kind, per language. Sentences in `message` are the seeds' exact ones where they exist. */
const PHRASES: Record<ChatErrorKind, Record<ChatLanguage, Phrase>> = {
  auth: {
    en: { message: 'API key is invalid or unauthorized', action: `Generate a new API key: ${API_KEY_URL}` },
    zh: { message: 'API密钥无效或未授权', action: `生成新密钥：${API_KEY_URL}` },
  },
  credits: {
    en: { message: 'Insufficient points to create this task', action: `Buy credits: ${CREDITS_URL} — or pick a cheaper model or a smaller size` },
    zh: { message: '积分不足，无法创建任务', action: `购买积分：${CREDITS_URL} ，或换个更便宜的模型、更小的尺寸` },
  },
  configuration: {
    en: { message: 'Configuration error, please try again later', action: 'Try again in a moment' },
    zh: { message: '生成参数配置异常，请稍后重试', action: '请稍等片刻再试一次' },
  },
  'points-calculation': {
    en: { message: 'Points calculation error, system is fixing', action: 'Try again in a moment' },
    zh: { message: '积分计算异常，系统正在修复', action: '请稍等片刻再试一次' },
  },
  incompatible: {
    en: { message: 'Model parameters incompatible, try another model', action: 'Pick another model, or the same model at another size' },
    zh: { message: '模型参数不匹配，请尝试其他模型', action: '换个模型，或同一个模型换个尺寸试试' },
  },
  'bad-parameter': {
    en: { message: 'Image parameter error, adjust size or aspect ratio', action: 'Try another size or a common ratio such as 1:1 or 16:9' },
    zh: { message: '图片参数设置有误，请调整尺寸或比例', action: '换个尺寸，或用 1:1、16:9 这样的常见比例' },
  },
  'unsupported-ratio': {
    en: { message: 'Use supported ratios: 1:1, 16:9, 9:16, 4:3, 3:4', action: 'Pick one of these ratios and I will make it again' },
    zh: { message: '请使用支持的比例：1:1、16:9、9:16、4:3、3:4', action: '从这些比例里选一个，我再帮你生成' },
  },
  'unsupported-size': {
    en: { message: 'This model does not offer that size', action: 'Pick another size — 4K is the largest any model makes' },
    zh: { message: '这个模型没有这个尺寸', action: '换个尺寸试试，最大支持 4K' },
  },
  'generation-failed': {
    en: { message: 'Image generation failed, try another model', action: 'Try again with another model' },
    zh: { message: '图片生成遇到问题，建议换个模型试试', action: '换个模型再试一次' },
  },
  unsuccessful: {
    en: { message: 'Generation unsuccessful, try a different model?', action: 'Try again with a different model' },
    zh: { message: '这次生成没成功，要不换个模型试试？', action: '换个模型再试一次' },
  },
  timeout: {
    en: { message: 'Generation took too long, try a faster model', action: 'Try a faster model; the picture may also still arrive later' },
    zh: { message: '生成时间过长已超时，建议用更快的模型', action: '换个更快的模型试试，这张图也可能稍后生成好' },
  },
  network: {
    en: { message: 'Network connection unstable, check network and retry', action: 'Check the connection, then send your request again' },
    zh: { message: '网络连接不稳定，请检查网络后重试', action: '检查一下网络，然后再发一次' },
  },
  'rate-limit': {
    en: { message: 'Too many requests, please wait a moment', action: 'Wait a moment, then try again' },
    zh: { message: '请求过于频繁，请稍等片刻再试', action: '稍等片刻再试一次' },
  },
  unavailable: {
    en: { message: 'Model temporarily unavailable, try another model', action: 'Pick another model, or try this one again later' },
    zh: { message: '当前模型暂时不可用，建议换个模型', action: '换个模型，或稍后再用这个模型' },
  },
  server: {
    en: { message: 'This combination could not be made right now, try a smaller size', action: 'Try a smaller size or another model' },
    zh: { message: '这个组合暂时生成不了，建议换个小一点的尺寸', action: '换个小一点的尺寸或换个模型试试' },
  },
  // A 5xx of a call that creates nothing (the product list, the upload host): neither the size nor the model is to blame.
  'service-trouble': {
    en: { message: 'The image service is having trouble right now', action: 'Try again in a moment' },
    zh: { message: '图片服务暂时出了点问题', action: '请稍等片刻再试一次' },
  },
  'invalid-input': {
    en: { message: 'Your request needs a small adjustment', action: 'Describe the picture again, and check the size and ratio you asked for' },
    zh: { message: '这个请求需要稍微调整一下', action: '重新描述一下想要的画面，并确认尺寸和比例' },
  },
  budget: {
    en: { message: 'This picture would cost more points than allowed', action: 'Pick a cheaper model or a smaller size' },
    zh: { message: '这张图需要的积分超出了设定的上限', action: '换个更便宜的模型或更小的尺寸' },
  },
  'model-not-found': {
    en: { message: "I couldn't find that model", action: 'Say "recommend one", or name one of the models I offer' },
    zh: { message: '没有找到这个模型', action: '说「推荐一个」，或者从我提供的模型里选一个' },
  },
  'outcome-unknown': {
    en: { message: "I'm not sure the request went through — the picture may still be on its way", action: 'Wait a minute before asking again, so you are not charged twice' },
    zh: { message: '不确定这次请求是否已提交，图片可能仍在生成', action: '请等一分钟再重试，以免重复扣积分' },
  },
  'already-ordered': {
    en: { message: 'This request was already ordered — its picture is on its way or already made', action: 'Look for that picture, or ask me for it, instead of ordering it again' },
    zh: { message: '这个请求已经下过单了，图片正在生成或已经生成好', action: '看看那张图，或者找我要它，不用重新下单' },
  },
  cancelled: {
    en: { message: 'Generation cancelled', action: 'Send your request again whenever you like' },
    zh: { message: '已取消生成', action: '需要的时候再告诉我就好' },
  },
  setup: {
    en: { message: 'Image generation is not set up yet', action: 'Ask the administrator of this bot to finish its setup' },
    zh: { message: '图片生成功能还没有配置好', action: '请联系管理员完成配置' },
  },
  generic: {
    en: { message: 'Image generation encountered an issue, please try again or use another model', action: 'Try again, or pick another model' },
    zh: { message: '图片生成遇到问题，请稍后重试或换个模型试试', action: '稍后再试，或者换个模型' },
  },
}

const LINKS: Partial<Record<ChatErrorKind, string[]>> = {
  auth: [API_KEY_URL],
  credits: [CREDITS_URL],
}

/** The task's own verdict (or the journal's word on an earlier create): nothing is pending after these. */
const SETTLED_KINDS: ReadonlySet<ChatErrorKind> = new Set(['generation-failed', 'unsuccessful', 'already-ordered'])

/** A created task whose wait ended without a verdict: paid for, and it may still arrive. */
const PENDING: Record<ChatLanguage, { action: string; cancelled: string }> = {
  en: {
    action: 'It is already paid for and may still arrive: ask for it again in a minute instead of ordering a new one, so you are not charged twice',
    cancelled: 'Stopped waiting — the picture was already ordered and may still be made',
  },
  zh: {
    action: '这张图已经扣过积分，可能仍会生成好：过一分钟再来要它，不用重新下单，以免重复扣积分',
    cancelled: '已停止等待——这张图已经下单，可能仍会生成好',
  },
}

/** Above this, a service's Retry-After is not a wait worth naming: the table's sentence says it better. */
const LONGEST_NAMED_WAIT_MS = 60 * 60_000

/** Node and undici spellings of "the connection never worked". */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', 'EPIPE', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET'])
const INSUFFICIENT_POINTS = /insufficient points/i

interface ErrorFacts {
  name: string | undefined
  code: string | number | undefined
  status: number | undefined
  /** The service's own message when there is one, else the error's message. */
  text: string
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined
}

/**
 * Reads what matters by duck typing rather than `instanceof`, so errors from
 * a second copy of the SDK (two bundles in one bot), plain objects such as
 * `{ status: 429 }` and platform errors are all understood.
 */
function factsOf(error: unknown): ErrorFacts {
  if (typeof error === 'string') return { name: undefined, code: undefined, status: undefined, text: error }
  try {
    return readFacts(error)
  } catch {
    // A getter that throws or a revoked Proxy: nothing can be read, which is the generic case.
    return { name: undefined, code: undefined, status: undefined, text: '' }
  }
}

function readFacts(error: unknown): ErrorFacts {
  const name = field(error, 'name')
  const code = field(error, 'code')
  const status = field(error, 'status')
  const serviceMessage = field(error, 'serviceMessage')
  const message = field(error, 'message')
  return {
    name: typeof name === 'string' ? name : undefined,
    code: typeof code === 'string' || typeof code === 'number' ? code : undefined,
    status: typeof status === 'number' ? status : undefined,
    text: typeof serviceMessage === 'string' ? serviceMessage : typeof message === 'string' ? message : '',
  }
}

function validationKind(error: unknown): ChatErrorKind {
  const issues = field(error, 'issues')
  const paths = Array.isArray(issues) ? issues.map((issue) => String(field(issue, 'path') ?? '').toLowerCase()) : []
  // A ratio the model lacks is the seeds' "unsupported aspect ratio" row; a size has no row but deserves its own words.
  if (paths.some((path) => path.includes('aspectratio') || path.includes('aspect_ratio'))) return 'unsupported-ratio'
  if (paths.some((path) => path === 'size' || path.endsWith('.size'))) return 'unsupported-size'
  if (paths.includes('model')) return 'model-not-found'
  return 'invalid-input'
}

/**
 * The kind of an SDK error, by its class (read from `name`, so errors from a
 * second copy of the SDK are understood too). The class already says what
 * the service's code meant: the codes are read in one place, where the error
 * is made. `undefined` for errors from outside the SDK.
 */
function kindOfClass(error: unknown, facts: ErrorFacts): ChatErrorKind | undefined {
  switch (facts.name) {
    case 'AbortError':
      return 'cancelled'
    case 'CreateOutcomeUnknownError':
      return 'outcome-unknown'
    case 'DuplicateCreateError':
      return 'already-ordered'
    case 'TaskTimeoutError':
      return 'timeout'
    case 'TaskFailedError': {
      // The SDK's error says which row: resource_status 2 (or deleted) vs the bare status "failed".
      const failure = field(error, 'failure')
      if (failure === 'status') return 'unsuccessful'
      if (failure === 'resource' || failure === 'deleted') return 'generation-failed'
      // Plain objects from elsewhere: a reason means a media failed with detail.
      const reason = field(error, 'reason')
      return typeof reason === 'string' && reason !== '' ? 'generation-failed' : 'unsuccessful'
    }
    case 'ConnectionError':
    case 'RequestTimeoutError':
    case 'TimeoutError':
      return 'network'
    case 'BudgetExceededError':
      return 'budget'
    case 'ModelNotFoundError':
      return 'model-not-found'
    case 'ValidationError':
      return validationKind(error)
    case 'ImaConfigError':
      return 'setup'
    case 'ImaError':
      // The task journal (the bot's own storage) could not be used: nothing was sent, and no model would fare better.
      return facts.code === 'journal_unavailable' ? 'setup' : undefined
    case 'InsufficientPointsError':
      return 'credits'
    case 'CreditMismatchError':
      return 'points-calculation'
    case 'AttributeMismatchError':
      // One class for the seeds' two rows: a rule that no longer matches (6009/6010) vs "Invalid product attribute".
      return facts.code === 6009 || facts.code === 6010 ? 'incompatible' : 'configuration'
    case 'AuthenticationError':
      return 'auth'
    case 'BadRequestError':
      return 'bad-parameter'
    case 'RateLimitError':
      return 'rate-limit'
    // The seeds' 503 and 500 rows are about a create (the model, the combination); another call's is the service's trouble.
    case 'ServiceUnavailableError':
      return isCreateCall(error) ? 'unavailable' : 'service-trouble'
    case 'ServerError':
      return isCreateCall(error) ? 'server' : 'service-trouble'
    case 'ApiError':
    case 'NotFoundError':
    case 'ResponseValidationError':
    case 'ResponseTooLargeError':
      return 'generic'
  }
  return undefined
}

/** Whether an API error answered a create (its `request`), or says nothing of which call it answered. */
function isCreateCall(error: unknown): boolean {
  const path = field(field(error, 'request'), 'path')
  return path === undefined || path === CREATE_TASK_PATH
}

/** The kind of an error from outside the SDK (the platform's, a plain object): what it carries is all there is. */
function kindOfForeign(facts: ErrorFacts): ChatErrorKind {
  if (typeof facts.code === 'string' && NETWORK_CODES.has(facts.code)) return 'network'
  if (facts.name === 'TypeError' && /fetch failed|network/i.test(facts.text)) return 'network'
  if (INSUFFICIENT_POINTS.test(facts.text)) return 'credits'
  const status = facts.status
  if (status === 401 || status === 403) return 'auth'
  if (status === 429) return 'rate-limit'
  if (status === 503) return 'unavailable'
  if (status !== undefined && status >= 500 && status < 600) return 'server'
  return 'generic'
}

/** A wait in the unit a person would say: seconds up to 90, then minutes. */
function waitWords(ms: number, language: ChatLanguage): string {
  if (ms <= 90_000) {
    const seconds = Math.max(1, Math.ceil(ms / 1000))
    return language === 'zh' ? `${seconds} 秒` : `${seconds} seconds`
  }
  const minutes = Math.ceil(ms / 60_000)
  return language === 'zh' ? `${minutes} 分钟` : `${minutes} minutes`
}

/** Actions that can be more precise than the table, from what the error carries. */
function preciseAction(kind: ChatErrorKind, error: unknown, language: ChatLanguage): string | undefined {
  if (kind === 'rate-limit') {
    const wait = field(error, 'retryAfterMs')
    if (typeof wait === 'number' && wait > 0 && wait <= LONGEST_NAMED_WAIT_MS) {
      return language === 'zh' ? `等 ${waitWords(wait, language)}左右再试一次` : `Wait about ${waitWords(wait, language)}, then try again`
    }
  }
  if (kind === 'budget') {
    const suggestion = field(error, 'suggestion')
    const model = field(suggestion, 'model')
    const cost = field(suggestion, 'cost')
    const size = field(suggestion, 'size')
    if (typeof model === 'string' && typeof cost === 'number') {
      const what = `${displayName(model)}${typeof size === 'string' ? ` ${size}` : ''}`
      return language === 'zh' ? `可以改用 ${what}（${cost} 积分）` : `Try ${what} instead (${cost} pts)`
    }
  }
  if (kind === 'model-not-found') {
    const available = field(error, 'available')
    // Only names users know; an unknown model id is a technical string.
    const names = Array.isArray(available)
      ? [...new Set(available.filter((id): id is string => typeof id === 'string').map(displayName))].filter((name) => !/[-_]/.test(name))
      : []
    if (names.length > 0) {
      return language === 'zh' ? `可以选：${names.join('、')}，或者说「推荐一个」` : `Choose one of: ${names.join(', ')} — or say "recommend one"`
    }
  }
  return undefined
}

/**
 * Translates any error into the sentence and the suggested action a chat
 * user should read, in English or Chinese. Every error class of the SDK and
 * every code of the protocol's error table has its own words; anything else
 * gets the seeds' generic fallback. The text never holds codes, class names
 * or field names — the code is returned apart in `code`.
 *
 * An error that came after the create was accepted (it carries `taskId`,
 * or `options.taskId` names the task) and is not the task's own failure is
 * translated as pending: the picture is paid for and may still arrive, so
 * the action says to fetch it later, never to order it again
 * (`pendingTaskId`).
 *
 * @param error - anything caught (SDK errors, platform errors, strings).
 * @param language - `'en'` or `'zh'`.
 * @param options - what the caller knows about the task.
 * @example
 * ```ts
 * try {
 *   await ima.generate({ prompt: 'a cat' })
 * } catch (error) {
 *   const { message, action, pendingTaskId } = translateError(error, 'zh')
 *   await reply(`${pendingTaskId ? '⏳' : '❌'} ${message}\n💡 ${action}`)
 * }
 * ```
 * @public
 */
export function translateError(error: unknown, language: ChatLanguage, options: TranslateErrorOptions = {}): TranslatedError {
  const facts = factsOf(error)
  const lang: ChatLanguage = language === 'zh' ? 'zh' : 'en'
  let kind: ChatErrorKind = 'generic'
  let ownAction: string | undefined
  try {
    kind = kindOfClass(error, facts) ?? kindOfForeign(facts)
    ownAction = preciseAction(kind, error, lang)
  } catch {
    // A field that throws when read (a hostile getter, a revoked Proxy): translated as what could be read.
  }
  const phrase = PHRASES[kind][lang]
  const translated: TranslatedError = {
    message: phrase.message,
    action: ownAction ?? phrase.action,
    code: facts.code ?? facts.status,
    links: [...(LINKS[kind] ?? [])],
    kind,
  }
  const taskId = options.taskId ?? stringField(error, 'taskId')
  if (taskId === undefined || SETTLED_KINDS.has(kind)) return translated
  return {
    ...translated,
    ...(kind === 'cancelled' ? { message: PENDING[lang].cancelled } : {}),
    action: PENDING[lang].action,
    pendingTaskId: taskId,
  }
}

/** Whether the translation's action is more than its kind's table sentence (a wait the service named, a cheaper model, a link). */
export function hasOwnAction(translated: TranslatedError, language: ChatLanguage): boolean {
  return translated.links.length > 0 || translated.pendingTaskId !== undefined || translated.action !== PHRASES[translated.kind][language === 'zh' ? 'zh' : 'en'].action
}

function stringField(value: unknown, key: string): string | undefined {
  try {
    const read = field(value, key)
    return typeof read === 'string' && read !== '' ? read : undefined
  } catch {
    return undefined
  }
}

/** Every kind the translation knows, for tests and documentation. @public */
export const CHAT_ERROR_KINDS = Object.keys(PHRASES) as readonly ChatErrorKind[]
