/** One request as route handlers see it: parsed URL and body, plus its live record. */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import type { RecordedRequest } from './records.js'

/** The body decoded both ways a route may want it. */
export interface ParsedBody {
  /** The body as JSON, when it parses. */
  json: { ok: true; value: unknown } | { ok: false }
  /** The fields, when the body is `application/x-www-form-urlencoded`. */
  form: Record<string, string> | undefined
  /** What the record keeps: form fields, JSON, the raw text when it is neither, or undefined when empty. */
  recorded: unknown
}

/** A request in flight. */
export interface IncomingCall {
  readonly req: IncomingMessage
  readonly method: string
  readonly path: string
  readonly query: Record<string, string>
  /** Empty for routes that stream their body themselves (upload PUT). */
  readonly body: ParsedBody
  /** The entry in `server.requests`; handlers may refine `authorized` and `body`. */
  readonly record: RecordedRequest
}

/** Body fields that carry an API key and must never be kept in records. */
const SECRET_FIELDS = new Set(['appUid', 'cmimToken'])

/** A copy of the fields with API-key-bearing values replaced, since records outlive tests and get printed. */
export function redactFields(fields: Record<string, string>): Record<string, string> {
  const copy: Record<string, string> = {}
  for (const [key, value] of Object.entries(fields)) copy[key] = SECRET_FIELDS.has(key) ? '[redacted]' : value
  return copy
}

/** Flattens headers to strings and hides the Authorization value. */
export function recordableHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    out[name] = name === 'authorization' ? '[redacted]' : Array.isArray(value) ? value.join(', ') : value
  }
  return out
}

/** Turns query parameters into a plain record (the last value of a repeated name wins). */
export function queryRecord(search: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of search) out[key] = value
  return out
}

/** Decodes a body as form fields (by content type) and as JSON (whatever the content type says). */
export function parseBody(bytes: Buffer | undefined, contentType: string | undefined): ParsedBody {
  if (!bytes || bytes.length === 0) return { json: { ok: false }, form: undefined, recorded: undefined }
  const text = bytes.toString('utf8')
  const isForm = (contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')
  const form = isForm ? queryRecord(new URLSearchParams(text)) : undefined
  let json: ParsedBody['json'] = { ok: false }
  try {
    json = { ok: true, value: JSON.parse(text) as unknown }
  } catch {
    // Not JSON: routes that need JSON answer 400.
  }
  const recorded = form ? redactFields(form) : json.ok ? json.value : text
  return { json, form, recorded }
}

/** The empty body, for routes whose body is not read up front. */
export const UNREAD_BODY: ParsedBody = { json: { ok: false }, form: undefined, recorded: undefined }
