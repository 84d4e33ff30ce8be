/**
 * Errors as a person (or an agent reading stderr) should see them: the
 * plain-language sentence of the protocol's error table in the chosen
 * language, what to do next, and the code as a reference. The technical
 * detail only with `--verbose`; the API key never, not even there.
 */
import { translateError } from '../chat/translate-error.js'
import type { ImaLanguage } from '../http/transport-options.js'
import { CliError, InterruptedError } from './errors.js'
import { say, type CliIO } from './io.js'

const LABELS = {
  en: { error: 'Error', next: 'Next', details: 'Details', task: 'Task', reference: 'Reference', technical: 'Technical' },
  zh: { error: '错误', next: '建议', details: '详情', task: '任务', reference: '参考', technical: '技术细节' },
} as const

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
  const ref = field(error, 'ref')
  const refText = typeof ref === 'string' ? ref : undefined
  return language === 'zh'
    ? `任务可能已创建并扣积分，先别重试：\`ima tasks --unknown\` 能找到它${refText ? `（参考 ${refText}）` : ''}；可在 IMA 网站查看任务和余额，或带上时间、模型和参考号联系客服`
    : `The task may exist and may be charged, so do not run it again yet: \`ima tasks --unknown\` lists it${refText ? ` (ref ${refText})` : ''}; check your tasks and balance on the IMA site, or ask support with the time, model and ref`
}

/**
 * SDK errors whose own message is written for the user (what was refused and
 * what to do instead, close matches of a mistyped model): shown as details
 * even without `--verbose`, since the translated sentence alone is vaguer.
 */
const USER_FACING = new Set(['ValidationError', 'ModelNotFoundError', 'BudgetExceededError', 'ImaConfigError'])

/** Where the chat wording ("say recommend one") does not fit a terminal, the terminal's own next step. */
const CLI_ACTIONS: Partial<Record<string, Record<ImaLanguage, string>>> = {
  'model-not-found': {
    en: 'Pick one from `ima models` — by name, id, alias (NB Pro, MJ) or tier (budget, premium)',
    zh: '从 `ima models` 里选一个：名称、id、别名（NB Pro、MJ）或档位（budget、premium）都可以',
  },
  setup: {
    en: 'Check --api-key, --base-url and --upload-base-url (or IMA_API_KEY, IMA_BASE_URL, IMA_IM_BASE_URL)',
    zh: '检查 --api-key、--base-url、--upload-base-url（或 IMA_API_KEY、IMA_BASE_URL、IMA_IM_BASE_URL）',
  },
  cancelled: { en: 'Run the command again when you like', zh: '需要时再运行一次命令' },
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined
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

/** Options of {@link reportError}. */
export interface ReportOptions {
  language: ImaLanguage
  verbose: boolean
  /** The key in use, so no line can show it. */
  apiKey: string | undefined
}

/** Writes an error to stderr; returns the exit code it calls for. */
export function reportError(io: CliIO, error: unknown, options: ReportOptions): number {
  const labels = LABELS[options.language]
  const lines: string[] = []
  let exitCode = 1
  if (error instanceof CliError) {
    exitCode = error.exitCode
    // Ctrl-C is the user's choice, not an error: say what happened and how to resume.
    lines.push(error instanceof InterruptedError ? error.message : `${labels.error}: ${error.message}`)
    if (error.hint) lines.push(`${labels.next}: ${error.hint}`)
  } else {
    const translated = translateError(error, options.language)
    lines.push(`${labels.error}: ${translated.message}`)
    const taskId = field(error, 'taskId')
    // After an accepted create (ImaError.taskId): the task exists, so say which and how to resume it.
    const created = typeof taskId === 'string' && taskId !== '' ? afterCreate(taskId, field(error, 'name') === 'TaskFailedError', options.language) : undefined
    const action =
      created?.action ??
      (translated.kind === 'outcome-unknown' ? outcomeUnknownAction(error, options.language) : (CLI_ACTIONS[translated.kind]?.[options.language] ?? translated.action))
    lines.push(`${labels.next}: ${action}`)
    if (created) lines.push(`${labels.task}: ${created.task}`)
    const name = field(error, 'name')
    const message = field(error, 'message')
    if (typeof name === 'string' && USER_FACING.has(name) && typeof message === 'string' && !options.verbose) {
      lines.push(`${labels.details}: ${message}`)
    }
    // The code (or, for the SDK's own errors, the kind) lets a person search for it or report it.
    const reference = translated.code !== undefined ? `code ${String(translated.code)}` : translated.kind
    lines.push(`${labels.reference}: ${reference}${typeof name === 'string' ? ` (${name})` : ''}`)
  }
  if (options.verbose) for (const line of technicalLines(error)) lines.push(`${labels.technical}: ${line}`)
  for (const line of lines) say(io, redactKey(line, options.apiKey))
  return exitCode
}
