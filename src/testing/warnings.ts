/**
 * Leniency: where the documents say the service accepts a request a strict
 * reading would refuse (protocol §9), the local server accepts it too and
 * records a warning, so a test can still assert that its client sent
 * canonical bodies. With `strict: true` each leniency is a 400 instead.
 */
import { failure } from './envelope.js'
import type { JsonReply } from './envelope.js'

/**
 * What the server was lenient about:
 * - `aspect-ratio-ignored`: an `aspect_ratio` on a model that takes none as a
 *   parameter (Midjourney, SeeDream 4.5), and the image made has another shape.
 * - `value-normalised`: a size or rule value matched only when compared
 *   trimmed and case-insensitively (`4K` for `4k`, `480P` for `480p`).
 * - `language-fallback`: an `x_app_language` other than `en` or `zh`; labels are in English.
 * - `http-input-image`: an input image over plain http on a loopback host that is not one of
 *   this server's own upload links (the service fetches public https URLs only).
 * - `create-field`: a create whose `parameters[0]` has an `app`, `platform` or `category` other
 *   than the protocol's (`ima`, `web`, the task type), or leaves one out, or whose `parameters`
 *   has more than one entry (only the first is read and charged).
 *
 * @example
 * ```ts
 * const ignored = server.warnings.filter((warning) => warning.code === 'aspect-ratio-ignored')
 * ```
 */
export type ServerWarningCode = 'aspect-ratio-ignored' | 'value-normalised' | 'language-fallback' | 'http-input-image' | 'create-field'

/**
 * One leniency applied to a request, as kept in `server.warnings`.
 *
 * @example
 * ```ts
 * const server = await startImaServer()
 * // … run your client …
 * expect(server.warnings).toEqual([]) // it sent only canonical requests
 * // A non-canonical one would read, for example:
 * // { code: 'value-normalised', path: '/open/v1/tasks/create', field: 'parameters[0].parameters.size',
 * //   message: 'size "4K" read as "4k" (values compare case-insensitively)', requestIndex: 3, taskId: 'task_…' }
 * ```
 */
export interface ServerWarning {
  code: ServerWarningCode
  /** The request's path, e.g. '/open/v1/tasks/create'. */
  path: string
  /** Where in the request: a body path such as 'parameters[0].parameters.aspect_ratio', or 'header x_app_language'. */
  field: string
  /** What the server did instead of refusing, in plain words. */
  message: string
  /** Index of the request in `server.requests`. */
  requestIndex: number
  /** The task the create made, when it was accepted. */
  taskId?: string
}

/**
 * A leniency before it is tied to its request.
 *
 * @example
 * ```ts
 * const leniency: Leniency = { code: 'value-normalised', field: 'parameters[0].parameters.size', message: 'size "4K" read as "4k"' }
 * ```
 */
export interface Leniency {
  code: ServerWarningCode
  field: string
  message: string
}

/**
 * The leniencies of one request. `allow` notes one and returns undefined, or,
 * on a strict server, returns the 400 to answer instead.
 *
 * @example
 * ```ts
 * const log = new LeniencyLog(state.options.strict)
 * // … checks that call log.allow(…) …
 * recordWarnings(state, call, log.entries)
 * ```
 */
export class LeniencyLog {
  readonly entries: Leniency[] = []

  constructor(readonly strict: boolean) {}

  /**
   * @param strictMessage - the refusal a strict backend gives, naming the value and the way to fix it.
   * @example
   * ```ts
   * const refusal = log.allow('value-normalised', 'parameters[0].parameters.size', 'size "4K" read as "4k"', 'invalid size "4K"')
   * if (refusal) return refusal
   * ```
   */
  allow(code: ServerWarningCode, field: string, message: string, strictMessage: string): JsonReply | undefined {
    if (this.strict) return failure(400, 400, strictMessage)
    // One warning per field and kind: a size checked against the rules and the form is one leniency.
    if (!this.entries.some((entry) => entry.code === code && entry.field === field)) this.entries.push({ code, field, message })
    return undefined
  }
}
