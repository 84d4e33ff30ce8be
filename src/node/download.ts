import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { ImaError, ResponseValidationError, ValidationError } from '../errors.js'
import { checkServiceURL, describeUrlProblem, shownURL } from '../protocol/urls.js'

/** Options of {@link downloadResult}. @public */
export interface DownloadOptions {
  signal?: AbortSignal
  /** Largest file accepted, in bytes. @defaultValue 100 MiB */
  maxBytes?: number
  /** The fetch to use. @defaultValue `globalThis.fetch` */
  fetch?: typeof globalThis.fetch
}

/** What {@link downloadResult} saved. @public */
export interface DownloadResult {
  /** Absolute path of the saved file. */
  path: string
  bytes: number
  contentType: string | undefined
}

/** Default size cap of a download. */
export const DEFAULT_DOWNLOAD_MAX_BYTES = 100 * 1024 * 1024
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
 * Saves a result URL to a file: streamed (never held in memory whole),
 * written to a temporary file beside the target and renamed into place, so a
 * failed or cut download never leaves a half file under the final name. No
 * API key is sent: result URLs are public.
 *
 * @example
 * ```ts
 * import { downloadResult } from 'ima-open-sdk/node'
 * const saved = await downloadResult(result.url, './fox.png')
 * ```
 * @public
 */
export async function downloadResult(url: string, filePath: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const verdict = checkServiceURL(url)
  if (!verdict.ok) {
    if (verdict.problem === 'not-a-url') throw new ValidationError(`Expected a result URL, got "${url}"`, [{ path: 'url', message: 'is not a URL' }])
    const where = verdict.url ? `${verdict.url.protocol} from ${verdict.url.host}` : 'this URL'
    throw new ValidationError(`Refusing to download over ${where}: result URLs must be https`, [{ path: 'url', message: describeUrlProblem(verdict.problem) }])
  }
  const maxBytes = options.maxBytes ?? DEFAULT_DOWNLOAD_MAX_BYTES
  const { response, url: parsed } = await fetchFollowingRedirects(options.fetch ?? globalThis.fetch, verdict.url, options.signal)
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => {})
    throw new ImaError(`Download of ${shownURL(parsed)} failed with HTTP ${response.status} — the link may have expired; read the task again for a fresh URL`, {
      status: response.status,
      code: 'download_failed',
    })
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN)
  if (declared > maxBytes) {
    await response.body.cancel()
    throw new ImaError(`The result is ${declared} bytes, more than maxBytes (${maxBytes}) — raise maxBytes to save it`, { code: 'download_too_large' })
  }

  const target = resolve(filePath)
  await mkdir(dirname(target), { recursive: true })
  const temporary = `${target}.${randomBytes(6).toString('hex')}.part`
  let bytes = 0
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length
      if (bytes > maxBytes) callback(new ImaError(`The result is more than maxBytes (${maxBytes}) — raise maxBytes to save it`, { code: 'download_too_large' }))
      else callback(null, chunk)
    },
  })
  try {
    await pipeline(
      Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
      limit,
      createWriteStream(temporary, { flags: 'wx' }),
      { signal: options.signal },
    )
    await rename(temporary, target)
  } catch (error) {
    await rm(temporary, { force: true })
    throw error
  }
  return { path: target, bytes, contentType: response.headers.get('content-type') ?? undefined }
}
