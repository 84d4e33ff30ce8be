import { linkSignals, throwIfAborted } from '../../internal/abort.js'
import { raceAbort } from '../../internal/byte-streams.js'
import type { ClientContext } from '../context.js'
import { ImaError, ValidationError } from '../../errors.js'
import type { RequestOptions } from '../../http/http-client.js'
import { contentTypeMatches, normaliseMime } from '../../protocol/image-type.js'
import { UploadCache, type CachedUpload } from './cache.js'
import { putToStorage } from './put.js'
import { passthroughURL, prepareSource, type PreparedSource, type UploadSource } from './sources.js'
import { requestUploadDestination } from './token.js'

export { UPLOAD_CACHE_ENTRIES } from './cache.js'
export { isUploadSource, type LocalFileSource, type LocalSourceReader, type LocalStreamSource, type UploadSource } from './sources.js'

/**
 * Options of `ima.uploads.put()`.
 *
 * @example
 * ```ts
 * const { url } = await ima.uploads.put(bytes, { filename: 'cat.png', signal: AbortSignal.timeout(30_000) })
 * ```
 * @public
 */
export interface UploadOptions extends RequestOptions {
  /**
   * The MIME type you expect. Optional: the type is always read from the
   * bytes' magic numbers, and one that contradicts them is refused.
   */
  contentType?: string | undefined
  /** A name for progress events and messages. Never used to decide the type. */
  filename?: string | undefined
}

/**
 * What `ima.uploads.put()` returns.
 *
 * @example
 * ```ts
 * const { url, contentType, bytes } = await ima.uploads.put(pngBytes) // 'https://…/1.png', 'image/png', 48213
 * ```
 * @public
 */
export interface UploadResult {
  /** The public URL to use as an input image (`fdl`), or the URL you passed in. */
  url: string
  /** The MIME type read from the bytes; `undefined` when a URL was passed through. */
  contentType: string | undefined
  /** The number of bytes uploaded; `undefined` when a URL was passed through. */
  bytes: number | undefined
}

/**
 * Options of `ima.uploads.putAll()`.
 *
 * @example
 * ```ts
 * const urls = await ima.uploads.putAll(files, { concurrency: 2, path: 'inputImages' })
 * ```
 * @public
 */
export interface UploadAllOptions extends RequestOptions {
  /** How many uploads run at once. @defaultValue 3 */
  concurrency?: number | undefined
  /**
   * The name of the list in error messages: a `ValidationError` for the
   * source at index 1 reads `sources[1]: …` with the issue path `sources.1`.
   * @defaultValue `'sources'`
   */
  path?: string | undefined
}

/** Uploads running at once in `putAll` and `tasks.create` (the `concurrency` default). */
export const DEFAULT_UPLOAD_CONCURRENCY = 3

/** A `ValidationError` for one source of a list, saying which (`sources[1]: …`); other errors as they are. */
function namedInList(error: unknown, path: string, index: number): unknown {
  if (!(error instanceof ValidationError) || error.constructor !== ValidationError) return error
  return new ValidationError(
    `${path}[${index}]: ${error.message}`,
    error.issues.map((issue) => ({ path: `${path}.${index}`, message: issue.message })),
    { cause: error },
  )
}

/** What `ima.uploads` does (the `Uploads` the client shows delegates here, once this module is loaded). */
export class UploadService {
  readonly #context: ClientContext
  readonly #cache = new UploadCache()
  /** Uploads under way by content key, so identical input sent at the same time is uploaded once. */
  readonly #inFlight = new Map<string, Promise<CachedUpload>>()

  /** @internal */
  constructor(context: ClientContext) {
    this.#context = context
  }

  /** See `Uploads.put`. */
  async put(source: UploadSource, options: UploadOptions = {}): Promise<UploadResult> {
    throwIfAborted(options.signal)
    if (options.contentType !== undefined && typeof options.contentType !== 'string') {
      throw new ValidationError('contentType must be a MIME type string such as image/png', [{ path: 'contentType', message: 'must be a string' }])
    }
    const passthrough = passthroughURL(source)
    if (passthrough !== undefined) return { url: passthrough, contentType: undefined, bytes: undefined }

    const { config } = this.#context
    const prepared = await prepareSource(source, options, { maxUploadBytes: config.maxUploadBytes, uploadCache: config.uploadCache, localReader: this.#context.localSources.reader })
    const started = Date.now()
    try {
      checkContentType(options.contentType, prepared)
      const { upload, cached } = await this.#uploadOnce(prepared, options)
      this.#context.emit('upload.completed', { ...upload, cached })
      config.logger.info('ima upload', { bytes: upload.bytes, contentType: upload.contentType, cached, durationMs: Date.now() - started })
      return { ...upload }
    } catch (error) {
      const failure = error instanceof ImaError ? { error: error.name, code: error.code, status: error.status } : { error: String(error) }
      config.logger[failure.error === 'AbortError' ? 'debug' : 'warn']('ima upload failed', { contentType: prepared.type.mime, size: prepared.size, durationMs: Date.now() - started, ...failure })
      await prepared.discard(error)
      throw error
    }
  }

  /** The upload of these bytes: remembered, shared with an identical one under way, or made now. */
  async #uploadOnce(prepared: PreparedSource, options: RequestOptions): Promise<{ upload: CachedUpload; cached: boolean }> {
    const { signal } = options
    const key = prepared.cacheKey
    const cached = key === undefined ? undefined : this.#cache.get(key)
    if (cached) {
      await prepared.discard(undefined)
      return { upload: cached, cached: true }
    }
    const underWay = key === undefined ? undefined : this.#inFlight.get(key)
    if (underWay) {
      // The same bytes are being uploaded by another call: share its URL; if that call fails or is aborted, upload here.
      const shared = await raceAbort(underWay, signal).catch((error: unknown) => {
        if (signal?.aborted) throw error
        return undefined
      })
      if (shared) {
        await prepared.discard(undefined)
        return { upload: shared, cached: true }
      }
    }
    throwIfAborted(signal)
    const uploading = this.#upload(prepared, options)
    if (key !== undefined) {
      this.#inFlight.set(key, uploading)
      const forget = () => {
        if (this.#inFlight.get(key) === uploading) this.#inFlight.delete(key)
      }
      uploading.then(forget, forget)
    }
    const upload = await uploading
    // Only a finished upload is remembered, so an aborted or failed one is tried again next time.
    if (key !== undefined) this.#cache.set(key, upload)
    return { upload, cached: false }
  }

  /**
   * Token, then PUT. A signed upload URL may take one PUT only: when the PUT's
   * retry (after a reset that lost the first answer, the bytes perhaps stored)
   * finds it used (409), the bytes go once more, to a fresh URL.
   */
  async #upload(prepared: PreparedSource, options: RequestOptions): Promise<CachedUpload> {
    const toFreshURL = async (): Promise<CachedUpload> => {
      const { ful, fdl } = await requestUploadDestination(this.#context, prepared.type, options)
      const bytes = await putToStorage(this.#context, ful, prepared, options)
      return { url: fdl.href, contentType: prepared.type.mime, bytes }
    }
    return toFreshURL().catch((error: unknown) => {
      if (!(error instanceof ImaError && error.status === 409) || !prepared.replayable) throw error
      return toFreshURL()
    })
  }

  /** See `Uploads.putAll`. */
  async putAll(sources: readonly UploadSource[], options: UploadAllOptions = {}): Promise<string[]> {
    const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_UPLOAD_CONCURRENCY))
    const stop = new AbortController()
    const linked = linkSignals([options.signal, stop.signal])
    const path = options.path ?? 'sources'
    const urls: string[] = new Array<string>(sources.length)
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < sources.length) {
        const index = next
        next += 1
        try {
          urls[index] = (await this.put(sources[index] as UploadSource, { timeout: options.timeout, maxRetries: options.maxRetries, signal: linked.signal })).url
        } catch (error) {
          throw namedInList(error, path, index)
        }
      }
    }
    try {
      await Promise.all(Array.from({ length: Math.min(concurrency, sources.length) }, worker))
    } catch (error) {
      stop.abort(error)
      throw error
    } finally {
      linked.release()
    }
    return urls
  }
}

/** Refuses a `contentType` that contradicts the bytes. */
function checkContentType(contentType: string | undefined, prepared: PreparedSource): void {
  if (contentType === undefined || contentTypeMatches(contentType, prepared.type.mime)) return
  throw new ValidationError(
    `contentType ${normaliseMime(contentType)} contradicts the bytes, which are ${prepared.type.mime} — leave contentType out: the SDK reads the type from the image itself`,
    [{ path: 'contentType', message: `the bytes are ${prepared.type.mime}` }],
  )
}
