/**
 * The skills' chat protocol as one call: start notice, capped progress at the
 * model's cadence, then the picture with its caption or a translated failure
 * with two alternatives. The embedder supplies only `send`.
 */
import { UNKNOWN_MODEL_TIMING, findModelCapabilities } from '../catalog/models.js'
import { resolveModelReference } from '../catalog/model-references.js'
import { FULL_CATALOG_SCOPE, type ModelScope } from '../catalog/scopes.js'
import { inferTaskType } from '../protocol/create-body.js'
import { progressPercent } from '../protocol/task-status.js'
import type { RequestOptions } from '../http/http-client.js'
import type { CreatedTask, TaskCreateParams, TaskEvent, TaskResult, TaskSuccessEvent, WaitOptions } from '../resources/tasks/types.js'
import { suggestAlternatives, type ChatAlternative } from './alternatives.js'
import { hasOwnAction, translateError, type TranslatedError } from './translate-error.js'
import type { ChatLanguage } from './types.js'

/**
 * One message for the chat, as data so each platform can render it its way
 * (Feishu/Telegram: `mediaUrl` as the picture and `text` as its caption).
 * @public
 */
export interface ChatMessage {
  /** Which step of the protocol this is. */
  kind: 'start' | 'progress' | 'success' | 'failure'
  /** The full text, ready to send as is. */
  text: string
  /** On success: the picture to show (the first one when there are several). */
  mediaUrl?: string
  /** On success: every picture, when more than one was asked for. */
  mediaUrls?: string[]
  /** On progress: the capped percentage shown. */
  percent?: number
  /** Seconds since the task was accepted (progress and success). */
  elapsedSeconds?: number
  /** The model's display name (start, success, failure when known). */
  modelName?: string
  /** Points the task costs (start and success). */
  credits?: number
  /** On failure: the translated reason. */
  error?: TranslatedError
  /** On failure: the models suggested instead. */
  alternatives?: ChatAlternative[]
}

/**
 * The timers the reporter uses. Defaults to the global ones, looked up on
 * each call so `vi.useFakeTimers()` (or any fake clock) takes effect.
 * @public
 */
export interface ChatClock {
  /** The current time, in ms since the epoch (like `Date.now()`). */
  now(): number
  /** Calls `callback` after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown
  /** Cancels a timer `setTimeout` returned. */
  clearTimeout(handle: unknown): void
}

/**
 * The part of `ImaClient` the reporter uses, so a client from another bundle
 * (or a test double) fits too. The reporter passes its `generate` call's
 * options on: to `create` as they are, and to `waitFor` with the wait's own.
 *
 * @example
 * ```ts
 * const double: ChatReporterClient = {
 *   tasks: {
 *     create: async () => task,
 *     async *waitFor(created) {
 *       yield { type: 'success', taskId: created.id, elapsedMs: 1_000, percent: 100, medias: [], url, urls: [url] }
 *     },
 *   },
 * }
 * ```
 * @public
 */
export interface ChatReporterClient {
  /** The client's task calls (`ima.tasks`). */
  tasks: {
    /** Creates a task, as `ima.tasks.create()`; `options` are the reporter call's own. */
    create(params: TaskCreateParams, options?: RequestOptions): Promise<CreatedTask>
    /** Yields a task's status events until it finishes, as `ima.tasks.waitFor()`. */
    waitFor(task: CreatedTask, options?: WaitOptions): AsyncIterable<TaskEvent>
  }
  /** The client's models (an `ImaClient` has it): the default for `scope`. */
  readonly scope?: ModelScope
}

/**
 * Options of {@link createChatReporter}.
 * @public
 */
export interface ChatReporterOptions {
  /** An `ImaClient` (or anything with its `tasks.create` and `tasks.waitFor`). */
  client: ChatReporterClient
  /** Sends one message to the chat. Awaited, so messages arrive in order. */
  send: (message: ChatMessage) => void | Promise<void>
  /** The messages' language. @defaultValue `'en'` */
  language?: ChatLanguage
  /**
   * Which models failure messages may suggest.
   * @defaultValue the client's own scope (`ima.scope`), else `FULL_CATALOG_SCOPE`
   */
  scope?: ModelScope
  /** Timers and time; the global ones by default. */
  clock?: ChatClock
}

/**
 * What one `generate` call may take: the create parameters, wait options and
 * a per-call language. `signal`, `timeout` and `maxRetries` go in the
 * second argument of `generate`.
 *
 * @example
 * ```ts
 * const params: ChatGenerateParams = { prompt: '一只猫', language: 'zh', timeoutMs: 300_000 }
 * await reporter.generate(params, { signal: AbortSignal.timeout(310_000) })
 * ```
 * @public
 */
export interface ChatGenerateParams extends TaskCreateParams, ChatResumeParams {}

/**
 * What following a task takes, in `generate` and `resume`: a per-call
 * language and the wait's options.
 *
 * @example
 * ```ts
 * const params: ChatResumeParams = { language: 'zh', timeoutMs: 120_000 }
 * await reporter.resume(outcome.task, params)
 * ```
 * @public
 */
export interface ChatResumeParams {
  /** Overrides the reporter's language for this generation. */
  language?: ChatLanguage
  /** Overall deadline of the wait, in ms. @defaultValue 600000 */
  timeoutMs?: number
  /** Time between polls, in ms; does not change how often progress is sent. */
  intervalMs?: number
}

/**
 * How a generation ended. The reporter never throws for a failed
 * generation: the user has been told already, and the error is here. When
 * `task` is set and `translated.pendingTaskId` too, the task was created
 * (and charged) and may still finish: `resume(outcome.task)` delivers it.
 * @public
 */
export type ChatOutcome =
  | { ok: true; task: CreatedTask; result: TaskResult; messages: ChatMessage[]; sendErrors: unknown[] }
  | { ok: false; task: CreatedTask | undefined; error: unknown; translated: TranslatedError; messages: ChatMessage[]; sendErrors: unknown[] }

/**
 * Drives generations and reports them to a chat.
 * @public
 */
export interface ChatReporter {
  /**
   * Creates a task, waits for it, and sends start, progress and the result
   * (or the failure) through `send`. `options` are for this call only and
   * apply to the create and to the wait, as in `ima.generate()`. An abort
   * before the create is `cancelled`; during the create, `outcome-unknown`
   * (it may be charged); after it, the task is pending (it is charged and
   * may still finish: `resume` it). No failure after the create offers
   * another paid generation unless the task itself failed.
   *
   * @example
   * ```ts
   * const outcome = await reporter.generate({ prompt: 'a cat' }, { signal: AbortSignal.timeout(300_000) })
   * if (!outcome.ok) console.warn(outcome.translated.message)
   * ```
   */
  generate(params: ChatGenerateParams, options?: RequestOptions): Promise<ChatOutcome>
  /**
   * Follows a task that was created already — the `task` of an outcome
   * whose wait ended without a verdict — and sends its progress and its
   * picture (or its failure). Nothing is created, so nothing is charged
   * again; no start notice is sent (the first call sent it).
   *
   * @example
   * ```ts
   * const outcome = await reporter.generate({ prompt: 'a cat' })
   * // …later, when the user asks for the picture:
   * if (!outcome.ok && outcome.task && outcome.translated.pendingTaskId) await reporter.resume(outcome.task)
   * ```
   */
  resume(task: CreatedTask, params?: ChatResumeParams, options?: RequestOptions): Promise<ChatOutcome>
}

const systemClock: ChatClock = {
  now: () => Date.now(),
  // Looked up at call time, not captured, so fake timers installed later still apply.
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
}

interface Timing {
  estimatedSeconds: readonly [number, number]
  progressEveryMs: number
}

function timingOf(task: CreatedTask): Timing {
  const model = findModelCapabilities(task.model.id)
  return {
    estimatedSeconds: model?.estimatedSeconds ?? task.estimatedSeconds,
    progressEveryMs: model?.progressEveryMs ?? UNKNOWN_MODEL_TIMING.progressEveryMs,
  }
}

function nameOf(task: CreatedTask): string {
  return findModelCapabilities(task.model.id)?.name ?? task.model.name
}


/**
 * Texts of the protocol's messages, per language (the seeds' templates), for
 * embedders that drive the steps themselves.
 *
 * @example
 * ```ts
 * chatTexts.progress('zh', 66, 40, 60) // "⏳ 正在生成中… 66%\n已等待 40s，预计最长 60s"
 * ```
 * @public
 */
export const chatTexts = {
  start(language: ChatLanguage, model: string, [low, high]: readonly [number, number], credits: number): string {
    return language === 'zh'
      ? `🎨 开始生成图片，请稍候…\n• 模型：${model}\n• 预计耗时：${low} ~ ${high} 秒\n• 消耗积分：${credits} pts`
      : `🎨 Starting image generation, please wait…\n• Model: ${model}\n• Estimated time: ${low} ~ ${high} s\n• Credits: ${credits} pts`
  },
  progress(language: ChatLanguage, percent: number, elapsedSeconds: number, maxSeconds: number): string {
    const over = elapsedSeconds > maxSeconds
    return language === 'zh'
      ? `⏳ 正在生成中… ${percent}%\n已等待 ${elapsedSeconds}s，预计最长 ${maxSeconds}s${over ? '「稍等，即将完成…」' : ''}`
      : `⏳ Generating… ${percent}%\nWaited ${elapsedSeconds}s, expected at most ${maxSeconds}s${over ? ' — taking a bit longer, almost done…' : ''}`
  },
  success(language: ChatLanguage, model: string, [low, high]: readonly [number, number], actualSeconds: number, credits: number, urls: readonly string[]): string {
    const links = urls.join('\n')
    return language === 'zh'
      ? `✅ 图片生成成功！\n• 模型：${model}\n• 耗时：预计 ${low}~${high}s，实际 ${actualSeconds}s\n• 消耗积分：${credits} pts\n\n🔗 原始链接：${links}`
      : `✅ Image generated!\n• Model: ${model}\n• Time: estimated ${low}~${high}s, actual ${actualSeconds}s\n• Credits: ${credits} pts\n\n🔗 Original link: ${links}`
  },
  failure(language: ChatLanguage, translated: TranslatedError, alternatives: readonly ChatAlternative[]): string {
    const zh = language === 'zh'
    if (translated.kind === 'cancelled' && translated.pendingTaskId === undefined) return `⏹️ ${translated.message}`
    // A task that exists (or may): it is charged and may still arrive, so no other paid model is offered.
    if (translated.pendingTaskId !== undefined || translated.kind === 'outcome-unknown' || translated.kind === 'already-ordered') {
      const headline =
        translated.kind === 'cancelled' || translated.pendingTaskId === undefined
          ? translated.message
          : zh
            ? '图片已经下单，可能还在生成，但我暂时没能跟进到结果'
            : 'Your picture was ordered and may still be on its way, but I could not follow it to the end'
      return `${translated.kind === 'cancelled' ? '⏹️' : '⏳'} ${headline}\n💡 ${translated.action}`
    }
    const label = (alternative: ChatAlternative) => `${alternative.name}${alternative.size ? ` ${alternative.size}` : ''}`
    const lines = [zh ? '❌ 图片生成失败' : '❌ Image generation failed', zh ? `• 原因：${translated.message}` : `• Reason: ${translated.message}`]
    // A link (new key, credits), a wait the service named or a cheaper model: more than another model would solve.
    // With no other model to offer, the action is all the user has.
    if (hasOwnAction(translated, language) || alternatives.length === 0) lines.push(`💡 ${translated.action}`)
    if (alternatives.length > 0) {
      lines.push(zh ? '• 建议改用：' : '• Try instead:')
      for (const alternative of alternatives) {
        lines.push(zh ? `  - ${label(alternative)}（${alternative.trait}，${alternative.points}）` : `  - ${label(alternative)} (${alternative.trait}, ${alternative.points})`)
      }
      lines.push('', zh ? '需要我帮你用其他模型重试吗？' : 'Want me to try again with another model?')
    }
    return lines.join('\n')
  },
}

/** Kinds after which another model is worth offering: none where a paid task exists or may exist, or where every model would fail alike. */
function offersAlternatives(translated: TranslatedError): boolean {
  return translated.pendingTaskId === undefined && !['cancelled', 'outcome-unknown', 'already-ordered', 'service-trouble'].includes(translated.kind)
}

/** What a generation asked for, to tell which model failed when no task was created. */
type IntendedTask = Pick<TaskCreateParams, 'model' | 'taskType' | 'inputImages' | 'size'>

/** The model a failed create was meant for, to pick alternatives; undefined when it cannot be told. */
function intendedModel(params: IntendedTask, scope: ModelScope): string | undefined {
  const taskType = inferTaskType(params.taskType, params.inputImages)
  if (params.model === undefined) return scope.defaults[taskType]
  try {
    return resolveModelReference(params.model, { taskType, scope, leaves: [] }).modelId
  } catch {
    return undefined
  }
}

/**
 * Creates a reporter that runs generations and tells a chat about them, by
 * the skills' user-experience protocol: the start notice (model, time range,
 * credits), progress every `progressEveryMs` of the model (none when the task
 * ends within the first period), capped at 95% with a "taking a bit longer"
 * note past the estimate, then the picture with its caption, or the reason in
 * plain words with two alternatives from the client's scope. No message is
 * sent twice, and no timer outlives the generation.
 *
 * @example
 * ```ts
 * const reporter = createChatReporter({
 *   client: ima,
 *   language: 'zh',
 *   send: (message) => message.mediaUrl
 *     ? feishu.sendImage(chatId, message.mediaUrl, message.text)
 *     : feishu.sendText(chatId, message.text),
 * })
 * await reporter.generate({ prompt: '一只猫', aspectRatio: '16:9' })
 * ```
 * @public
 */
export function createChatReporter(options: ChatReporterOptions): ChatReporter {
  const { client, send } = options
  const scope = options.scope ?? options.client.scope ?? FULL_CATALOG_SCOPE
  const clock = options.clock ?? systemClock

  /** One generation's messages: sent in order through one queue, none twice. */
  const conversation = () => {
    const messages: ChatMessage[] = []
    const sendErrors: unknown[] = []
    const sentTexts = new Set<string>()
    let queue: Promise<void> = Promise.resolve()
    // A slow platform never reorders them; a failed send is kept, never thrown, because the task
    // is running (and charged) whether the chat heard of it or not.
    const emit = (message: ChatMessage): Promise<void> => {
      if (sentTexts.has(message.text)) return queue
      sentTexts.add(message.text)
      messages.push(message)
      queue = queue.then(async () => {
        try {
          await send(message)
        } catch (error) {
          sendErrors.push(error)
        }
      })
      return queue
    }
    return { messages, sendErrors, emit, drained: () => queue }
  }
  type Conversation = ReturnType<typeof conversation>

  /**
   * Waits for a created task, with progress from `startedAt` on the reporter's clock, and sends
   * its picture; resolves to the success outcome, or throws what ended the wait.
   */
  async function follow(task: CreatedTask, startedAt: number, params: ChatResumeParams, language: ChatLanguage, chat: Conversation, requestOptions: RequestOptions | undefined): Promise<ChatOutcome> {
    const timing = timingOf(task)
    const name = nameOf(task)
    const maxSeconds = timing.estimatedSeconds[1]
    let timer: unknown
    let finished = false
    const stopTimer = () => {
      finished = true
      if (timer !== undefined) clock.clearTimeout(timer)
      timer = undefined
    }
    try {
      // The reporter's own timer, aimed at whole multiples of the cadence from the start, so
      // progress neither drifts nor depends on how often the task is polled.
      // A period already past (a slow start notice, a resumed task) is told at once, then the cadence goes on.
      let tick = 1
      const schedule = () => {
        if (finished) return
        const due = startedAt + tick * timing.progressEveryMs
        timer = clock.setTimeout(() => {
          timer = undefined
          if (finished) return
          const elapsedMs = clock.now() - startedAt
          const elapsedSeconds = Math.floor(elapsedMs / 1000)
          const percent = progressPercent(elapsedMs, maxSeconds * 1000)
          void chat.emit({ kind: 'progress', text: chatTexts.progress(language, percent, elapsedSeconds, maxSeconds), percent, elapsedSeconds })
          tick = Math.floor(elapsedMs / timing.progressEveryMs) + 1
          schedule()
        }, Math.max(0, due - clock.now()))
      }
      schedule()

      let success: TaskSuccessEvent | undefined
      const waitOptions: WaitOptions = {
        ...requestOptions,
        ...(params.timeoutMs !== undefined ? { timeoutMs: params.timeoutMs } : {}),
        ...(params.intervalMs !== undefined ? { intervalMs: params.intervalMs } : {}),
      }
      for await (const event of client.tasks.waitFor(task, waitOptions)) {
        if (event.type === 'success') {
          // Stop at once: a progress tick between the success poll and the loop's end would come after 100%.
          stopTimer()
          success = event
        }
      }
      stopTimer()
      // waitFor ends only after a success or by throwing; an end without one would be a broken client.
      if (!success) throw new Error('the wait ended without a result')
      // A client from another bundle (or a hand-written double) may leave `urls` out: `url` alone still makes the picture.
      const urls = (success.urls ?? []).filter(Boolean)
      const first = success.url || urls[0] || ''
      const all = urls.length > 0 ? urls : [first]
      const elapsedMs = clock.now() - startedAt
      const actualSeconds = Math.max(0, Math.round(elapsedMs / 1000))
      await chat.emit({
        kind: 'success',
        text: chatTexts.success(language, name, timing.estimatedSeconds, actualSeconds, task.totalCredit, all),
        mediaUrl: first,
        ...(all.length > 1 ? { mediaUrls: all } : {}),
        elapsedSeconds: actualSeconds,
        modelName: name,
        credits: task.totalCredit,
      })
      const result: TaskResult = {
        taskId: task.id,
        url: first,
        urls: all,
        coverUrl: success.medias[0]?.coverUrl,
        medias: success.medias ?? [],
        elapsedMs: success.elapsedMs ?? elapsedMs,
      }
      return { ok: true, task, result, messages: chat.messages, sendErrors: chat.sendErrors }
    } finally {
      stopTimer()
    }
  }

  /** Tells the chat how a generation ended without a picture, and returns that outcome. */
  async function fail(error: unknown, task: CreatedTask | undefined, params: IntendedTask, language: ChatLanguage, chat: Conversation): Promise<ChatOutcome> {
    // TaskFailedError.failure (read from the medias by the SDK) tells the seeds' two failure rows apart;
    // a created task whose wait ended without a verdict is pending, whatever the error.
    const translated = translateError(error, language, task ? { taskId: task.id } : {})
    const failedModelId = task?.model.id ?? intendedModel(params, scope)
    const alternatives = offersAlternatives(translated)
      ? suggestAlternatives({ failedModelId, scope, language, taskType: task?.taskType ?? params.taskType, failedSize: task?.size ?? params.size })
      : []
    await chat.emit({
      kind: 'failure',
      text: chatTexts.failure(language, translated, alternatives),
      error: translated,
      alternatives,
      ...(task ? { modelName: nameOf(task) } : {}),
    })
    return { ok: false, task, error, translated, messages: chat.messages, sendErrors: chat.sendErrors }
  }

  const languageOf = (callLanguage: ChatLanguage | undefined): ChatLanguage => ((callLanguage ?? options.language) === 'zh' ? 'zh' : 'en')

  return {
    async generate(params: ChatGenerateParams, requestOptions?: RequestOptions): Promise<ChatOutcome> {
      const { language: callLanguage, timeoutMs, intervalMs, ...create } = params
      const language = languageOf(callLanguage)
      const chat = conversation()
      let task: CreatedTask | undefined
      try {
        task = await client.tasks.create(create, requestOptions)
        const startedAt = clock.now()
        const name = nameOf(task)
        const { estimatedSeconds } = timingOf(task)
        await chat.emit({ kind: 'start', text: chatTexts.start(language, name, estimatedSeconds, task.totalCredit), modelName: name, credits: task.totalCredit })
        return await follow(task, startedAt, { timeoutMs, intervalMs }, language, chat, requestOptions)
      } catch (error) {
        return await fail(error, task, params, language, chat)
      } finally {
        await chat.drained()
      }
    },

    async resume(task: CreatedTask, params: ChatResumeParams = {}, requestOptions?: RequestOptions): Promise<ChatOutcome> {
      const language = languageOf(params.language)
      const chat = conversation()
      // Progress counts from the create, on the reporter's clock (which may be a test's).
      const startedAt = clock.now() - Math.max(0, Date.now() - task.createdAt)
      try {
        return await follow(task, startedAt, params, language, chat, requestOptions)
      } catch (error) {
        return await fail(error, task, {}, language, chat)
      } finally {
        await chat.drained()
      }
    },
  }
}
