/**
 * The `{ code, message, data }` envelope every JSON answer of IMA uses, and the
 * reply values handlers return so that one place writes and records them.
 */

/** The JSON body of every IMA answer; `code` 0 means success. */
export interface Envelope {
  code: number
  message: string
  data: unknown
}

/** A JSON envelope answer with its HTTP status. */
export interface JsonReply {
  kind: 'json'
  status: number
  body: Envelope
  /** Ask the listener to drop the connection after answering (e.g. an unread oversized body). */
  closeConnection?: boolean
  /** Extra response headers (e.g. `retry-after`). */
  headers?: Record<string, string>
}

/** A binary answer (PNG results, uploaded bytes). */
export interface BytesReply {
  kind: 'bytes'
  status: number
  contentType: string
  bytes: Uint8Array
}

/** What a route handler answers; the listener writes it and records it. */
export type Reply = JsonReply | BytesReply

/** A success envelope (code 0), as the real service sends it. */
export function success(data: unknown): JsonReply {
  return { kind: 'json', status: 200, body: { code: 0, message: 'success', data } }
}

/**
 * A failure envelope. The HTTP status and the envelope code are separate
 * because IMA reports many business errors (4008, 6001…) under HTTP 200.
 */
export function failure(status: number, code: number, message: string): JsonReply {
  return { kind: 'json', status, body: { code, message, data: null } }
}

/**
 * The answer to a known route asked with another method: 405 with `Allow`,
 * so a client that sends GET where POST is due learns it is the method, not
 * the path.
 */
export function methodNotAllowed(method: string, path: string, allowed: readonly string[]): JsonReply {
  return { ...failure(405, 405, `method ${method} is not allowed on ${path}: use ${allowed.join(' or ')}`), headers: { allow: allowed.join(', ') } }
}

/** The catch-all answer for unknown routes and unknown ids. */
export function notFound(message = 'not found'): JsonReply {
  return failure(404, 404, message)
}
