import { createFetch, FetchError, type $Fetch, type FetchOptions } from 'ofetch'
import type { DataReader } from '../schemas/data-check.js'
import { SDK_NAME, SDK_VERSION } from '../version.js'
import { abortErrorFor, delay, linkSignals } from '../internal/abort.js'
import { isReadableStream, onEveryPull, readAnswerText } from '../internal/byte-streams.js'
import { causeChainText, isErrorLike } from '../internal/cause-chain.js'
import type { ResolvedConfig } from './transport-options.js'
import {
  ConnectionError,
  ImaError,
  missingApiKeyError,
  RequestTimeoutError,
  ResponseTooLargeError,
  ResponseValidationError,
  ValidationError,
  type RequestTarget,
} from '../errors.js'
import type { EmitEvent } from './events.js'
import { envelopeReader, type AnswerReader, type HttpAnswer } from './answers.js'
import { noopLogger } from '../logger.js'
import { excerptOf, redactSecrets } from '../internal/redact.js'
import { toJsonText } from '../internal/validate.js'
import { DEFAULT_RETRY_SETTINGS, decideRetry, type RetryDecision, type RetryKind, type RetrySettings } from './retry-policy.js'

export type { AnswerReader, HttpAnswer } from './answers.js'

/**
 * The methods the SDK sends.
 *
 * @example
 * ```ts
 * const method: HttpMethod = config.uploadTokenMethod // 'POST' | 'GET'
 * ```
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT'

/**
 * A body sent as it is (the upload PUT's bytes), made afresh for every attempt.
 *
 * @example
 * ```ts
 * const rawBody = (): RawBody => ({ data: file.open(), release: (reason) => stream.cancel(reason) })
 * ```
 */
export interface RawBody {
  /** What fetch sends: in-memory bytes as they are, files and streams as a stream. */
  data: Uint8Array | Blob | ReadableStream<Uint8Array>
  /** The error the body itself failed with (a stream over its size limit, a chunk that is not bytes); it wins over what fetch then reports. */
  failure?: () => ImaError | undefined
  /** Closes what the body reads from (a file, the caller's stream) when the attempt failed, whatever fetch did with it. */
  release?: (reason: unknown) => Promise<void>
}

/**
 * How long one attempt may take, in ms.
 * - `totalMs`: from sending until the whole answer is read.
 * - `stallMs`: the longest wait for a streamed body's next chunk to be
 *   taken, and then for the answer — an upload may rightly take long, so it
 *   is timed on a lack of progress, not on its length.
 *
 * @example
 * ```ts
 * const timeout: AttemptTimeout = streamed ? { stallMs: config.timeout } : { totalMs: config.timeout }
 * ```
 */
export type AttemptTimeout = { totalMs: number } | { stallMs: number }

/**
 * Options every public method takes as its last argument, for that call
 * only: cancel it, give it its own time limit per HTTP attempt, or its own
 * number of retries (creates are still re-sent only when provably safe).
 *
 * @example
 * ```ts
 * const task = await ima.tasks.create({ prompt: 'a fox' }, { signal: AbortSignal.timeout(60_000), maxRetries: 0 })
 * ```
 * @public
 */
export interface RequestOptions {
  /** Cancels the call; it then rejects with an `AbortError` (a create already sent is detached, not dropped). */
  signal?: AbortSignal | undefined
  /** Time limit of each HTTP attempt of this call, in ms. @defaultValue the client's `timeout` */
  timeout?: number | undefined
  /** Retries of this call's requests. @defaultValue the client's `maxRetries` */
  maxRetries?: number | undefined
}

/**
 * The fields of an {@link HttpRequest} that a caller's {@link RequestOptions} set.
 *
 * @example
 * ```ts
 * await http.call({ method: 'GET', path, check: readProductList, retry: 'idempotent', ...requestFields(options) })
 * ```
 */
export function requestFields(options: RequestOptions | undefined): Pick<HttpRequest, 'signal' | 'timeout' | 'maxRetries'> {
  const fields: Pick<HttpRequest, 'signal' | 'timeout' | 'maxRetries'> = {}
  if (options?.signal !== undefined) fields.signal = options.signal
  if (options?.timeout !== undefined) fields.timeout = { totalMs: checkOption('timeout', options.timeout, 1) }
  if (options?.maxRetries !== undefined) fields.maxRetries = Math.floor(checkOption('maxRetries', options.maxRetries, 0))
  return fields
}

/**
 * One request through the send path, whatever its answer is read as.
 *
 * @example
 * ```ts
 * const request: HttpRequest = { method: 'GET', path: '/open/v1/product/list', query: { category: 'text_to_image' }, retry: 'idempotent', signal }
 * ```
 */
export interface HttpRequest {
  method: HttpMethod
  /** Path on the chosen host, e.g. `/open/v1/tasks/create`; with `url`, the path it is named by in errors, events and logs. */
  path: string
  /** Which host: the API (default) or the upload host. */
  host?: 'api' | 'upload'
  /**
   * A full URL handed out by the service (the upload PUT's `ful`), sent to as
   * is instead of `host` + `path`. Such a request carries none of the IMA
   * headers and never an `Authorization` header, and its query string (a
   * signature) is never shown.
   */
  url?: URL
  query?: Record<string, string>
  /** JSON body, or form fields (string values) when `form` is set. */
  body?: object
  /** Send `body` form-encoded instead of JSON. */
  form?: boolean
  /** A body sent as it is, made afresh for each attempt; sent with `duplex: 'half'`. */
  rawBody?: () => RawBody
  /** Headers of this request (the PUT's `content-type`). */
  headers?: Record<string, string>
  /** Send `Authorization: Bearer <key>` (all `/open/v1/` calls). @defaultValue true, false with `url` */
  authorize?: boolean
  /** How the call may be retried. */
  retry: RetryKind
  /** Whether the body can be sent again after a failed attempt (false for a one-shot stream: never retried). @defaultValue true */
  replayable?: boolean
  /** @defaultValue `{ totalMs: timeout }` (the client option) */
  timeout?: AttemptTimeout
  /** Retries of this request. @defaultValue the client's `maxRetries` */
  maxRetries?: number
  /**
   * Read at most this many bytes of the answer and ignore the rest (the PUT's
   * answer is only inspected for an error message). Without it, an answer
   * over `maxResponseBytes` fails with `ResponseTooLargeError`.
   */
  answerPrefixBytes?: number
  /** More strings to remove from whatever of this request or its answer lands in an error (an upload URL's signature). */
  secrets?: readonly string[]
  signal?: AbortSignal
  /**
   * When false, `signal` stops retries and backoff waits but not an attempt
   * already in flight: a create whose body may have left keeps its answer
   * coming (bounded by `timeout`) so its task id is not lost. @defaultValue true
   */
  abortInFlight?: boolean
  /** Told when an attempt starts sending (true) and when it has its answer or failed (false). */
  onInFlight?: (inFlight: boolean) => void
  /** Fields added to this call's log lines (the task id, the model). */
  log?: Record<string, unknown>
}

/**
 * One JSON call: a request whose answer is the service's envelope, with `data` checked by `check`.
 *
 * @example
 * ```ts
 * const call: HttpCall<ProductNode[]> = { method: 'GET', path: '/open/v1/product/list', check: readProductList, retry: 'idempotent' }
 * ```
 */
export interface HttpCall<T> extends HttpRequest {
  /** The check of the envelope's `data`. */
  check: DataReader<T>
}

// Deno's words for failures before any byte is sent (its errors have no code): a connection refused or
// unreachable, a failed lookup, no --allow-net.
const NOT_SENT_TEXT = /client error \(Connect\)|tcp connect error|dns error|failed to lookup address|Requires net access/i

// Error codes of connection failures that happen before any byte is sent.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
])

/** Longest text taken from a low-level error into a message. */
const MAX_DETAIL_CHARS = 2_000

const NO_RETRY: RetryDecision = { retry: false }

const USER_AGENT = `${SDK_NAME}/${SDK_VERSION}`

// Characters every URL encoder leaves as they are: a query of only these is written the same by hand as by ofetch.
const PLAIN_QUERY_TEXT = /^[A-Za-z0-9_.~-]+$/

/**
 * The path with its query written on, when every key and value is plain
 * text (what ofetch would write too, byte for byte), so ofetch need not
 * parse the URL back to merge it; `undefined` for anything else, left to ofetch.
 */
function pathWithPlainQuery(path: string, query: Record<string, string>): string | undefined {
  if (path.includes('?') || path.includes('#')) return undefined
  let out = path
  let separator = '?'
  for (const key in query) {
    const value = query[key]
    if (value === undefined) continue
    if (!PLAIN_QUERY_TEXT.test(key) || !PLAIN_QUERY_TEXT.test(value)) return undefined
    out += `${separator}${key}=${value}`
    separator = '&'
  }
  return out
}

/** The first string `code` on an error or its causes (undici nests them). */
function findErrorCode(error: unknown): string | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 5 && isErrorLike(current); depth += 1) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') return code
    current = current.cause
  }
  return undefined
}


/** Whether an error or one of its causes says `pattern`. */
function causeSays(error: unknown, pattern: RegExp): boolean {
  let current: unknown = error
  for (let depth = 0; depth < 5 && isErrorLike(current); depth += 1) {
    if (pattern.test(current.message)) return true
    current = current.cause
  }
  return false
}

/** A copy of a low-level error with only its message and code, so nothing from the request rides along. */
function stripCause(error: Error, secrets: readonly (string | undefined)[]): Error {
  const copy = new Error(redactSecrets(error.message, secrets))
  copy.name = error.name
  const code = findErrorCode(error)
  if (code) (copy as Error & { code?: string }).code = code
  return copy
}

/**
 * One attempt's time limit: an abort signal and the one timer behind it.
 * `finish()` clears the timer on every path, and nothing re-arms it after.
 */
class AttemptTimer {
  readonly #controller = new AbortController()
  readonly #ms: number
  #timer: ReturnType<typeof setTimeout> | undefined
  #finished = false

  constructor(ms: number) {
    this.#ms = ms
    this.restart()
  }

  get signal(): AbortSignal {
    return this.#controller.signal
  }

  get fired(): boolean {
    return this.#controller.signal.aborted
  }

  restart(): void {
    clearTimeout(this.#timer)
    if (this.#finished || this.fired) return
    this.#timer = setTimeout(() => this.#controller.abort(new Error('the attempt timed out')), this.#ms)
  }

  finish(): void {
    this.#finished = true
    clearTimeout(this.#timer)
  }
}

/** A per-call number option, refused before anything is sent when it is not a finite number ≥ `min`. */
function checkOption(name: 'timeout' | 'maxRetries', value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new ValidationError(`Expected options.${name} to be a finite number ≥ ${min}, got ${String(value)}`, [{ path: `options.${name}`, message: `must be a number ≥ ${min}` }])
  }
  return value
}

/** Who a request is sent to, in words for messages, and the client option that points there. */
function addresseeOf(request: HttpRequest): { who: string; option: 'baseURL' | 'uploadBaseURL' } {
  return request.url || request.host === 'upload' ? { who: 'the upload host', option: 'uploadBaseURL' } : { who: 'the service', option: 'baseURL' }
}

/** What one attempt is about: the request, how it is named, and which try it is. */
interface Attempt {
  request: HttpRequest
  target: RequestTarget
  number: number
}

/**
 * The one HTTP layer every request goes through — JSON calls and the upload
 * PUT alike: builds headers, sends through an ofetch instance, refuses
 * redirects, reads the answer under a size limit, hands it to a reader that
 * maps it to a result or a typed error, and applies the retry policy.
 * ofetch's own retry is off: its sleep cannot be aborted and it cannot tell a
 * create that never left the machine from one whose outcome is unknown.
 *
 * @example
 * ```ts
 * const http = new HttpClient(resolveConfig({ apiKey }), emit)
 * const tree = await http.call({ method: 'GET', path: '/open/v1/product/list', query, check: readProductList, retry: 'idempotent' })
 * ```
 */
export class HttpClient {
  readonly #config: ResolvedConfig
  readonly #emit: EmitEvent
  readonly #fetch: $Fetch
  /** Streams go with `redirect: 'error'` until fetch refuses that mode (workerd), then with 'manual'. */
  #streamsRedirectError = true
  readonly #retry: RetrySettings
  /** The secrets of a request that brings none of its own: one array for all of them, not one per answer. */
  readonly #keySecrets: readonly (string | undefined)[]
  /** Whether debug lines go anywhere: when not, their fields are not built. */
  readonly #logsDebug: boolean

  constructor(config: ResolvedConfig, emit: EmitEvent, retry: Partial<RetrySettings> = {}) {
    this.#config = config
    this.#emit = emit
    this.#fetch = createFetch({ fetch: config.fetch })
    this.#retry = { ...DEFAULT_RETRY_SETTINGS, maxRetries: config.maxRetries, ...retry }
    this.#keySecrets = [config.apiKey]
    this.#logsDebug = config.logger !== noopLogger
  }

  /**
   * Sends a JSON call, retrying as its kind allows, and returns the validated `data`.
   *
   * @example
   * ```ts
   * const detail = await http.call({ method: 'POST', path: '/open/v1/tasks/detail', body: { task_id: id }, check: readTaskDetailData, retry: 'idempotent' })
   * ```
   */
  call<T>(call: HttpCall<T>): Promise<T> {
    return this.send(call, envelopeReader(call.check))
  }

  /**
   * The send path: sends `request`, reads each attempt's answer with `read`,
   * and retries (as `decideRetry` allows) until `read` returns or an error is
   * final.
   *
   * @example
   * ```ts
   * await http.send({ method: 'PUT', path: ful.pathname, url: ful, rawBody: () => ({ data: bytes }), retry: 'idempotent' }, readStorageAnswer)
   * ```
   */
  async send<T>(request: HttpRequest, read: AnswerReader<T>): Promise<T> {
    const target: RequestTarget = { method: request.method, path: request.path }
    const started = Date.now()
    const settings = request.maxRetries === undefined ? this.#retry : { ...this.#retry, maxRetries: request.maxRetries }
    for (let number = 1; ; number += 1) {
      try {
        return await this.#attempt({ request, target, number }, read)
      } catch (error) {
        const decision = request.replayable === false ? NO_RETRY : decideRetry(error, number, request.retry, settings)
        if (!decision.retry || !(error instanceof ImaError)) {
          this.#logFailure(request, target, number, started, error)
          throw error
        }
        const retry = { ...target, retry: number, attempt: number + 1, delayMs: decision.delayMs, reason: decision.reason }
        this.#emit('retry', { ...retry, error })
        this.#config.logger.warn('ima retry', { ...request.log, ...retry })
        await delay(decision.delayMs, request.signal)
      }
    }
  }

  #logFailure(request: HttpRequest, target: RequestTarget, attempts: number, started: number, error: unknown): void {
    const failed = error instanceof ImaError ? { error: error.name, code: error.code, status: error.status } : { error: String(error) }
    const level = error instanceof ImaError && error.name === 'AbortError' ? 'debug' : 'warn'
    this.#config.logger[level]('ima request failed', { ...request.log, ...target, attempts, durationMs: Date.now() - started, ...failed })
  }

  #secrets(request: HttpRequest): readonly (string | undefined)[] {
    return request.secrets === undefined || request.secrets.length === 0 ? this.#keySecrets : [this.#config.apiKey, ...request.secrets]
  }

  #headers(request: HttpRequest): Record<string, string> {
    // A URL the service handed out (upload storage) gets only what it signs for.
    const headers: Record<string, string> = request.url
      ? {}
      : { accept: 'application/json', 'x-app-source': 'ima_skills', x_app_language: this.#config.language, 'user-agent': USER_AGENT }
    if (request.form) headers['content-type'] = 'application/x-www-form-urlencoded'
    else if (request.body) headers['content-type'] = 'application/json'
    Object.assign(headers, request.headers)
    if (!request.url && (request.authorize ?? true)) {
      const apiKey = this.#config.apiKey
      if (!apiKey) {
        throw missingApiKeyError()
      }
      headers.authorization = `Bearer ${apiKey}`
    }
    return headers
  }

  // Not async: a JSON call (most of them, a poll loop's every poll) needs no frame of its own here.
  #attempt<T>(attempt: Attempt, read: AnswerReader<T>): Promise<T> {
    const { request, target } = attempt
    const headers = this.#headers(request)
    // A body JSON cannot hold is refused here, before anything is sent.
    const json = request.body === undefined || request.form ? request.body : toJsonText(request.body, `${target.method} ${target.path} body`, this.#keySecrets)
    if (request.signal?.aborted) throw abortErrorFor(request.signal)
    const raw = request.rawBody?.()
    const answered = this.#exchange(attempt, headers, json, raw).then(read)
    if (!raw) return answered
    return answered.catch(async (error: unknown) => {
      await raw.release?.(error)
      throw error
    })
  }

  /** One round trip: sends, refuses a redirect, reads the answer under its size limit. Every timer and listener is gone when it settles. */
  async #exchange(attempt: Attempt, headers: Record<string, string>, json: object | string | undefined, raw: RawBody | undefined): Promise<HttpAnswer> {
    const { request, target } = attempt
    const timeout = request.timeout ?? { totalMs: this.#config.timeout }
    const timer = new AttemptTimer('stallMs' in timeout ? timeout.stallMs : timeout.totalMs)
    const userSignal = request.abortInFlight === false ? undefined : request.signal
    // Without a caller's signal the timer's is the only one: nothing to link.
    const linked = userSignal ? linkSignals([userSignal, timer.signal]) : undefined
    const streamed = raw !== undefined && isReadableStream(raw.data)
    const payload = raw && streamed && 'stallMs' in timeout ? onEveryPull(raw.data as ReadableStream<Uint8Array>, () => timer.restart()) : (raw?.data ?? json)
    let sentAt = Date.now()
    const plainPath = request.url ? undefined : request.query ? pathWithPlainQuery(request.path, request.query) : request.path
    request.onInFlight?.(true)
    try {
      const base = request.host === 'upload' ? this.#config.uploadBaseURL : this.#config.baseURL
      // A whole URL when this client can write it (no query, or a plain one): ofetch then has no base or query to merge.
      const whole = request.url ? request.url.href : plainPath !== undefined ? `${base}${plainPath}` : undefined
      const send = (redirect: RequestRedirect) => this.#fetch.raw(whole ?? request.path, {
        baseURL: whole === undefined ? base : undefined,
        method: request.method,
        query: whole === undefined ? request.query : undefined,
        body: payload as BodyInit | Record<string, unknown> | undefined,
        headers,
        signal: linked ? linked.signal : timer.signal,
        // Redirects are never followed: one would re-send the key, a form body or the bytes to a host this client never agreed to.
        // Streams use 'error': for any other mode Node's fetch (undici) keeps a copy of a streamed body to be able to
        // follow, so every chunk sent would stay in memory until the end — a 100 MiB file would cost 100 MiB. Everything
        // else uses 'manual', which keeps the redirect's status and Location for the error message.
        redirect,
        ...(raw ? { duplex: 'half' as const } : {}),
        responseType: 'stream',
        ignoreResponseError: true,
        retry: false,
        // ofetch's hooks, only for someone: each costs the call an await, and a poll loop answers thousands of times with nobody listening.
        ...this.#eventHooks(attempt, () => sentAt, (at) => (sentAt = at)),
      })
      const response = await send(streamed && this.#streamsRedirectError ? 'error' : 'manual').catch((error: unknown) => {
        // Cloudflare's workerd has no 'error' mode and says so before it reads the body: the same body goes with 'manual'.
        if (!streamed || !this.#streamsRedirectError || !causeSays(error, /invalid redirect/i)) throw error
        this.#streamsRedirectError = false
        return send('manual')
      })
      if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
        await response.body?.cancel().catch(() => {})
        throw this.#redirectError(request, target, response.status, redirectOrigin(response, request, this.#config))
      }
      return await this.#readBody(request, target, response)
    } catch (error) {
      throw this.#transportError(error, attempt, { userSignal, timer, raw, streamed })
    } finally {
      request.onInFlight?.(false)
      timer.finish()
      linked?.release()
    }
  }

  /** The `onRequest`/`onResponse` hooks that emit the `request` and `response` events and the debug line; none when nothing would read them. */
  #eventHooks(attempt: Attempt, sentAt: () => number, setSentAt: (at: number) => void): Pick<FetchOptions, 'onRequest' | 'onResponse'> {
    const { request, target } = attempt
    const requests = this.#emit.listens?.('request') !== false
    const responses = this.#emit.listens?.('response') !== false
    if (!requests && !responses && !this.#logsDebug) return {}
    return {
      onRequest: () => {
        setSentAt(Date.now())
        if (requests) this.#emit('request', { method: target.method, path: target.path, attempt: attempt.number })
      },
      onResponse: ({ response: answered }) => {
        if (!responses && !this.#logsDebug) return
        const answer = { method: target.method, path: target.path, attempt: attempt.number, status: answered.status, durationMs: Date.now() - sentAt() }
        if (responses) this.#emit('response', answer)
        if (this.#logsDebug) this.#config.logger.debug('ima response', { ...request.log, ...answer })
      },
    }
  }

  async #readBody(request: HttpRequest, target: RequestTarget, response: Response): Promise<HttpAnswer> {
    const limit = request.answerPrefixBytes ?? this.#config.maxResponseBytes
    const { text, overLimit } = await readAnswerText(response, limit)
    const secrets = this.#secrets(request)
    if (overLimit && request.answerPrefixBytes === undefined) {
      throw new ResponseTooLargeError(
        `[${target.method} ${target.path}] ${response.status} answered more than maxResponseBytes (${limit} bytes, counted after decompression) and was not read further — the service or a proxy answered unexpectedly; try again later, or raise the client option maxResponseBytes`,
        { request: target, status: response.status, excerpt: excerptOf(text.slice(0, 4_096), secrets), limitBytes: limit },
      )
    }
    return { request: target, status: response.status, text, headers: response.headers, secrets }
  }

  #redirectError(request: HttpRequest, target: RequestTarget, status: number, origin: string | undefined): ResponseValidationError {
    const { who, option } = addresseeOf(request)
    const what = status ? `a redirect (${status})` : 'a redirect'
    const where = origin ? ` to ${origin}` : ''
    return new ResponseValidationError(
      `[${target.method} ${target.path}] ${who} answered ${what}${where}, which was not followed: the SDK follows no redirect, so nothing was sent ${origin ? 'there' : 'to its target'} — check ${option}`,
      { request: target, status: status || undefined, excerpt: '' },
    )
  }

  /** Maps what fetch threw to an abort, the body's own failure, a timeout or a connection error — without ofetch's error, which holds the request headers. */
  #transportError(
    error: unknown,
    attempt: Attempt,
    state: { userSignal: AbortSignal | undefined; timer: AttemptTimer; raw: RawBody | undefined; streamed: boolean },
  ): ImaError {
    const { request, target } = attempt
    if (state.userSignal?.aborted) return abortErrorFor(state.userSignal)
    const bodyFailure = state.raw?.failure?.()
    if (bodyFailure) return bodyFailure
    if (state.timer.fired) return this.#timeoutError(request, target)
    if (error instanceof ImaError) return error
    const root = error instanceof FetchError ? error.cause : error
    if (state.streamed && causeSays(root, /redirect/i)) return this.#redirectError(request, target, 0, undefined)
    const { option } = addresseeOf(request)
    // fetch refuses a blocked port (6000, 9…) before connecting, with no code: nothing was sent.
    if (causeSays(root, /^bad port$/i)) {
      return new ConnectionError(`[${target.method} ${target.path}] fetch refuses to connect to this port (a blocked one, such as 6000): nothing was sent — use another port in ${option}`, {
        request: target,
        sent: false,
        code: 'bad_port',
      })
    }
    const code = findErrorCode(root)
    const secrets = this.#secrets(request)
    const detail = redactSecrets(causeChainText(root), secrets).slice(0, MAX_DETAIL_CHARS)
    return new ConnectionError(
      `[${target.method} ${target.path}] network error${code ? ` ${code}` : ''}: ${detail} — check the network connection and ${option}, then try again`,
      { request: target, sent: code === undefined ? !causeSays(root, NOT_SENT_TEXT) : !NOT_SENT_CODES.has(code), code: code ?? 'network', cause: isErrorLike(root) ? stripCause(root, secrets) : undefined },
    )
  }

  #timeoutError(request: HttpRequest, target: RequestTarget): RequestTimeoutError {
    const timeout = request.timeout ?? { totalMs: this.#config.timeout }
    const { who } = addresseeOf(request)
    const what = 'stallMs' in timeout ? `the upload made no progress for ${timeout.stallMs} ms` : `no answer within ${timeout.totalMs} ms`
    return new RequestTimeoutError(`[${target.method} ${target.path}] ${what} — ${who} may be slow; try again, or raise \`timeout\``, { request: target })
  }
}

/** The origin a redirect points to, for the message; `undefined` when the answer does not say (an opaque redirect in a browser). */
function redirectOrigin(response: Response, request: HttpRequest, config: ResolvedConfig): string | undefined {
  const location = response.headers.get('location')
  if (!location) return undefined
  const base = request.url?.href ?? `${request.host === 'upload' ? config.uploadBaseURL : config.baseURL}${request.path}`
  try {
    const origin = new URL(location, response.url || base).origin
    return origin === 'null' ? undefined : origin
  } catch {
    return undefined
  }
}
