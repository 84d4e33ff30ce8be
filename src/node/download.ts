import { randomBytes } from 'node:crypto'
import { createWriteStream, type WriteStream } from 'node:fs'
import { link, mkdir, rename, rm } from 'node:fs/promises'
import { dirname, extname, join, resolve } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { DEFAULT_DOWNLOAD_RETRIES, downloadConnectionError, downloadTooLarge, IMAGE_SNIFF_BYTES, notAnImage, openResultDownload, safePath, withDownloadRetries } from '../http/result-download.js'
import { sniffImageType } from '../protocol/image-type.js'
import { ImaError, RequestTimeoutError, ValidationError } from '../errors.js'
import { abortErrorFor, linkSignals } from '../internal/abort.js'
import { LONGEST_TIMER_MS } from '../internal/deadline.js'
import { unknownNamesSentence } from '../internal/did-you-mean.js'
import { shownURL } from '../protocol/urls.js'

/** Options of {@link downloadResult}. @public */
export interface DownloadOptions {
  signal?: AbortSignal
  /** Largest file accepted, in bytes (a positive whole number). @defaultValue 100 MiB */
  maxBytes?: number
  /**
   * Most milliseconds to wait for the answer, or for the next bytes of it:
   * a download that stalls this long fails with a `RequestTimeoutError`
   * (a slow one that keeps moving does not). @defaultValue 60000
   */
  timeout?: number
  /** The fetch to use. @defaultValue `globalThis.fetch` */
  fetch?: typeof globalThis.fetch
  /**
   * Keep a file already at the path: the download is saved under the next
   * free numbered name instead (`fox.png` → `fox-2.png`), atomically, so two
   * saves at once never replace each other. `path` in the result says where.
   * @defaultValue false (the file at the path is replaced)
   */
  keepExisting?: boolean
  /**
   * Tries after the first when the download fails in passing: the network,
   * or a 408, 429 or 5xx of the CDN (never a stall, a refusal or the size
   * cap). Each try starts again from the first byte. @defaultValue 2
   */
  maxRetries?: number
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
/** Default time a download may go without a byte. */
const DEFAULT_DOWNLOAD_STALL_MS = 60_000
const DOWNLOAD_OPTION_KEYS = ['signal', 'maxBytes', 'timeout', 'fetch', 'keepExisting', 'maxRetries'] as const

/**
 * Saves a result URL to a file: streamed (never held in memory whole),
 * written to a temporary file beside the target and renamed into place, so a
 * failed or cut download never leaves a half file under the final name. No
 * API key is sent: result URLs are public. Every failure is an `ImaError`:
 * the URL or the answer refused (`ValidationError`, `ResponseValidationError`),
 * the network (`ConnectionError`), a stall (`RequestTimeoutError`), an abort
 * (`ImaAbortError`), or the file that cannot be written (`code: 'file_write_failed'`).
 * A failure in passing (the network, a CDN's 5xx) is tried again first
 * (`maxRetries`).
 *
 * @example
 * ```ts
 * import { downloadResult } from 'ima-open-sdk/node'
 * const saved = await downloadResult(result.url, './fox.png', { timeout: 30_000 })
 * ```
 * @public
 */
export async function downloadResult(url: string, filePath: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const checked = checkDownloadOptions(options)
  if (typeof filePath !== 'string' || filePath === '') {
    throw new ValidationError('downloadResult needs the path of the file to write, e.g. downloadResult(url, "./fox.png")', [{ path: 'filePath', message: 'must be a non-empty string' }])
  }
  const target = resolve(filePath)
  return withDownloadRetries(() => saveOnce(url, target, checked), checked)
}

/** One try of {@link downloadResult}: its own stall timer and temporary file, both gone when it settles. */
async function saveOnce(url: string, target: string, checked: CheckedDownloadOptions): Promise<DownloadResult> {
  const { maxBytes, signal } = checked
  const limitHint = 'raise maxBytes to save it'
  const stall = new StallTimer(checked.timeout)
  const linked = linkSignals([signal, stall.signal])
  // Short, in the target's folder (a rename stays on one disk), and hidden: a target name near the longest allowed still fits.
  const temporary = join(dirname(target), `.${randomBytes(6).toString('hex')}.part`)
  let sink: WriteStream | undefined
  try {
    stall.restart()
    const { response } = await openResultDownload(url, { fetch: checked.fetch, maxBytes, limitHint, signal: linked.signal })
    await mkdir(dirname(target), { recursive: true })
    let bytes = 0
    // The first bytes, until they tell an image from a page: a CDN's HTML page is never saved as a picture.
    let head: Buffer | undefined = Buffer.alloc(0)
    const limit = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        stall.restart()
        bytes += chunk.length
        if (bytes > maxBytes) return callback(downloadTooLarge(url, maxBytes, limitHint))
        if (head !== undefined) {
          head = Buffer.concat([head, chunk])
          if (head.length >= IMAGE_SNIFF_BYTES) {
            if (!sniffImageType(head)) return callback(notAnImage(url, head))
            head = undefined
          }
        }
        callback(null, chunk)
      },
      flush(callback) {
        callback(head !== undefined && !sniffImageType(head) ? notAnImage(url, head) : null)
      },
    })
    await pipeline(
      Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
      limit,
      (sink = createWriteStream(temporary, { flags: 'wx' })),
      ...(linked.signal ? [{ signal: linked.signal }] : []),
    )
    stall.stop()
    const path = checked.keepExisting ? await linkUnderFreeName(temporary, target) : (await rename(temporary, target), target)
    return { path, bytes, contentType: response.headers.get('content-type') ?? undefined }
  } catch (error) {
    throw downloadError(error, { url, target, signal, stalled: stall.fired ? checked.timeout : undefined })
  } finally {
    stall.stop()
    linked.release()
    // A stream destroyed before its file was open opens and creates it later: removed only once it is closed.
    if (sink && !sink.closed) await new Promise<void>((resolve) => sink?.once('close', () => resolve()).destroy())
    // Its own failure must not hide the download's.
    await rm(temporary, { force: true }).catch(() => {})
  }
}

type CheckedDownloadOptions = Required<Omit<DownloadOptions, 'signal'>> & { signal: AbortSignal | undefined }

function checkDownloadOptions(options: DownloadOptions): CheckedDownloadOptions {
  const refuse = (path: string, message: string) => new ValidationError(`downloadResult option ${path} ${message}`, [{ path: `options.${path}`, message }])
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw refuse('argument', 'must be an object of options')
  const unknown = unknownNamesSentence(options, DOWNLOAD_OPTION_KEYS, 'downloadResult option', 'options')
  if (unknown) throw new ValidationError(unknown, [{ path: 'options', message: 'has a name downloadResult does not take' }])
  const { signal, maxBytes = DEFAULT_DOWNLOAD_MAX_BYTES, timeout = DEFAULT_DOWNLOAD_STALL_MS, fetch = globalThis.fetch, keepExisting = false, maxRetries = DEFAULT_DOWNLOAD_RETRIES } = options
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw refuse('signal', 'must be an AbortSignal')
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) throw refuse('maxBytes', `must be a positive whole number of bytes, got ${String(maxBytes)}`)
  if (!Number.isSafeInteger(timeout) || timeout <= 0 || timeout > LONGEST_TIMER_MS) {
    throw refuse('timeout', `must be a whole number of milliseconds from 1 to ${LONGEST_TIMER_MS} (24.8 days, the longest a timer waits), got ${String(timeout)}`)
  }
  if (typeof fetch !== 'function') throw refuse('fetch', 'must be a fetch function')
  if (typeof keepExisting !== 'boolean') throw refuse('keepExisting', `must be true or false, got ${typeof keepExisting === 'string' ? `"${keepExisting}"` : String(keepExisting)}`)
  if (!Number.isSafeInteger(maxRetries) || maxRetries < 0 || maxRetries > 10) throw refuse('maxRetries', `must be a whole number from 0 to 10, got ${String(maxRetries)}`)
  return { signal, maxBytes, timeout, fetch, keepExisting, maxRetries }
}

/** Aborts its signal once `ms` pass without a `restart()`: no answer, or no next bytes. */
class StallTimer {
  readonly #controller = new AbortController()
  #timer: ReturnType<typeof setTimeout> | undefined
  fired = false

  constructor(private readonly ms: number) {}

  get signal(): AbortSignal {
    return this.#controller.signal
  }

  restart(): void {
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => {
      this.fired = true
      this.#controller.abort()
    }, this.ms)
  }

  stop(): void {
    clearTimeout(this.#timer)
  }
}

/** What the file system said, in words: the target named, never the temporary file. */
const FILE_PROBLEMS: Record<string, string> = {
  EISDIR: 'it is a folder — choose a file name',
  EEXIST: 'a part of its folder path is a file — choose another folder',
  ENOTDIR: 'a part of its folder path is a file — choose another folder',
  EACCES: 'permission denied — choose a folder you can write to',
  EPERM: 'permission denied — choose a folder you can write to',
  EROFS: 'the disk is read-only — choose another folder',
  ENOSPC: 'the disk is full — free some space',
  ENAMETOOLONG: 'the name is too long — choose a shorter one',
}

/** Every failure of a download as an `ImaError` that says what to do; the picture is never lost by it (the URL still serves it). */
function downloadError(error: unknown, context: { url: string; target: string; signal: AbortSignal | undefined; stalled: number | undefined }): ImaError {
  const request = { method: 'GET', path: safePath(context.url) }
  if (context.signal?.aborted) return abortErrorFor(context.signal)
  if (context.stalled !== undefined) {
    return new RequestTimeoutError(
      `[GET ${shownURL(context.url)}] the download got no bytes for ${context.stalled} ms — try again (the picture is not lost: the URL still serves it), or raise the timeout option`,
      { request },
    )
  }
  if (error instanceof ImaError) return error
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  if (typeof code === 'string' && (error as NodeJS.ErrnoException).syscall !== undefined) {
    return new ImaError(`Cannot save ${context.target}: ${FILE_PROBLEMS[code] ?? `${code} — check the path and its permissions`}`, { code: 'file_write_failed', cause: error })
  }
  return downloadConnectionError(context.url, error)
}


/** Most numbered names tried beside a kept file before giving up. */
const MAX_NUMBERED_NAMES = 1_000

/**
 * Gives `temporary` the name `target`, or `target` numbered (`-2`, `-3`, …)
 * when a file is there: a hard link fails when its name exists, so no other
 * save can slip in between the check and the write.
 */
async function linkUnderFreeName(temporary: string, target: string): Promise<string> {
  const extension = extname(target)
  const stem = target.slice(0, target.length - extension.length)
  for (let number = 1; number <= MAX_NUMBERED_NAMES; number += 1) {
    const candidate = number === 1 ? target : `${stem}-${number}${extension}`
    try {
      await link(temporary, candidate)
      return candidate
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
  }
  throw new ImaError(`${target} and ${MAX_NUMBERED_NAMES - 1} numbered names beside it are taken: choose another file name`, { code: 'file_names_taken' })
}
