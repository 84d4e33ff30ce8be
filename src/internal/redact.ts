/**
 * Redaction in one place: anything that could carry the API key passes
 * through here before it reaches an error message, a log line or an event.
 */
import { isErrorLike } from './cause-chain.js'

/**
 * What replaces a secret.
 *
 * @example
 * ```ts
 * redactSecrets('key ima_abcdef123456') === `key ${REDACTED}` // true
 * ```
 */
export const REDACTED = '[redacted]'

// Keys look like `ima_…`, in any case: an echo may be upper-cased.
const KEY_PATTERN = /\bima_[A-Za-z0-9._-]{4,}/gi
// Upper-case names without digits are environment variables (`IMA_API_KEY`), which messages name, not keys.
const ENVIRONMENT_NAME = /^IMA_[A-Z_]+$/
// Bearer tokens may be any key at all.
const BEARER_PATTERN = /\bBearer\s+[^\s"',;]+/gi
// The userinfo of a URL (`//user:password@`), with or without a scheme before it.
const USERINFO_PATTERN = /\/\/[^\s/?#@"'<>]+@/g
// The query string and fragment of a URL, where signed URLs carry their credentials.
const URL_QUERY_PATTERN = /\b([a-z][a-z0-9+.-]*:\/\/[^\s?#"'<>]*)[?#][^\s"'<>]*/gi
// Punctuation that ends a sentence rather than a URL.
const SENTENCE_PUNCTUATION = new Set(['.', ',', ';', ':', '!', ')', ']', '}'])

/** Shortest exact secret removed: shorter strings would shred ordinary text and cannot be real keys. */
const MIN_SECRET_LENGTH = 6
/** Shortest secret part of an `ima_` key removed on its own (an echo without the prefix). */
const MIN_SECRET_PART_LENGTH = 8

/**
 * Each secret, and the part after `ima_` of a key when it is long enough to
 * be safe to remove alone, each as written and URL-encoded (a service that
 * echoes a query string echoes `sk%2FAbc`); longest first.
 */
function secretForms(secrets: readonly (string | undefined)[]): string[] {
  const forms = new Set<string>()
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue
    const own = [secret]
    if (/^ima_/i.test(secret) && secret.length - 4 >= MIN_SECRET_PART_LENGTH) own.push(secret.slice(4))
    for (const form of own) {
      forms.add(form)
      forms.add(encodeURIComponent(form))
    }
  }
  return [...forms].sort((a, b) => b.length - a.length)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

const NO_PATTERNS: readonly RegExp[] = []
/** Most sets of secrets kept compiled: a client's key, plus an upload's signature or two at a time. */
const MAX_COMPILED_SETS = 32
// Compiled once per set of secrets, not per call: every answer and media field is redacted, and a RegExp costs a compile.
const compiledSets = new Map<string, readonly RegExp[]>()

/** The patterns of {@link secretForms}, in the same order, compiled once per set of secrets. */
function secretPatterns(secrets: readonly (string | undefined)[]): readonly RegExp[] {
  if (secrets.length === 0) return NO_PATTERNS
  // No key or URL holds a NUL, so joining on it cannot make two sets of secrets one.
  const key = secrets.length === 1 ? (secrets[0] ?? '') : secrets.join('\0')
  let patterns = compiledSets.get(key)
  if (patterns === undefined) {
    patterns = secretForms(secrets).map((form) => new RegExp(escapeRegExp(form), 'gi'))
    // Bounded: each upload brings its own signature. Dropping all is simpler than an LRU and as cheap in practice.
    if (compiledSets.size >= MAX_COMPILED_SETS) compiledSets.clear()
    compiledSets.set(key, patterns)
  }
  return patterns
}

/**
 * Cuts the credentials out of the URLs in free text: the userinfo
 * (`//user:password@` becomes `//[redacted]@`) and the query string and
 * fragment (`?X-Amz-Signature=…` becomes `?[redacted]`), where signed URLs
 * carry theirs. The scheme, host and path stay, to say where a call went.
 *
 * @example
 * ```ts
 * redactUrlCredentials('GET https://bob:hunter2@cdn.example/a.png?sig=abc failed')
 * // 'GET https://[redacted]@cdn.example/a.png?[redacted] failed'
 * ```
 */
export function redactUrlCredentials(text: string): string {
  // Both patterns need a `//`: most text has none, and a scan for it is cheaper than two regex runs.
  if (!text.includes('//')) return text
  const cut = text.replace(USERINFO_PATTERN, `//${REDACTED}@`)
  if (!cut.includes('://')) return cut
  return cut.replace(URL_QUERY_PATTERN, (match: string, beforeQuery: string) => {
    // Counted by hand: a pattern for trailing punctuation would backtrack quadratically on a long run of it.
    let end = match.length
    while (end > beforeQuery.length + 1 && SENTENCE_PUNCTUATION.has(match.charAt(end - 1))) end -= 1
    return `${beforeQuery}?${REDACTED}${match.slice(end)}`
  })
}

/**
 * The one redaction every string from outside goes through before it
 * becomes part of an error, an event or a log line. Removes, in any case:
 * the given secrets (the API key), the part of an `ima_…` key after its
 * prefix (8 characters or more), both also URL-encoded, anything that looks like an IMA key
 * (`ima_…`, `IMA_…`; not upper-case names like `IMA_API_KEY`), Bearer
 * tokens, and the credentials of URLs ({@link redactUrlCredentials}).
 *
 * @example
 * ```ts
 * redactSecrets('echo IMA_CANARY_9F3B and canary_9f3b', ['ima_canary_9f3b'])
 * // 'echo [redacted] and [redacted]'
 * ```
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  // Nothing removed is shorter than `//x@`: short fields (a status, a format) need no pattern run.
  if (text.length < 4) return text
  // URLs first, so a query string that holds the key is cut whole.
  let out = redactUrlCredentials(text)
  for (const pattern of secretPatterns(secrets)) out = out.replace(pattern, REDACTED)
  out = out.replace(BEARER_PATTERN, `Bearer ${REDACTED}`)
  // Every key-looking word has an `ima_`: without an underscore there is none to look for.
  // A sentence's full stop after a variable's name (`set IMA_MAX_CREDITS.`) is not part of the name.
  return out.includes('_') ? out.replace(KEY_PATTERN, (match) => (ENVIRONMENT_NAME.test(match.replace(/[.-]+$/, '')) ? match : REDACTED)) : out
}

/**
 * The first `max` characters of a body, redacted and on one line, for
 * error messages. Redacted before it is cut, so no secret is cut in half
 * past recognition.
 *
 * @example
 * ```ts
 * excerptOf('<html>\n  <body>Bad gateway</body>\n</html>') // '<html> <body>Bad gateway</body> </html>'
 * ```
 */
export function excerptOf(body: string, secrets: readonly (string | undefined)[] = [], max = 200): string {
  const flat = redactSecrets(body.replace(/\s+/g, ' ').trim(), secrets)
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}

/** Field names whose value is a secret whatever it looks like. */
const SECRET_FIELD = /^(api[_-]?key|authorization|proxy-authorization|cookie|set-cookie|token|access[_-]?token|cmim[_-]?token|app[_-]?uid|password|secret)$/i
/** Field names that carry the user's prompt: written only when the client opts in with `logPrompts`. */
const PROMPT_FIELD = /^(prompt|negative[_-]?prompt|prompts)$/i

/**
 * Whether a field carries the user's prompt (`prompt`, `negative_prompt`…):
 * kept out of logs and the task journal unless the client opts in with `logPrompts`.
 *
 * @example
 * ```ts
 * isPromptField('negative_prompt') // true
 * ```
 */
export function isPromptField(name: string): boolean {
  return PROMPT_FIELD.test(name)
}
/** How deep structured fields are walked; deeper values are cut short. */
const MAX_FIELD_DEPTH = 8

/** Options of {@link redactFields}. */
export interface RedactFieldsOptions {
  /** Exact secrets to remove (the API key), besides anything that looks like `ima_…` or a Bearer token. */
  secrets?: readonly (string | undefined)[]
  /** Keep `prompt` fields. @defaultValue false */
  logPrompts?: boolean
}

/**
 * Structured log fields made safe to write: every string goes through
 * {@link redactSecrets}; fields named like a secret (`apiKey`,
 * `authorization`, `token`…) are replaced whatever their value; `prompt`
 * fields are replaced unless `logPrompts`; errors become `{ name, message,
 * code }`; cycles, functions and very deep values are cut short. Always
 * returns plain JSON-safe data and never throws.
 */
export function redactFields(fields: Record<string, unknown>, options: RedactFieldsOptions = {}): Record<string, unknown> {
  const secrets = options.secrets ?? []
  const seen = new WeakSet<object>()
  const walk = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return redactSecrets(value, secrets)
    if (value === null || typeof value === 'number' || typeof value === 'boolean') return value
    if (value === undefined) return undefined
    if (typeof value === 'bigint') return value.toString()
    if (typeof value === 'function' || typeof value === 'symbol') return undefined
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString()
    if (value instanceof URL) return redactSecrets(value.href, secrets)
    const object = value as object
    if (seen.has(object)) return '[circular]'
    if (depth >= MAX_FIELD_DEPTH) return '[too deep]'
    seen.add(object)
    try {
      if (isErrorLike(value)) {
        const code = (value as { code?: unknown }).code
        return {
          name: value.name,
          message: redactSecrets(value.message, secrets),
          ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
        }
      }
      if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1) ?? null)
      const out: Record<string, unknown> = {}
      for (const [key, item] of Object.entries(object)) {
        if (SECRET_FIELD.test(key)) out[key] = REDACTED
        else if (PROMPT_FIELD.test(key) && !options.logPrompts) out[key] = REDACTED
        else {
          const walked = walk(item, depth + 1)
          if (walked !== undefined) out[key] = walked
        }
      }
      return out
    } finally {
      seen.delete(object)
    }
  }
  try {
    return walk(fields, 0) as Record<string, unknown>
  } catch {
    // A getter that throws: say so rather than lose the line.
    return { fields: '[unreadable]' }
  }
}
