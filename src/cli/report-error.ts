/**
 * Errors as a person (or an agent reading stderr) should see them: the
 * plain-language sentence of the protocol's error table in the chosen
 * language, what to do next, and the code as a reference. The technical
 * detail only with `--verbose`; the API key never, not even there.
 */
import { translateError } from '../chat/translate-error.js'
import type { ImaLanguage } from '../core/config.js'
import { CliError, InterruptedError } from './errors.js'
import { say, type CliIO } from './io.js'

const LABELS = {
  en: { error: 'Error', next: 'Next', details: 'Details', reference: 'Reference', technical: 'Technical' },
  zh: { error: '错误', next: '建议', details: '详情', reference: '参考', technical: '技术细节' },
} as const

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
    const action =
      translated.kind === 'timeout' && typeof taskId === 'string'
        ? `${translated.action} — ${options.language === 'zh' ? '继续等待' : 'resume with'}: ima wait ${taskId}`
        : (CLI_ACTIONS[translated.kind]?.[options.language] ?? translated.action)
    lines.push(`${labels.next}: ${action}`)
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
