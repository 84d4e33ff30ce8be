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
