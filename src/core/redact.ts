/**
 * Redaction in one place: anything that could carry the API key passes
 * through here before it reaches an error message, a log line or an event.
 */

/** What replaces a secret. */
export const REDACTED = '[redacted]'

// Keys look like `ima_…`; Bearer tokens may be any key at all.
const KEY_PATTERN = /\bima_[A-Za-z0-9._-]{4,}/g
const BEARER_PATTERN = /\bBearer\s+[^\s"',;]+/gi

/**
 * Removes the given secrets, anything that looks like an IMA key and any
 * Bearer token from `text`.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text
  for (const secret of secrets) {
    // Very short strings would shred ordinary text and cannot be real keys.
    if (secret && secret.length >= 6) out = out.split(secret).join(REDACTED)
  }
  return out.replace(BEARER_PATTERN, `Bearer ${REDACTED}`).replace(KEY_PATTERN, REDACTED)
}

/** The first `max` characters of a body, redacted and on one line, for error messages. */
export function excerptOf(body: string, secrets: readonly (string | undefined)[] = [], max = 200): string {
  const flat = body.replace(/\s+/g, ' ').trim()
  const cut = flat.length > max ? `${flat.slice(0, max)}…` : flat
  return redactSecrets(cut, secrets)
}

/** Field names whose value is a secret whatever it looks like. */
const SECRET_FIELD = /^(api[_-]?key|authorization|proxy-authorization|cookie|set-cookie|token|access[_-]?token|cmim[_-]?token|app[_-]?uid|password|secret)$/i
/** Field names that carry the user's prompt: written only when the client opts in with `logPrompts`. */
const PROMPT_FIELD = /^(prompt|negative[_-]?prompt|prompts)$/i
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
      if (value instanceof Error) {
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
