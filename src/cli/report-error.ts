/**
 * Errors as a person (or an agent reading stderr) should see them: the
 * cause first — the SDK's own precise message in the command line's words
 * (`--image`, `--version-id`), or the CLI's sentence for what it can name
 * itself (a missing file, nothing listening, an unknown task id) — then what
 * to do next, and the code as a reference. Service refusals the protocol's
 * error table words (a refused key, no credits) keep that table's plain
 * sentence. The technical detail only with `--verbose`; the API key never,
 * not even there.
 */
import { translateError, type TranslatedError } from '../chat/translate-error.js'
import { DEFAULT_BASE_URL, DEFAULT_UPLOAD_BASE_URL, type ImaLanguage } from '../http/transport-options.js'
import { isLoopbackHost } from '../protocol/urls.js'
import { TASK_DETAIL_PATH } from '../protocol/endpoints.js'
import { CliError, CliUsageError, InterruptedError } from './errors.js'
import { COMMAND_FLAGS, inFlagWords, type FlagNames } from './flag-names.js'
import { say, type CliIO } from './io.js'
import { wordsFor } from './messages.js'

/** Options of {@link reportError}. */
export interface ReportOptions {
  language: ImaLanguage
  verbose: boolean
  /** The key in use, so no line can show it. */
  apiKey: string | undefined
  /** The flags the command line used, to name them in messages. @defaultValue the commands' (`--image`, `--ratio`) */
  flags?: FlagNames
  /** The input images as given, in order, so a message about one names it as typed. */
  inputImages?: readonly string[]
  /** `--base-url` or `IMA_BASE_URL`, when set: the host a refused connection names. */
  baseURL?: string
  /** `--upload-base-url` or `IMA_IM_BASE_URL`, when set. */
  uploadBaseURL?: string
}

/** What an error report says: the cause, the next step, and the task it concerns. */
interface Explanation {
  message: string
  action: string
  /** The SDK's own message, when the headline is the CLI's sentence in another language. */
  details?: string
  /** The task line; `null` when the task id is known not to exist. */
  task?: string | null
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** The name and message of an error and of its causes, one per line. */
function technicalLines(error: unknown): string[] {
  const lines: string[] = []
  let current: unknown = error
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth += 1) {
    const name = field(current, 'name')
    const message = field(current, 'message')
    lines.push(`${typeof name === 'string' ? name : 'Error'}: ${typeof message === 'string' ? message : String(current)}`)
    current = field(current, 'cause')
  }
  return lines
}

/** Removes the key from text, in case a message ever carried it (belt and braces: the SDK already redacts). */
export function redactKey(text: string, apiKey: string | undefined): string {
  return apiKey && apiKey.length >= 4 ? text.split(apiKey).join('[redacted]') : text
}

/**
 * The next step and the task line of an error that came after the create was
 * accepted (`ImaError.taskId`): the task exists and may be charged, so the
 * advice is to resume it, never to send the request again. A failed task is
 * over: the usual advice (another model) stands.
 */
function afterCreate(taskId: string, failed: boolean, language: ImaLanguage): { action?: string; task: string } {
  if (failed) return { task: language === 'zh' ? `${taskId}（生成失败）` : `${taskId} (failed on the service)` }
  return language === 'zh'
    ? { action: `继续等待：ima wait ${taskId} — 任务仍在服务端运行，不要重新创建`, task: `${taskId} 已创建，可能已扣积分` }
    : { action: `Resume with: ima wait ${taskId} — the task keeps running on the service; do not create it again`, task: `${taskId} was created and may be charged` }
}

/** The next step for a create whose outcome is unknown: where the journal keeps it. */
function outcomeUnknownAction(error: unknown, language: ImaLanguage): string {
  const ref = text(field(error, 'ref'))
  return language === 'zh'
    ? `任务可能已创建并扣积分，先别重试：\`ima tasks --unknown\` 能找到它${ref ? `（参考 ${ref}）` : ''}；可在 IMA 网站查看任务和余额，或带上时间、模型和参考号联系客服`
    : `The task may exist and may be charged, so do not run it again yet: \`ima tasks --unknown\` lists it${ref ? ` (ref ${ref})` : ''}; check your tasks and balance on the IMA site, or ask support with the time, model and ref`
}

/** Where the chat wording ("say recommend one") does not fit a terminal, the terminal's own next step. */
const CLI_ACTIONS: Partial<Record<string, Record<ImaLanguage, (flags: FlagNames) => string>>> = {
  'model-not-found': {
    en: () => 'Pick one from `ima models` — by name, id, alias (NB Pro, MJ) or tier (budget, premium)',
    zh: () => '从 `ima models` 里选一个：名称、id、别名（NB Pro、MJ）或档位（budget、premium）都可以',
  },
  'unsupported-ratio': {
    en: (flags) => `Pick a ratio the model offers (\`ima models\` lists them), leave ${flags.aspectRatio} out, or choose another model with ${flags.model}`,
    zh: (flags) => `换一个该模型支持的比例（\`ima models\` 列出各模型的比例），去掉 ${flags.aspectRatio}，或用 ${flags.model} 换个模型`,
  },
  'unsupported-size': {
    en: (flags) => `Pick a size the model offers (\`ima models\` lists them), leave ${flags.size} out, or choose another model with ${flags.model}`,
    zh: (flags) => `换一个该模型支持的尺寸（\`ima models\` 列出各模型的尺寸），去掉 ${flags.size}，或用 ${flags.model} 换个模型`,
  },
  'invalid-input': {
    en: () => 'Check the options: `ima --help` (or `ima <command> --help`) lists them',
    zh: () => '检查选项：`ima --help`（或 `ima <命令> --help`）列出所有选项',
  },
  setup: {
    en: () => 'Check --api-key, --base-url and --upload-base-url (or IMA_API_KEY, IMA_BASE_URL, IMA_IM_BASE_URL)',
    zh: () => '检查 --api-key、--base-url、--upload-base-url（或 IMA_API_KEY、IMA_BASE_URL、IMA_IM_BASE_URL）',
  },
  cancelled: { en: () => 'Run the command again when you like', zh: () => '需要时再运行一次命令' },
}

/** The CLI's headline for a refused parameter in Chinese; the SDK's precise message follows as details. */
const ZH_HEADLINES: Partial<Record<string, string>> = {
  'unsupported-ratio': '比例与所选模型不符',
  'unsupported-size': '尺寸与所选模型不符',
  'model-not-found': '没有找到这个模型',
  budget: '这张图需要的积分超出了设定的上限',
  setup: '设置有误',
  'invalid-input': '这个请求需要调整',
}

/** What an input image's issue says (`FieldIssue.message` of the SDK's local-file and sniffing checks). */
function inputImageSentence(issue: string, image: string, language: ImaLanguage, flags: FlagNames): { message: string; action: string } | undefined {
  const zh = language === 'zh'
  switch (issue) {
    case 'file does not exist':
      return zh
        ? { message: `找不到文件：${image}`, action: `检查 ${flags.inputImages} 的路径（相对路径从当前文件夹算起），或改用 https 地址` }
        : { message: `File not found: ${image}`, action: `Check the path given to ${flags.inputImages} (a relative path starts from the current folder), or pass an https URL` }
    case 'is not a recognised image':
      return zh
        ? { message: `${image} 不是图片：按文件开头的字节判断，它不是 JPEG、PNG、WebP、GIF、BMP、HEIC 或 AVIF`, action: '先转换成 PNG 或 JPEG，或换一个文件' }
        : { message: `${image} is not an image: its first bytes are not those of a JPEG, PNG, WebP, GIF, BMP, HEIC or AVIF file`, action: 'Convert it to PNG or JPEG, or pass another file' }
    case 'is empty':
      return zh ? { message: `${image} 是空文件，不是图片`, action: '换一个图片文件' } : { message: `${image} is empty: not an image`, action: 'Pass an image file' }
    // An empty value (`--image ""`, often an unset shell variable) is no file at all: say so, not "empty file".
    case 'is an empty string':
      return zh
        ? { message: `${flags.inputImages} 的值是空的`, action: `给 ${flags.inputImages} 传图片文件的路径或 https 地址` }
        : { message: `${flags.inputImages} was given an empty value`, action: `Give ${flags.inputImages} the path of an image file or an https URL` }
    case 'is not a file':
      return zh
        ? { message: `${image} 不是文件（可能是文件夹）`, action: `给 ${flags.inputImages} 传图片文件的路径` }
        : { message: `${image} is not a file (a folder?)`, action: `Give ${flags.inputImages} the path of an image file` }
    default:
      return undefined
  }
}

/** A refused input image: which one (by the SDK's issue path `inputImages.N`) and why. */
function explainInputImage(error: unknown, options: ReportOptions, flags: FlagNames): Explanation | undefined {
  const issues = field(error, 'issues')
  if (!Array.isArray(issues)) return undefined
  for (const issue of issues) {
    const index = /^inputImages\.(\d+)$/.exec(String(field(issue, 'path') ?? ''))?.[1]
    const image = index === undefined ? undefined : options.inputImages?.[Number(index)]
    if (image === undefined) continue
    const sentence = inputImageSentence(String(field(issue, 'message') ?? ''), image, options.language, flags)
    if (sentence) return sentence
  }
  return undefined
}

/**
 * A refusal made before any request (a ratio or size the model lacks, a
 * mistyped model, a budget, a bad input): the SDK's own message, which names
 * the model's real ratios and sizes, in the command line's words. Its part
 * after " — " is the next step when it has one.
 */
function explainRefusal(error: unknown, translated: TranslatedError, options: ReportOptions, flags: FlagNames): Explanation {
  const image = explainInputImage(error, options, flags)
  if (image) return image
  const sdkMessage = inFlagWords(String(field(error, 'message') ?? ''), flags, options.inputImages)
  const [cause = sdkMessage, ...rest] = sdkMessage.split(' — ')
  const ownAction = CLI_ACTIONS[translated.kind]?.[options.language]?.(flags)
  // The budget's suggestion (a cheaper model that fits) is more precise than any sentence here.
  const action = translated.kind === 'budget' ? translated.action : ownAction ?? translated.action
  if (options.language === 'zh') return { message: ZH_HEADLINES[translated.kind] ?? translated.message, action, details: sdkMessage }
  return { message: cause, action: rest.length > 0 && translated.kind !== 'budget' ? capitalise(rest.join(' — ')) : action }
}

function capitalise(value: string): string {
  return `${value.charAt(0).toUpperCase()}${value.slice(1)}`
}

/** The host a failed request went to: the upload host for the upload token and PUT, else the API host. */
function hostOf(error: unknown, options: ReportOptions): string {
  const request = field(error, 'request')
  const upload = field(request, 'method') === 'PUT' || /\/oss\//.test(String(field(request, 'path') ?? ''))
  return upload ? (options.uploadBaseURL ?? DEFAULT_UPLOAD_BASE_URL) : (options.baseURL ?? DEFAULT_BASE_URL)
}

function isLoopbackURL(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname)
  } catch {
    return false
  }
}

/** A connection that never worked, named: nothing listening (is `ima serve` running?), or a host that does not exist. */
function explainConnection(error: unknown, options: ReportOptions): Explanation | undefined {
  const code = field(error, 'code')
  const url = hostOf(error, options)
  const zh = options.language === 'zh'
  if (code === 'ECONNREFUSED') {
    if (isLoopbackURL(url)) {
      return zh
        ? { message: `${url} 上没有服务在监听 —— \`ima serve\` 在运行吗？`, action: '用 `ima serve` 启动本地服务器（它会打印要用的 IMA_BASE_URL），或检查 --base-url' }
        : { message: `Nothing is listening at ${url} — is \`ima serve\` running?`, action: 'Start it with `ima serve` (it prints the IMA_BASE_URL to use), or check --base-url' }
    }
    return zh
      ? { message: `无法连接 ${url}：连接被拒绝`, action: '检查 --base-url、--upload-base-url（或 IMA_BASE_URL、IMA_IM_BASE_URL）和网络，然后再试' }
      : { message: `Could not connect to ${url}: the connection was refused`, action: 'Check --base-url and --upload-base-url (or IMA_BASE_URL, IMA_IM_BASE_URL) and the network, then try again' }
  }
  if (code === 'bad_port') {
    return zh
      ? { message: `${url} 的端口被 fetch 拒绝连接（6000 这样的受阻端口）：什么都没有发出`, action: '换一个端口（--base-url、--upload-base-url；`ima serve --port`）' }
      : { message: `fetch refuses to connect to the port of ${url} (a blocked port, such as 6000): nothing was sent`, action: 'Use another port (--base-url, --upload-base-url; `ima serve --port`)' }
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return zh
      ? { message: `找不到 ${url} 的主机（DNS）`, action: '检查地址拼写（--base-url、--upload-base-url）和网络' }
      : { message: `The host of ${url} was not found (DNS)`, action: 'Check the address (--base-url, --upload-base-url) and the network' }
  }
  return undefined
}

/** File-system codes a local file (the journal, a picture) fails with: a matter of this machine, not of the service or the model. */
const LOCAL_FILE_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EISDIR', 'ENOTDIR', 'EEXIST', 'ENAMETOOLONG', 'EMFILE', 'EIO'])

/**
 * A file of this machine that could not be read or written — the task
 * journal above all, which a create needs before it is sent — named with
 * its path and cause, never as "try another model".
 */
function explainLocalFile(error: unknown, options: ReportOptions): Explanation | undefined {
  const zh = options.language === 'zh'
  if (field(error, 'code') === 'journal_unavailable') {
    // "The task journal could not be written (EACCES …): <the rule>. Nothing was sent." — the part up to the cause.
    const message = text(field(error, 'message')) ?? ''
    const end = message.lastIndexOf('): ')
    const cause = end > 0 ? message.slice(0, end + 1) : 'The task journal could not be used'
    return zh
      ? { message: `任务日志无法读写：${cause}。什么都没有发出，也没有扣积分`, action: '检查该文件及其文件夹的权限和磁盘空间，或用 --journal（IMA_JOURNAL_PATH）换一个文件' }
      : { message: `${cause}. Nothing was sent or charged`, action: "Check the file's and its folder's permissions and the free disk space, or point --journal (IMA_JOURNAL_PATH) to another file" }
  }
  const code = field(error, 'code')
  const path = text(field(error, 'path'))
  if (typeof code !== 'string' || !LOCAL_FILE_CODES.has(code) || field(error, 'syscall') === undefined) return undefined
  const message = text(field(error, 'message')) ?? code
  // Node names the path in the message of most calls (open, mkdir), not of a read.
  const which = path !== undefined && !message.includes(path) ? ` ${path}` : ''
  return zh
    ? { message: `无法使用本机文件${which}：${message}`, action: '检查该文件及其文件夹的权限和磁盘空间；任务日志可用 --journal（IMA_JOURNAL_PATH）换一个文件' }
    : { message: `Cannot use a file on this machine${which}: ${message}`, action: "Check the file's and its folder's permissions and the free disk space; the task journal can move with --journal (IMA_JOURNAL_PATH)" }
}

/** The SDK's errors the CLI explains in its own words, with the cause first. */
function explain(error: unknown, translated: TranslatedError, options: ReportOptions): Explanation | undefined {
  const flags = options.flags ?? COMMAND_FLAGS
  const name = field(error, 'name')
  const zh = options.language === 'zh'
  const local = explainLocalFile(error, options)
  if (local) return local
  switch (name) {
    case 'ValidationError':
    case 'ModelNotFoundError':
    case 'BudgetExceededError':
    case 'ImaConfigError':
      return explainRefusal(error, translated, options, flags)
    case 'ConnectionError':
      return explainConnection(error, options)
    case 'NotFoundError': {
      const taskId = text(field(error, 'taskId'))
      if (!taskId || field(field(error, 'request'), 'path') !== TASK_DETAIL_PATH) return undefined
      // The service knows no such task: nothing was created, so nothing is to be resumed.
      return zh
        ? { message: `服务端不认识任务 id ${taskId}`, action: '检查任务 id（`ima tasks` 列出本机创建的任务）；任务只能用创建它的 API 密钥和 --base-url 找到', task: null }
        : {
            message: `The task id ${taskId} is unknown to the service`,
            action: 'Check the id (`ima tasks` lists the tasks this machine created); a task is found only with the API key and --base-url that created it',
            task: null,
          }
    }
    case 'TaskTimeoutError':
      // The wait's own limit (--timeout) ended it, not the model: "a faster model" would mean paying again.
      return zh
        ? { message: '任务在等待时限（--timeout）内没有完成，它仍在服务端运行', action: translated.action }
        : { message: 'The task did not finish within the wait’s time limit (--timeout); it keeps running on the service', action: translated.action }
    case 'TaskFailedError': {
      const reason = text(field(error, 'reason'))
      const taskId = text(field(error, 'taskId')) ?? ''
      if (!reason) return undefined
      return zh
        ? { message: `任务 ${taskId} 在服务端生成失败：${reason}`, action: translated.action }
        : { message: `Task ${taskId} failed on the service: ${reason}`, action: translated.action }
    }
    default:
      return undefined
  }
}

/** Writes an error to stderr; returns the exit code it calls for. */
export function reportError(io: CliIO, error: unknown, options: ReportOptions): number {
  const words = wordsFor(options.language)
  const labels = words.labels
  const lines: string[] = []
  let exitCode = 1
  if (error instanceof CliError) {
    exitCode = error.exitCode
    // Ctrl-C is the user's choice, not an error: say what happened and how to resume.
    lines.push(error instanceof InterruptedError ? error.message : `${labels.error}: ${error.message}`)
    const hint = error.hint ?? (error instanceof CliUsageError ? words.usageHint : undefined)
    if (hint) lines.push(`${labels.next}: ${hint}`)
  } else {
    const translated = translateError(error, options.language)
    const explained = explain(error, translated, options)
    lines.push(`${labels.error}: ${explained?.message ?? translated.message}`)
    const taskId = text(field(error, 'taskId'))
    // After an accepted create (ImaError.taskId): the task exists, so say which and how to resume it.
    // A refused key fails every poll alike: the way on is a working key, then the same wait (not "resume with" the command that just failed).
    const keyRefused = field(error, 'name') === 'AuthenticationError'
    const created = taskId !== undefined && explained?.task !== null && !keyRefused ? afterCreate(taskId, field(error, 'name') === 'TaskFailedError', options.language) : undefined
    const action =
      created?.action ??
      (keyRefused ? CLI_ACTIONS.setup?.[options.language]?.(options.flags ?? COMMAND_FLAGS) : undefined) ??
      explained?.action ??
      (translated.kind === 'outcome-unknown' ? outcomeUnknownAction(error, options.language) : (CLI_ACTIONS[translated.kind]?.[options.language]?.(options.flags ?? COMMAND_FLAGS) ?? translated.action))
    lines.push(`${labels.next}: ${action}`)
    if (created) lines.push(`${labels.task}: ${created.task}`)
    else if (keyRefused && taskId !== undefined) {
      lines.push(`${labels.task}: ${options.language === 'zh' ? `${taskId}——换上有效的密钥后：ima wait ${taskId}` : `${taskId} — once the key works: ima wait ${taskId}`}`)
    }
    if (explained?.details && !options.verbose) lines.push(`${labels.details}: ${explained.details}`)
    // The code (or, for the SDK's own errors, the kind) lets a person search for it or report it.
    const name = field(error, 'name')
    const reference = translated.code !== undefined ? `code ${String(translated.code)}` : translated.kind
    lines.push(`${labels.reference}: ${reference}${typeof name === 'string' ? ` (${name})` : ''}`)
  }
  if (options.verbose) for (const line of technicalLines(error)) lines.push(`${labels.technical}: ${line}`)
  for (const line of lines) say(io, redactKey(line, options.apiKey))
  return exitCode
}
