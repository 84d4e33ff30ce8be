/**
 * Opening a download of a result URL, wherever `fetch` runs: the URL rule
 * before anything is sent, every redirect hop checked before it is followed,
 * the status, and the declared length against the cap. Keeping the bytes is
 * the caller's: to a file (`downloadResult` in `ima-open-sdk/node`) or in
 * memory (the AI SDK provider), each counting them against the same cap.
 */
import { ConnectionError, ImaError, ResponseTooLargeError, ResponseValidationError, ValidationError } from '../errors.js'
import { checkServiceURL, describeUrlProblem, isLoopbackHost, shownURL } from '../protocol/urls.js'
import { abortErrorFor, delay } from '../internal/abort.js'
import { concatBytes } from '../internal/byte-streams.js'
import { causeChainText } from '../internal/cause-chain.js'
import { redactSecrets } from '../internal/redact.js'
import { sniffImageType } from '../protocol/image-type.js'
import { backoffDelayMs, DEFAULT_RETRY_SETTINGS, RETRYABLE_STATUSES, type RetrySettings } from './retry-policy.js'

/** The `code` of a result download answered with an error status. */
const DOWNLOAD_FAILED = 'download_failed'

/** Most redirects a download follows (a CDN may send one or two). */
const MAX_DOWNLOAD_REDIRECTS = 5

/**
 * Where a redirect of a download may lead: anywhere the URL rule allows
 * (https, no user name or password), and plain http only on the same origin
 * as the URL before it — http on loopback is for the local server itself,
 * and a redirect must not reach another service on this machine.
 */
function nextHop(from: URL, location: string | null, status: number): URL {
  const request = { method: 'GET', path: from.pathname }
  const refuse = (why: string) =>
    new ResponseValidationError(
      `[GET ${shownURL(from)}] the download answered a redirect (${status}) ${why}; it was not followed and nothing was downloaded — read the task again for a fresh URL`,
      { request, status, excerpt: '', issues: [{ path: 'location', message: why }] },
    )
  if (!location) throw refuse('without a Location')
  let to: URL
  try {
    to = new URL(location, from)
  } catch {
    throw refuse('to a Location that is not a URL')
  }
  const verdict = checkServiceURL(to)
  if (!verdict.ok) throw refuse(`to ${shownURL(to)}, which ${describeUrlProblem(verdict.problem)}`)
  if (to.protocol === 'http:' && to.origin !== from.origin) {
    throw refuse(`to ${to.origin}: plain http is followed only on the same origin (${from.origin})`)
  }
  // https too: a CDN never sends a download to a service on this machine.
  if (isLoopbackHost(to.hostname) && to.origin !== from.origin) {
    throw refuse(`to ${to.origin}: a redirect to this machine is followed only on the same origin (${from.origin})`)
  }
  return to
}

/** The answer of the last hop, following at most {@link MAX_DOWNLOAD_REDIRECTS} redirects, each checked by {@link nextHop}. */
async function fetchFollowingRedirects(fetchImpl: typeof globalThis.fetch, start: URL, signal: AbortSignal | undefined): Promise<{ response: Response; url: URL }> {
  let url = start
  for (let hops = 0; ; hops += 1) {
    // 'manual': every hop is checked here before anything is sent to it.
    const response = await fetchImpl(url, { signal, redirect: 'manual' })
    if (response.status < 300 || response.status >= 400) return { response, url }
    await response.body?.cancel().catch(() => {})
    if (hops === MAX_DOWNLOAD_REDIRECTS) {
      throw new ResponseValidationError(
        `[GET ${shownURL(start)}] the download redirected more than ${MAX_DOWNLOAD_REDIRECTS} times; nothing was downloaded — read the task again for a fresh URL`,
        { request: { method: 'GET', path: start.pathname }, status: response.status, excerpt: '' },
      )
    }
    url = nextHop(url, response.headers.get('location'), response.status)
  }
}

/**
 * Options of {@link openResultDownload}.
 *
 * @example
 * ```ts
 * const options: ResultDownloadOptions = { fetch: globalThis.fetch, maxBytes: 100 * 1024 * 1024, limitHint: 'raise maxBytes to save it' }
 * ```
 */
export interface ResultDownloadOptions {
  fetch: typeof globalThis.fetch
  maxBytes: number
  /** What to do about a result over `maxBytes`, in the words of the caller's option. */
  limitHint: string
  signal?: AbortSignal | undefined
  /** Tries after the first when the CDN or the network fails in passing (see {@link withDownloadRetries}). @defaultValue 2 */
  maxRetries?: number | undefined
}

/** An opened download: the answer (2xx, with a body) and the URL it came from. */
export interface OpenedDownload {
  response: Response & { body: ReadableStream<Uint8Array> }
  url: URL
}

/**
 * The error for a result over the cap, the same wherever it is counted: a
 * `ResponseTooLargeError`, as for an API answer over `maxResponseBytes`.
 *
 * @example
 * ```ts
 * if (bytes > maxBytes) throw downloadTooLarge(url, maxBytes, 'raise maxBytes to save it')
 * ```
 */
export function downloadTooLarge(url: string | URL, maxBytes: number, limitHint: string, declared?: number): ResponseTooLargeError {
  const size = declared === undefined ? `more than maxBytes (${maxBytes})` : `${declared} bytes, more than maxBytes (${maxBytes})`
  return new ResponseTooLargeError(`[GET ${shownURL(url)}] the result is ${size} — ${limitHint}`, {
    request: { method: 'GET', path: safePath(String(url)) },
    status: 200,
    excerpt: '',
    limitBytes: maxBytes,
  })
}

/** Bytes enough to tell an image from a page: every signature {@link sniffImageType} reads lies within them. */
export const IMAGE_SNIFF_BYTES = 32

/**
 * The refusal of a result that is no image — a CDN's HTML page, an error
 * text — with its first bytes quoted: never handed back as a picture.
 *
 * @example
 * ```ts
 * if (!sniffImageType(head)) throw notAnImage(url, head)
 * ```
 */
export function notAnImage(url: string, head: Uint8Array): ResponseValidationError {
  const excerpt = new TextDecoder().decode(head.subarray(0, IMAGE_SNIFF_BYTES)).replace(/[^\x20-\x7e]/g, '.')
  return new ResponseValidationError(
    `[GET ${shownURL(url)}] the result is not an image (it starts with "${excerpt}"): a page or an error, not a picture — read the task again for a fresh URL`,
    { request: { method: 'GET', path: safePath(url) }, status: 200, excerpt },
  )
}

/** The path of a URL, for an error's `request`: never its query string (a signature). @internal */
export function safePath(url: string): string {
  try {
    return new URL(url).pathname
  } catch {
    return ''
  }
}

/**
 * Opens a result URL for reading: refuses a URL the rule does not allow,
 * follows at most 5 checked redirects, fails on a status that is not 2xx and
 * on a declared length over `maxBytes`.
 *
 * @example
 * ```ts
 * const { response } = await openResultDownload(result.url, { fetch, maxBytes, limitHint: 'raise maxBytes' })
 * for await (const chunk of response.body) count(chunk)
 * ```
 */
export async function openResultDownload(url: string, options: ResultDownloadOptions): Promise<OpenedDownload> {
  const verdict = checkServiceURL(url)
  if (!verdict.ok) {
    if (verdict.problem === 'not-a-url') {
      // Up to a query string or fragment: a signed URL's signature is never shown.
      const shown = typeof url === 'string' ? url.split(/[?#]/, 1)[0]!.slice(0, 200) : typeof url
      throw new ValidationError(`Expected an absolute https result URL, got "${shown}" — pass the URL a task answered (result.url)`, [{ path: 'url', message: 'is not a URL' }])
    }
    const where = verdict.url ? shownURL(verdict.url) : 'this URL'
    throw new ValidationError(`Refusing to download ${where}: a result URL ${describeUrlProblem(verdict.problem)}`, [{ path: 'url', message: describeUrlProblem(verdict.problem) }])
  }
  const { response, url: parsed } = await fetchFollowingRedirects(options.fetch, verdict.url, options.signal)
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => {})
    const advice =
      response.status >= 500 || response.status === 429
        ? 'the server failed or is busy; try again in a moment (the picture is not lost)'
        : 'the link may have expired; read the task again for a fresh URL'
    throw new ImaError(`Download of ${shownURL(parsed)} failed with HTTP ${response.status} — ${advice}`, {
      status: response.status,
      code: DOWNLOAD_FAILED,
    })
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN)
  if (declared > options.maxBytes) {
    await response.body.cancel()
    throw downloadTooLarge(parsed, options.maxBytes, options.limitHint, declared)
  }

  return { response: response as OpenedDownload['response'], url: parsed }
}

/** What {@link readResultBytes} read: the bytes and the answer's headers. */
export interface ResultBytes {
  bytes: Uint8Array
  headers: Record<string, string>
}

/**
 * Reads a result URL into memory, opened as every result download is
 * ({@link openResultDownload}: the URL rule, each redirect hop checked, the
 * status, the declared length), then chunk by chunk under `maxBytes`. No API
 * key is sent: result URLs are public. Works wherever `fetch` does.
 *
 * @example
 * ```ts
 * const { bytes } = await readResultBytes(result.coverUrl, { fetch: globalThis.fetch, maxBytes: 200 * 1024, limitHint: 'use a smaller cover' })
 * ```
 */
export function readResultBytes(url: string, options: ResultDownloadOptions): Promise<ResultBytes> {
  return withDownloadRetries(async () => {
    try {
      return await readResultBytesOnce(url, options)
    } catch (error) {
      if (options.signal?.aborted) throw abortErrorFor(options.signal)
      throw error instanceof ImaError ? error : downloadConnectionError(url, error)
    }
  }, options)
}

async function readResultBytesOnce(url: string, options: ResultDownloadOptions): Promise<ResultBytes> {
  const { response } = await openResultDownload(url, options)
  const chunks: Uint8Array[] = []
  let total = 0
  const reader = response.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > options.maxBytes) {
      await reader.cancel().catch(() => {})
      throw downloadTooLarge(url, options.maxBytes, options.limitHint)
    }
    chunks.push(value)
  }
  const headers: Record<string, string> = {}
  response.headers.forEach((value, key) => {
    headers[key] = value
  })
  const bytes = concatBytes(chunks)
  if (!sniffImageType(bytes)) throw notAnImage(url, bytes)
  return { bytes, headers }
}

/** Tries after the first of a download, when it fails in passing. */
export const DEFAULT_DOWNLOAD_RETRIES = 2

/**
 * Runs one whole try of a download (open, read, keep) and runs it again
 * when it failed in passing: the network, or a status an idempotent call is
 * retried on (`RETRYABLE_STATUSES`: 408, 429, 5xx), after the send path's
 * backoff. A download sends no create, so trying again costs nothing. Never
 * after an abort, a refusal (4xx, a redirect, not an image), the size cap,
 * or a stall: the stall timeout is the caller's own limit on waiting.
 *
 * @example
 * ```ts
 * const saved = await withDownloadRetries(() => saveOnce(url, target), { signal, maxRetries: 2 })
 * ```
 */
export async function withDownloadRetries<T>(
  attempt: () => Promise<T>,
  options: { signal?: AbortSignal | undefined; maxRetries?: number | undefined; random?: RetrySettings['random'] },
): Promise<T> {
  const settings: RetrySettings = { ...DEFAULT_RETRY_SETTINGS, random: options.random ?? Math.random }
  const maxRetries = options.maxRetries ?? DEFAULT_DOWNLOAD_RETRIES
  for (let number = 1; ; number += 1) {
    try {
      return await attempt()
    } catch (error) {
      // Stopped while a try was failing: the answer is the stop, not that try's failure.
      if (options.signal?.aborted) throw abortErrorFor(options.signal)
      if (number > maxRetries || !failedInPassing(error)) throw error
      await delay(backoffDelayMs(number, settings), options.signal)
    }
  }
}

function failedInPassing(error: unknown): boolean {
  if (error instanceof ConnectionError) return error.code !== 'bad_port'
  return error instanceof ImaError && error.code === DOWNLOAD_FAILED && RETRYABLE_STATUSES.has(error.status ?? 0)
}

/**
 * The network's failure of a download, redacted and cut, as a
 * `ConnectionError` that says the picture is not lost.
 *
 * @example
 * ```ts
 * throw downloadConnectionError(url, error) // "[GET https://cdn…/0.png] network error: fetch failed (ECONNRESET) — …"
 * ```
 */
export function downloadConnectionError(url: string, error: unknown): ConnectionError {
  const detail = redactSecrets(causeChainText(error)).slice(0, 500)
  return new ConnectionError(
    `[GET ${shownURL(url)}] network error: ${detail} — check the network connection and try again (the picture is not lost: the URL still serves it)`,
    { request: { method: 'GET', path: safePath(url) }, sent: true, cause: error },
  )
}
