/** What the local server remembers, so tests can assert on exactly what a client sent. */
import type { TaskCategory } from './catalog.js'

/** One HTTP request as the server saw it, with the answer it gave. */
export interface RecordedRequest {
  method: string
  /** The path without the query string. */
  path: string
  /** Query parameters; `appUid` and `cmimToken` (which carry the API key) are redacted. */
  query: Record<string, string>
  /**
   * Lower-cased header names. The `authorization` value is replaced by
   * '[redacted]' so the key is never stored; its presence is still visible.
   */
  headers: Record<string, string>
  /** Whether the request presented a configured API key (Bearer header, or appUid/cmimToken on the token endpoint). */
  authorized: boolean
  /**
   * Parsed JSON or form fields, the raw text when the body was not valid JSON,
   * or undefined when empty. PUT bytes are not kept here (see `uploads`).
   * Form fields `appUid` and `cmimToken` carry the API key, so they are redacted too.
   */
  body: unknown
  /** HTTP status of the answer (0 until answered). */
  status: number
  /** The JSON envelope answered, or undefined for binary answers. */
  responseBody: unknown
}

/** An accepted create, with the values the server read from it. */
export interface ServerTask {
  id: string
  taskType: TaskCategory
  /** The create body exactly as received. */
  body: unknown
  modelId: string
  modelVersion: string
  attributeId: number
  credit: number
  n: number
  /** Points deducted: credit × n. */
  charged: number
  prompt: string
  /** The nested `parameters[0].parameters` object received. */
  parameters: Record<string, unknown>
  inputImages: string[]
  /** Nominal requested dimensions, before scaling down to `maxImageSide`. */
  width: number
  height: number
  /** `Date.now()` at acceptance. */
  createdAt: number
  /** Number of detail requests for this task so far. */
  polls: number
}

/** Bytes stored by a `PUT` to an upload URL. */
export interface ServerUpload {
  id: string
  /** The PUT's Content-Type, or the token's `fContentType` when the PUT sent none. */
  contentType: string
  suffix: string
  bytes: Uint8Array
  /** The upload URL handed out (`PUT` target). */
  ful: string
  /** The download URL handed out (what a create should reference). */
  fdl: string
}
