/**
 * What each `ima mcp` tool does, apart from MCP's wiring (`server.ts`):
 * generate within the agent's wait, hand back a pending task id when the
 * picture takes longer, pick it up again without creating anything, list
 * the models, quote a price. Every outcome is a tool result — an error too,
 * in the chat toolkit's plain words — small enough for any client.
 */
import { readFile, stat } from 'node:fs/promises'
import type { CallToolResult, ContentBlock } from '@modelcontextprotocol/server'
import { findModelCapabilities, UNKNOWN_MODEL_TIMING } from '../../catalog/models.js'
import { translateError } from '../../chat/translate-error.js'
import { savePreferenceAfterUse, type GenerateResult } from '../../client.js'
import { AuthenticationError, BudgetExceededError, CreateOutcomeUnknownError, ImaAbortError, ImaError, NotFoundError, TaskFailedError, ValidationError } from '../../errors.js'
import { readResultBytes } from '../../http/result-download.js'
import { redactSecrets } from '../../internal/redact.js'
import type { CreatedTask, TaskEvent, TaskResult } from '../../resources/tasks/types.js'
import { TASK_TYPES, type TaskType } from '../../schemas/task-type.js'
import type { JournalEntry } from '../../stores/task-journal.js'
import { downloadResult, type ImaClient } from '../../node/index.js'
import { QUOTE_PLACEHOLDER_IMAGE } from '../common.js'
import { checkOutputPath, OutputExistsError, OutputOutsideFolderError, refuseExistingOutput, resultFiles } from './outputs.js'
import { ProgressReporter, type SendProgress } from './progress.js'
import type { McpSettings } from './settings.js'
import { mcpWordsFor, type McpWords } from './words.js'

/** The largest preview image put into a result, in bytes: far under Claude Desktop's 1 MiB and Claude Code's 25,000 tokens once in base64. */
export const MAX_PREVIEW_BYTES = 200 * 1024

/** The user id whose saved model preference the tools read and write: the CLI's. */
const PREFERENCE_USER = 'default'

/** What a tool call brings besides its arguments. */
export interface ToolCall {
  /** Aborted when the client cancels the call. */
  signal: AbortSignal
  /** Sends a progress notification, when the call carried a progress token. */
  sendProgress: SendProgress | undefined
}

/** The arguments of `generate_image`, as its input schema parsed them. */
export interface GenerateImageInput {
  prompt: string
  model?: string | undefined
  size?: string | undefined
  aspect_ratio?: string | undefined
  input_images?: string[] | undefined
  n?: number | undefined
  output_path?: string | undefined
  wait_seconds?: number | undefined
}

/** The arguments of `get_image_task`. */
export interface GetImageTaskInput {
  task_id: string
  wait_seconds?: number | undefined
  output_path?: string | undefined
}

/** The arguments of `quote_image`. */
export interface QuoteImageInput {
  model?: string | undefined
  size?: string | undefined
  aspect_ratio?: string | undefined
  n?: number | undefined
  task_type?: TaskType | undefined
  input_images?: string[] | undefined
}

/** What a generation's `structuredContent` holds: the same for generate_image and get_image_task. */
export interface ImageTaskOutput {
  [key: string]: unknown
  status: 'success' | 'pending'
  task_id: string
  urls: string[]
  files: string[]
  /** Total points of the task; `null` for a task this machine's journal does not know. */
  credit: number | null
  model: string | null
  model_name: string | null
  estimated_seconds?: [number, number]
}

/** What the tools remember of a task this process created, for `get_image_task` to save it where `generate_image` was asked to. */
interface TaskFacts {
  prompt: string | undefined
  target: ReturnType<typeof checkOutputPath>
  model: { id: string; name: string } | undefined
  size: string | undefined
  credit: number | undefined
  createdAt: number | undefined
}

function textResult(text: string, isError = false): CallToolResult {
  return { content: [{ type: 'text', text }], ...(isError ? { isError: true } : {}) }
}

/**
 * How many tasks' facts the server keeps for a later `get_image_task`. A task
 * that is never picked up would otherwise stay for the server's whole life;
 * past this the oldest is forgotten, and the journal still names its model,
 * size and credit (its custom `output_path` is lost, and so is its prompt,
 * which the journal keeps only with `logPrompts`: it is saved as `image-<task id>`).
 */
export const MAX_REMEMBERED_TASKS = 256

/**
 * Sets `key` as the newest entry of `map` and forgets the oldest ones past `max`
 * (a Map keeps insertion order).
 *
 * @example
 * ```ts
 * rememberAtMost(facts, task.id, { prompt, target }, MAX_REMEMBERED_TASKS)
 * ```
 */
export function rememberAtMost<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key)
  map.set(key, value)
  for (const oldest of map.keys()) {
    if (map.size <= max) break
    map.delete(oldest)
  }
}

/**
 * The four tools over one client: its budget, journal, scope and
 * preferences hold for every call of the server's life. `get_image_task`
 * saves the model of a generation it finishes in the client's own store,
 * as `generate_image` does.
 *
 * @example
 * ```ts
 * const tools = new ImaTools(client, settings, [apiKey])
 * const result = await tools.generateImage({ prompt: 'a red fox' }, { signal, sendProgress: undefined })
 * ```
 */
export class ImaTools {
  readonly #client: ImaClient | undefined
  readonly #settings: McpSettings
  readonly #words: McpWords
  readonly #secrets: readonly (string | undefined)[]
  /** Tasks this process created and has not finished saving, by task id (the latest {@link MAX_REMEMBERED_TASKS}). */
  readonly #facts = new Map<string, TaskFacts>()

  /** The tool calls under way, for {@link ImaTools.answered}. */
  readonly #answering = new Set<Promise<CallToolResult>>()

  constructor(client: ImaClient | undefined, settings: McpSettings, secrets: readonly (string | undefined)[]) {
    this.#client = client
    this.#settings = settings
    this.#words = mcpWordsFor(settings.language)
    this.#secrets = secrets
  }

  /** `generate_image`: create, wait up to `wait_seconds`, save; or hand back the pending task. */
  async generateImage(input: GenerateImageInput, call: ToolCall): Promise<CallToolResult> {
    return this.#answer(async (client) => {
      // Refused before anything is created: a wrong path must not cost a picture.
      const target = checkOutputPath(this.#settings.outputDir, input.output_path)
      // Nor may it overwrite a picture saved before (maybe paid for): refused while nothing is spent.
      refuseExistingOutput(this.#settings.outputDir, target, input.output_path, input.n ?? 1)
      const progress = new ProgressReporter(call.sendProgress, this.#words)
      let created: CreatedTask | undefined
      const onStatus = (event: TaskEvent) => {
        if (event.taskId === created?.id) progress.update(event)
      }
      // wait_seconds counts from the call, not from the create's answer: a slow create must not take the call past the
      // client's own time-out (the agent would never learn the task id). Armed once created, it ends only the wait.
      const startedAt = Date.now()
      const waitMs = this.#waitMs(input.wait_seconds)
      const waitDeadline = new AbortController()
      let deadlineTimer: ReturnType<typeof setTimeout> | undefined
      client.on('task.status', onStatus)
      try {
        const result = await client.generate(
          {
            prompt: input.prompt,
            model: input.model,
            size: input.size,
            aspectRatio: input.aspect_ratio,
            n: input.n,
            inputImages: input.input_images,
            userId: PREFERENCE_USER,
            timeoutMs: waitMs,
            onCreated: (task) => {
              created = task
              deadlineTimer = setTimeout(() => waitDeadline.abort(), Math.max(1, startedAt + waitMs - Date.now()))
              const facts = { prompt: input.prompt, target, model: task.model, size: task.size, credit: task.totalCredit, createdAt: task.createdAt }
              rememberAtMost(this.#facts, task.id, facts, MAX_REMEMBERED_TASKS)
              const timing = findModelCapabilities(task.model.id) ?? UNKNOWN_MODEL_TIMING
              progress.start({ modelName: task.model.name, createdAt: task.createdAt, estimatedMaxMs: task.estimatedSeconds[1] * 1000, everyMs: timing.progressEveryMs })
            },
          },
          { signal: AbortSignal.any([call.signal, waitDeadline.signal]) },
        )
        return await this.#finished(result, this.#facts.get(result.taskId), call.signal)
      } catch (error) {
        // Once created, the task is paid for and may still finish, whatever ended the wait (its deadline, failed polls, a network drop):
        // the agent gets its id to pick it up, never an error that invites a second, paid order.
        if (created && !(error instanceof TaskFailedError) && !call.signal.aborted) return this.#pending(created.id, this.#facts.get(created.id), created.estimatedSeconds)
        // A failed task has nothing left to save.
        if (error instanceof TaskFailedError && created) this.#facts.delete(created.id)
        throw error
      } finally {
        clearTimeout(deadlineTimer)
        progress.stop()
        client.off('task.status', onStatus)
      }
    })
  }

  /** `get_image_task`: wait for a task known by id (or by the journal's ref of a create whose answer was lost). */
  async getImageTask(input: GetImageTaskInput, call: ToolCall): Promise<CallToolResult> {
    return this.#answer(async (client) => {
      const asked = input.task_id.trim()
      const entry = await this.#journalEntry(client, asked)
      if (entry && entry.taskId === undefined) {
        // Refused: proven not created, nothing charged — unlike a create whose answer was lost.
        return textResult(entry.state === 'refused' ? this.#words.refusedCreate(entry.ref) : this.#words.outcomeStillUnknown(entry.ref), true)
      }
      const taskId = entry?.taskId ?? asked
      const remembered = this.#facts.get(taskId)
      const target = input.output_path === undefined ? remembered?.target : checkOutputPath(this.#settings.outputDir, input.output_path)
      if (input.output_path !== undefined) refuseExistingOutput(this.#settings.outputDir, target, input.output_path, 1)
      const facts: TaskFacts = remembered
        ? { ...remembered, target }
        : {
            prompt: entry?.prompt,
            target,
            model: entry?.model,
            size: entry?.size,
            credit: entry?.totalCredit,
            createdAt: entry ? Date.parse(entry.createdAt) : undefined,
          }
      const timing = findModelCapabilities(facts.model?.id) ?? UNKNOWN_MODEL_TIMING
      const progress = new ProgressReporter(call.sendProgress, this.#words)
      const onStatus = (event: TaskEvent) => {
        if (event.taskId === taskId) progress.update(event)
      }
      client.on('task.status', onStatus)
      progress.start({ modelName: facts.model?.name, createdAt: facts.createdAt ?? Date.now(), estimatedMaxMs: timing.estimatedSeconds[1] * 1000, everyMs: timing.progressEveryMs })
      try {
        const ref =
          facts.model && facts.createdAt !== undefined
            ? { id: taskId, model: { ...facts.model, version: entry?.model.version ?? '' }, createdAt: facts.createdAt }
            : taskId
        const result = await client.tasks.wait(ref, { signal: call.signal, timeoutMs: this.#waitMs(input.wait_seconds), estimatedMaxMs: timing.estimatedSeconds[1] * 1000 })
        if (entry?.userId !== undefined) await savePreferenceAfterUse(client, entry.userId, entry.taskType, { id: taskId, model: entry.model, credit: entry.credit })
        return await this.#finished(result, facts, call.signal)
      } catch (error) {
        if (error instanceof NotFoundError && !entry) return textResult(this.#words.unknownTask(asked), true)
        // As in generate_image: a wait ended by its deadline, failed polls or a network drop leaves the task pending, under its id.
        // The task's own failure, an id the service does not know and a refused key are the answer: asking again would not change them.
        const answered = error instanceof TaskFailedError || error instanceof NotFoundError || error instanceof AuthenticationError || error instanceof ValidationError
        if (!answered && !call.signal.aborted) return this.#pending(taskId, facts, timing.estimatedSeconds)
        throw error
      } finally {
        progress.stop()
        client.off('task.status', onStatus)
      }
    })
  }

  /** `list_image_models`: the live models of one or both task types, with sizes, points and ratios. */
  async listImageModels(input: { task_type?: TaskType | undefined }, call: ToolCall): Promise<CallToolResult> {
    return this.#answer(async (client) => {
      const types: readonly TaskType[] = input.task_type ? [input.task_type] : TASK_TYPES
      const lists = await Promise.all(types.map(async (type) => ({ type, models: await client.products.models(type, { signal: call.signal }) })))
      const models = lists.flatMap(({ models: infos }) =>
        infos.map((info) => ({
          id: info.modelId,
          name: info.name,
          task_type: info.taskType,
          sizes: info.sizes.map((offer) => ({ size: offer.size, credit: offer.points })),
          aspect_ratios: [...info.aspectRatios],
          estimated_seconds: [info.estimatedSeconds[0], info.estimatedSeconds[1]] as [number, number],
        })),
      )
      const text = lists
        .map(({ type, models: infos }) => {
          if (infos.length === 0) return `${this.#words.modelsTitle(type)}\n${this.#words.noModels}`
          const rows = infos.map((info) => {
            const sizes = info.sizes.map((offer) => `${offer.size} ${offer.points}`).join(', ')
            const ratios = info.aspectRatios.length > 0 ? ` · ${info.aspectRatios.join(' ')}` : ''
            return `- ${info.name} (${info.modelId}): ${sizes}${ratios} · ${info.estimatedSeconds[0]}–${info.estimatedSeconds[1]} s`
          })
          return `${this.#words.modelsTitle(type)} (size credits)\n${rows.join('\n')}`
        })
        .join('\n\n')
      return { content: [{ type: 'text', text }], structuredContent: { models } }
    })
  }

  /** `quote_image`: what a generation would cost; nothing is created. */
  async quoteImage(input: QuoteImageInput, call: ToolCall): Promise<CallToolResult> {
    return this.#answer(async (client) => {
      const inputs = input.input_images ?? []
      const taskType = input.task_type ?? (inputs.length > 0 ? 'image_to_image' : 'text_to_image')
      const quote = await client.tasks.quote(
        {
          prompt: 'price check',
          taskType,
          model: input.model,
          size: input.size,
          aspectRatio: input.aspect_ratio,
          n: input.n,
          userId: PREFERENCE_USER,
          // Only counted: the SDK checks that image_to_image has an input; nothing is uploaded.
          inputImages: taskType === 'image_to_image' ? Array.from({ length: Math.max(1, inputs.length) }, () => QUOTE_PLACEHOLDER_IMAGE) : undefined,
        },
        { signal: call.signal },
      )
      // From the budget store, so a budget shared through IMA_REDIS_URL counts what every process spent.
      const remaining = quote.remainingCredits ?? null
      const output = {
        model: quote.model.id,
        model_name: quote.model.name,
        size: quote.size ?? null,
        credit: quote.credit,
        n: quote.n,
        total_credit: quote.totalCredit,
        estimated_seconds: [quote.estimatedSeconds[0], quote.estimatedSeconds[1]] as [number, number],
        within_budget: quote.withinBudget,
        remaining_credits: remaining,
      }
      const text = [
        `${quote.model.name}${quote.size ? ` at ${quote.size}` : ''}: ${quote.totalCredit} credits (${quote.credit} per image × ${quote.n}), usually ${quote.estimatedSeconds[0]}–${quote.estimatedSeconds[1]} s.`,
        quote.withinBudget ? 'Within this server’s budget.' : `Over this server’s budget (${remaining ?? 0} credits left): generate_image would refuse it.`,
        'Nothing was created or charged.',
      ].join('\n')
      return { content: [{ type: 'text', text }], structuredContent: output }
    })
  }

  /** Runs a tool's work, turning every error into a plain-words `isError` result (never a stack, never the key). */
  async #answer(work: (client: ImaClient) => Promise<CallToolResult>): Promise<CallToolResult> {
    const client = this.#client
    if (!client) return textResult(this.#words.noKey, true)
    const answering = work(client).catch((error: unknown) => textResult(this.#explain(error), true))
    this.#answering.add(answering)
    try {
      return await answering
    } finally {
      this.#answering.delete(answering)
    }
  }

  /**
   * Resolves once every tool call under way has answered (a cancelled one
   * soon after its signal: a create in flight is detached and announced by
   * then), or after `boundMs`. `ima mcp` calls it before it exits.
   *
   * @example
   * ```ts
   * await tools.answered(5_000)
   * ```
   */
  async answered(boundMs: number): Promise<void> {
    if (this.#answering.size === 0) return
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([Promise.allSettled([...this.#answering]), new Promise<void>((resolve) => (timer = setTimeout(resolve, boundMs)))])
    clearTimeout(timer)
  }

  #explain(error: unknown): string {
    if (error instanceof OutputOutsideFolderError) return this.#words.outputOutsideFolder(error.outputPath, error.folder)
    if (error instanceof OutputExistsError) return this.#words.outputExists(error.outputPath, error.file)
    const stop = this.#settings.language === 'zh' ? '。' : '.'
    const sentence = (text: string) => (text === '' || /[.!?。！？]$/.test(text) ? text : `${text}${stop}`)
    let lines: string[]
    if (error instanceof ImaError && error.code === 'limit_store_failed') {
      // The shared budget's store is down: nothing was sent, and no other model would help.
      const where = this.#settings.redisURL ? ' (the shared budget of IMA_REDIS_URL)' : ''
      return this.#settings.language === 'zh'
        ? `无法连接预算存储${where ? '（IMA_REDIS_URL 的共享预算）' : ''}：什么都没有创建，也没有扣积分。请让这台服务器的管理员启动它${where ? '或去掉 IMA_REDIS_URL' : ''}，之后再试；换模型没有用。`
        : `The budget store${where} cannot be reached: nothing was created or charged. Ask the person running this server to start it${where ? ' or unset IMA_REDIS_URL' : ''}, then try again; another model would not help.`
    }
    if (this.#settings.language === 'en' && error instanceof ImaError && speaksPlainly(error)) {
      // The SDK's own sentence names the model, the sizes, the budget and the cheaper option: the agent can act on it —
      // with the server's setting for the budget, not the SDK's option.
      lines = [sentence(error instanceof BudgetExceededError ? error.message.replace(/\bmaxCredits\b/g, 'IMA_MAX_CREDITS') : error.message)]
    } else {
      // The service's and the network's errors quote requests and codes: the chat toolkit's words instead (and in Chinese, always).
      const { message, action } = translateError(error, this.#settings.language)
      lines = [sentence(message), sentence(action)]
    }
    if (error instanceof CreateOutcomeUnknownError && error.ref !== undefined) lines.push(this.#words.outcomeUnknownHint(error.ref))
    return redactSecrets(lines.filter((line) => line !== '').join(' '), this.#secrets)
  }

  #waitMs(seconds: number | undefined): number {
    // 0 means "do not wait": the SDK's wait needs a deadline of at least 1 ms.
    return Math.max(1, (seconds ?? this.#settings.waitSeconds) * 1000)
  }

  async #journalEntry(client: ImaClient, idOrRef: string): Promise<JournalEntry | undefined> {
    const entries = await client.tasks.recent()
    return entries.find((entry) => entry.taskId === idOrRef) ?? entries.find((entry) => entry.ref === idOrRef)
  }

  #pending(taskId: string, facts: TaskFacts | undefined, estimatedSeconds: readonly [number, number]): CallToolResult {
    const elapsedSeconds = facts?.createdAt === undefined ? 0 : Math.max(0, Math.round((Date.now() - facts.createdAt) / 1000))
    const output: ImageTaskOutput = {
      status: 'pending',
      task_id: taskId,
      urls: [],
      files: [],
      credit: facts?.credit ?? null,
      model: facts?.model?.id ?? null,
      model_name: facts?.model?.name ?? null,
      estimated_seconds: [estimatedSeconds[0], estimatedSeconds[1]],
    }
    const text = this.#words.pending({ taskId, modelName: facts?.model?.name, estimatedSeconds, elapsedSeconds })
    return { content: [{ type: 'text', text }], structuredContent: output }
  }

  /** A finished task: its files saved, one small preview, a link per image. */
  async #finished(result: TaskResult | GenerateResult, facts: TaskFacts | undefined, signal: AbortSignal): Promise<CallToolResult> {
    const files = resultFiles(this.#settings.outputDir, facts?.target, { urls: result.urls, taskId: result.taskId, prompt: facts?.prompt })
    const saved: string[] = []
    const notes: string[] = []
    for (const [index, url] of result.urls.entries()) {
      const file = files[index] as string
      try {
        // A file already there (a picture saved before, or by a call at the same time) is kept: this one gets a numbered name.
        saved.push((await downloadResult(url, file, { signal, keepExisting: true })).path)
      } catch (error) {
        // The picture is made and paid for: a failed copy on this disk is a note, not a failure.
        notes.push(this.#words.failedSave(url, redactSecrets(error instanceof Error ? error.message : String(error), this.#secrets)))
      }
    }
    // Until every picture is on disk, the task's output_path and prompt stay: the next get_image_task saves under the same name.
    if (saved.length === result.urls.length) this.#facts.delete(result.taskId)
    const preview = await this.#preview(result, saved[0], signal)
    const output: ImageTaskOutput = {
      status: 'success',
      task_id: result.taskId,
      urls: [...result.urls],
      files: saved,
      credit: facts?.credit ?? ('task' in result ? result.task.totalCredit : null),
      model: facts?.model?.id ?? null,
      model_name: facts?.model?.name ?? null,
    }
    const text = [
      this.#words.done({
        count: result.urls.length,
        modelName: output.model_name ?? undefined,
        size: facts?.size,
        credit: output.credit ?? undefined,
        urls: result.urls,
        files: saved,
        taskId: result.taskId,
      }),
      ...notes,
      ...(preview ? [] : [this.#words.previewLeftOut]),
    ].join('\n')
    const links: ContentBlock[] = result.urls.map((url, index) => ({
      type: 'resource_link',
      uri: url,
      name: saved[index]?.split(/[\\/]/).pop() ?? `image-${index + 1}`,
      mimeType: mimeTypeOf(url),
      ...(saved[index] ? { description: saved[index] } : {}),
    }))
    return { content: [{ type: 'text', text }, ...(preview ? [preview] : []), ...links], structuredContent: output }
  }

  /** The service's cover of the first image, else that image's saved file when it is small; none over {@link MAX_PREVIEW_BYTES}. */
  async #preview(result: TaskResult, savedFile: string | undefined, signal: AbortSignal): Promise<ContentBlock | undefined> {
    for (const url of [result.coverUrl, result.medias[0]?.previewUrl]) {
      if (url === undefined) continue
      try {
        const { bytes, headers } = await readResultBytes(url, { fetch: globalThis.fetch, maxBytes: MAX_PREVIEW_BYTES, limitHint: 'the preview is left out', signal, maxRetries: 1 })
        const mimeType = headers['content-type']?.split(';')[0]?.trim() || mimeTypeOf(url)
        if (mimeType.startsWith('image/')) return { type: 'image', data: Buffer.from(bytes).toString('base64'), mimeType }
      } catch {
        // Too large, gone or refused: try the next, else no preview (the text has the URL).
      }
    }
    if (savedFile === undefined) return undefined
    try {
      if ((await stat(savedFile)).size > MAX_PREVIEW_BYTES) return undefined
      return { type: 'image', data: (await readFile(savedFile)).toString('base64'), mimeType: mimeTypeOf(result.url) }
    } catch {
      return undefined
    }
  }
}

/** Whether an error's own message is plain words about the call (not a request, a status or a code of the service or the network). */
function speaksPlainly(error: ImaError): boolean {
  // Not CreateOutcomeUnknownError: its message quotes the request and the network's code; the chat words and the journal hint say it plainly.
  return error instanceof ValidationError || error instanceof TaskFailedError || error instanceof ImaAbortError
}

/** An image's type from its URL's extension; PNG, what the service makes, otherwise. */
function mimeTypeOf(url: string): string {
  const extension = /\.([a-z0-9]+)(?:$|\?)/i.exec(new URL(url).pathname)?.[1]?.toLowerCase()
  if (extension === 'jpg' || extension === 'jpeg') return 'image/jpeg'
  if (extension === 'webp' || extension === 'gif' || extension === 'avif') return `image/${extension}`
  return 'image/png'
}
