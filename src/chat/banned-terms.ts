/**
 * What a chat user must never read: the seeds' "Never Say to Users" table
 * (both documents), the "Never Say" column of their error tables, and the
 * technical leftovers a careless message would carry (codes, field names,
 * class names, stack traces). Exported so an embedder can check its own
 * texts with the same list the SDK's tests use.
 */

/**
 * One banned term: a label for reports and the pattern that finds it.
 * @public
 */
export interface BannedTerm {
  /** What the term is, e.g. `attribute_id` or `status code 429`. */
  label: string
  /** Case-insensitive pattern. */
  pattern: RegExp
}

/** A literal term; English words match whole words only, so "subscription" does not hit "script". */
const literal = (text: string): BannedTerm => {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const start = /^\w/.test(text) ? '\\b' : ''
  const end = /\w$/.test(text) ? '\\b' : ''
  return { label: text, pattern: new RegExp(`${start}${escaped}${end}`, 'i') }
}

/** Status and business codes, as bare numbers: "400" but not "400s" (seconds) or "4000". */
const CODE_NUMBERS = ['400', '401', '403', '404', '408', '422', '429', '500', '502', '503', '504', '4008', '6001', '6006', '6009', '6010']

/**
 * Everything a chat message must not contain.
 *
 * "API" is banned except in "API key" / "API密钥": both seeds name the key
 * that way in their own user-facing sentences (it is what the user must get
 * from the key page), while "API 调用 / API call" is on the never-say list.
 * @public
 */
export const CHAT_BANNED_TERMS: readonly BannedTerm[] = [
  // The "Never Say to Users" table.
  ...['ima_image_create.py', '脚本', 'script', '自动化', 'automation', '产品列表', '查询接口', '自动解析参数', '智能轮询', '轮询'].map(literal),
  ...['attribute_id', 'attribute id', 'model_version', 'form_config', 'API 调用', 'API调用', '技术参数'].map(literal),
  // A link the user is meant to open (key page, picture) is fine; the word is not.
  { label: 'HTTP', pattern: /\bHTTPS?\b(?!:\/\/)/i },
  { label: 'API (other than "API key")', pattern: /\bAPI(?!\s?(key|密钥))/i },
  // The error tables' "Never Say" column.
  ...['Invalid product attribute', 'Error 6006', 'Attribute ID does not match', 'Bad request', 'Resource status', 'resource_status', 'Task failed', 'Task timed out', 'Timeout error', 'Connection refused', 'Network error', 'Invalid API key', '401 Unauthorized', '429 Too Many Requests', 'Rate limit', 'Model not available', '503 Service Unavailable', 'Parameter not supported'].map(literal),
  // Not inside a link: a picture's address holds digits of its own (a task id "…e504d…", a port).
  { label: 'status or business code', pattern: new RegExp(`(?<!https?:\\/\\/\\S*)(?<![\\d.])(${CODE_NUMBERS.join('|')})(?![\\d]|\\s?(s\\b|px|p\\b|秒|积分|pts|points))`, 'i') },
  // Technical leftovers.
  ...['task_id', 'task id', 'taskId', 'model_id', 'JSON', 'undefined', 'null', 'NaN', '[object', 'stack', 'traceback', 'exception', 'Error:', 'TypeError', 'ImaError', 'ECONN', 'ETIMEDOUT', 'ENOTFOUND', 'fetch failed', 'endpoint', '/open/v1', 'envelope', 'credit rule', 'poll', 'payload', 'status code', 'AbortError', 'schema'].map(literal),
  { label: 'code-like braces', pattern: /[{}]/ },
  { label: 'stack frame', pattern: /\bat\s+\S+\s+\(/ },
]

/**
 * The banned terms a text contains (empty when it is clean).
 *
 * @example
 * ```ts
 * findBannedTerms('Error 6006: attribute_id mismatch') // ['attribute_id', 'Error 6006', 'status or business code', 'Error:']
 * ```
 * @public
 */
export function findBannedTerms(text: string): string[] {
  return CHAT_BANNED_TERMS.filter((term) => term.pattern.test(text)).map((term) => term.label)
}
