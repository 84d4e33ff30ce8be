import { abortErrorFor, anySignal, delay, throwIfAborted } from '../core/abort.js'
import { isLoopbackHost } from '../core/config.js'
import type { ClientContext } from '../core/context.js'
import {
  ApiError,
  ConnectionError,
  ImaConfigError,
  ImaError,
  RateLimitError,
  RequestTimeoutError,
  ResponseValidationError,
  ServerError,
  ServiceUnavailableError,
  ValidationError,
  type RequestTarget,
} from '../core/errors.js'
import { findErrorCode, NOT_SENT_CODES } from '../core/http.js'
import { contentTypeMatches, IMAGE_SNIFF_BYTES, normaliseMime, sniffImageType, type ImageType } from '../core/image-type.js'
import { redactSecrets } from '../core/redact.js'
import { decideRetry, parseRetryAfter } from '../core/retry-policy.js'
import { digestHex, UPLOAD_TOKEN_PATH, uploadTokenFields } from '../core/upload-sign.js'
import { uploadTokenSchema } from '../schemas/uploads.js'
import { chunkBytes, isAsyncIterable, isBlob, isReadableStream, iterableToStream, peekStream, raceAbort, sourceIssue } from '../core/byte-streams.js'
import { UploadCache, type CachedUpload } from './upload-cache.js'

/**
 * What `ima.uploads.put()` and `tasks.create({ inputImages })` accept:
 * - an https URL (string or `URL`): used as is, nothing is sent (plain http only on loopback);
 * - bytes: a `Uint8Array` (a Node `Buffer` is one) or an `ArrayBuffer`;
 * - a `Blob` or `File`;
 * - a web `ReadableStream` of bytes, or any async iterable of bytes (a Node `Readable`);
 * - with the Node client (`import { ImaClient } from 'ima-open-sdk/node'`): a local file path or a `file:` URL.
 * @public
 */
export type UploadSource = string | URL | Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>

/** Options of `ima.uploads.put()`. @public */
export interface UploadOptions {
  /**
   * The MIME type you expect. Optional: the type is always read from the
   * bytes' magic numbers, and one that contradicts them is refused.
   */
  contentType?: string
  /** A name for progress events and messages. Never used to decide the type. */
  filename?: string
  /** Cancels the upload; the promise then rejects with an `AbortError`. */
  signal?: AbortSignal
}

/** What `ima.uploads.put()` returns. @public */
export interface UploadResult {
  /** The public URL to use as an input image (`fdl`), or the URL you passed in. */
  url: string
  /** The MIME type read from the bytes; `undefined` when a URL was passed through. */
  contentType: string | undefined
  /** The number of bytes uploaded; `undefined` when a URL was passed through. */
  bytes: number | undefined
}

/** Options of `ima.uploads.putAll()`. @public */
export interface UploadAllOptions {
  /** Cancels every upload still running. */
  signal?: AbortSignal
  /** How many uploads run at once. @defaultValue 3 */
  concurrency?: number
  /**
   * The name of the list in error messages: a `ValidationError` for the
   * source at index 1 reads `sources[1]: …` with the issue path `sources.1`.
   * @defaultValue `'sources'`
   */
  path?: string
}

/**
 * A local file, as a platform reader (the Node entry's) describes it.
 * @internal
 */
export interface LocalFileSource {
  kind: 'file'
  /** The base name, for events. */
  filename: string
  size: number
  /** Identity of this version of the file (absolute path, size, mtime) for the upload cache. */
  cacheKey: string
  /** The first `length` bytes (fewer for a shorter file). */
  readHead(length: number): Promise<Uint8Array>
  /** A fresh stream of the whole file; every call opens the file again, so a PUT can be retried. */
  open(): ReadableStream<Uint8Array>
}

/** A platform stream (a Node `Readable`) turned into a web stream. @internal */
export interface LocalStreamSource {
  kind: 'stream'
  stream: ReadableStream<Uint8Array>
  filename?: string
}

/**
 * Reads sources the isomorphic core cannot: file paths, `file:` URLs, Node
 * streams. The Node entry plugs one in; the core has none, so it never
 * imports `node:` modules.
 * @internal
 */
export interface LocalSourceReader {
  /**
   * The source made readable, or `undefined` when this reader does not
   * handle its kind. Throws a `ValidationError` for a path that cannot be read.
   */
  resolve(source: string | URL | object): Promise<LocalFileSource | LocalStreamSource | undefined>
}

/** Uploads running at once in `putAll` and `tasks.create`. */
export const DEFAULT_UPLOAD_CONCURRENCY = 3
/**
 * An in-memory body gives no progress to time it by, so its PUT may take
 * `timeout` plus the time this slow a link needs for its bytes.
 */
const SLOWEST_EXPECTED_BYTES_PER_SECOND = 64 * 1024

const TOKEN_TARGET: RequestTarget = { method: 'POST', path: UPLOAD_TOKEN_PATH }

/** A source checked and ready to send. */
interface PreparedSource {
  type: ImageType
  filename: string | undefined
  /** The size when known before sending. */
  size: number | undefined
  /** Cache key, when this kind of source is cached. */
  cacheKey: string | undefined
  /** Whether the PUT can be sent again after a failure (bytes, Blob, file). */
  replayable: boolean
  /** The body of one attempt: in-memory bodies as they are (every runtime can send them), files and streams as streams. */
  body(): Uint8Array | Blob | ReadableStream<Uint8Array>
  /** Releases what the source holds (an open stream) when the upload stops before sending it. */
  discard(reason: unknown): Promise<void>
}

/**
 * Whether a value is something `uploads.put()` may accept (its kind only: a
 * string may still turn out to be an unreadable path).
 * @internal
 */
export function isUploadSource(value: unknown): value is UploadSource {
  return (
    typeof value === 'string' ||
    value instanceof URL ||
    value instanceof Uint8Array ||
    value instanceof ArrayBuffer ||
    isBlob(value) ||
    isReadableStream(value) ||
    isAsyncIterable(value)
  )
}

/** A source string for a message: quoted, and cut short (a data URL can be megabytes long). */
function quoted(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text)
}

function uploadTarget(url: URL): RequestTarget {
  // Only the path: a signed query string must not end up in errors or events.
  return { method: 'PUT', path: url.pathname }
}

/** Where a URL may come from: https anywhere, plain http only on this machine (the local server). */
function isAllowedURL(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))
}

let attachReader: (uploads: Uploads, reader: LocalSourceReader) => void

/**
 * Lets a platform entry (`ima-open-sdk/node`) teach a client's uploads to
 * read local files and platform streams.
 * @internal
 */
export function attachLocalSourceReader(uploads: Uploads, reader: LocalSourceReader): void {
  attachReader(uploads, reader)
}

/**
 * Uploads: turns local images into the public https URLs image_to_image
 * needs (protocol §4: a signed token request, then a `PUT` of the bytes).
 *
 * The type is read from the bytes (JPEG, PNG, WebP, GIF, BMP, HEIC/HEIF,
 * AVIF), the size is capped by the client option `maxUploadBytes`, files and
 * streams are streamed rather than read whole, and identical bytes are not
 * uploaded twice by one client (see the `uploadCache` option). The API key
 * goes to the upload host only inside the token request, and only when an
 * upload really happens; the `PUT` carries no key at all.
 * @public
 */
export class Uploads {
  readonly #context: ClientContext
  readonly #cache = new UploadCache()
  /** Uploads under way by content key, so identical input sent at the same time is uploaded once. */
  readonly #inFlight = new Map<string, Promise<CachedUpload>>()
  #localReader: LocalSourceReader | undefined

  static {
    attachReader = (uploads, reader) => {
      uploads.#localReader = reader
    }
  }

  /** @internal */
  constructor(context: ClientContext) {
    this.#context = context
  }

  /** @internal The client context, for the upload implementation. */
  protected get context(): ClientContext {
    return this.#context
  }

  /**
   * Uploads one image and returns its public URL. An https URL is returned
   * as is, with nothing sent.
   *
   * @param source - see {@link UploadSource}. Local file paths need the Node client: `import { ImaClient } from 'ima-open-sdk/node'`.
   * @throws ValidationError before any request: not an image, a `contentType` that contradicts the bytes, over `maxUploadBytes`, a plain-http URL, an unreadable path.
   *   Also ImaConfigError (no API key), the API errors of the token request, ResponseValidationError (a non-https or redirecting upload URL), ConnectionError, RequestTimeoutError, and an `AbortError`.
   * @example
   * ```ts
   * import { ImaClient } from 'ima-open-sdk/node'
   * const ima = new ImaClient()
   * const { url } = await ima.uploads.put('./cat.png')
   * const task = await ima.tasks.create({ model: 'doubao-seedream-4.5', prompt: 'make it a watercolour', inputImages: [url] })
   * ```
   */
  async put(source: UploadSource, options: UploadOptions = {}): Promise<UploadResult> {
    const { signal } = options
    throwIfAborted(signal)
    if (options.contentType !== undefined && typeof options.contentType !== 'string') {
      throw new ValidationError('contentType must be a MIME type string such as image/png', [{ path: 'contentType', message: 'must be a string' }])
    }
    const passthrough = this.#passthroughURL(source)
    if (passthrough !== undefined) return { url: passthrough, contentType: undefined, bytes: undefined }

    const prepared = await this.#prepare(source, options)
    const started = Date.now()
    const { logger } = this.#context.config
    try {
      if (options.contentType !== undefined && !contentTypeMatches(options.contentType, prepared.type.mime)) {
        throw new ValidationError(
          `contentType ${normaliseMime(options.contentType)} contradicts the bytes, which are ${prepared.type.mime} — leave contentType out: the SDK reads the type from the image itself`,
          [{ path: 'contentType', message: `the bytes are ${prepared.type.mime}` }],
        )
      }
      const cached = prepared.cacheKey === undefined ? undefined : this.#cache.get(prepared.cacheKey)
      if (cached) {
        await prepared.discard(undefined)
        this.#context.emit('upload.completed', { ...cached, cached: true })
        logger.info('ima upload', { bytes: cached.bytes, contentType: cached.contentType, cached: true, durationMs: Date.now() - started })
        return { ...cached }
      }
      const key = prepared.cacheKey
      const underWay = key === undefined ? undefined : this.#inFlight.get(key)
      if (underWay) {
        // The same bytes are being uploaded by another call: share its URL; if that call fails or is aborted, upload here.
        const shared = await raceAbort(underWay, signal).catch((error: unknown) => {
          if (signal?.aborted) throw error
          return undefined
        })
        if (shared) {
          await prepared.discard(undefined)
          this.#context.emit('upload.completed', { ...shared, cached: true })
          logger.info('ima upload', { bytes: shared.bytes, contentType: shared.contentType, cached: true, durationMs: Date.now() - started })
          return { ...shared }
        }
      }
      throwIfAborted(signal)
      const uploading = this.#upload(prepared, signal)
      if (key !== undefined) {
        this.#inFlight.set(key, uploading)
        const forget = () => {
          if (this.#inFlight.get(key) === uploading) this.#inFlight.delete(key)
        }
        uploading.then(forget, forget)
      }
      const result = await uploading
      // Only a finished upload is remembered, so an aborted or failed one is tried again next time.
      if (key !== undefined) this.#cache.set(key, result)
      this.#context.emit('upload.completed', { ...result, cached: false })
      logger.info('ima upload', { bytes: result.bytes, contentType: result.contentType, cached: false, durationMs: Date.now() - started })
      return { ...result }
    } catch (error) {
      const failure = error instanceof ImaError ? { error: error.name, code: error.code, status: error.status } : { error: String(error) }
      logger[failure.error === 'AbortError' ? 'debug' : 'warn']('ima upload failed', { contentType: prepared.type.mime, size: prepared.size, durationMs: Date.now() - started, ...failure })
      await prepared.discard(error)
      throw error
    }
  }

  /**
   * Uploads several images, a few at a time, and returns their URLs in the
   * same order. URLs are passed through. The first failure cancels the rest.
   *
   * @example
   * ```ts
   * const urls = await ima.uploads.putAll(['./a.png', 'https://example.com/b.jpg', bytes])
   * ```
   */
  async putAll(sources: readonly UploadSource[], options: UploadAllOptions = {}): Promise<string[]> {
    const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_UPLOAD_CONCURRENCY))
    const stop = new AbortController()
    const signal = anySignal([options.signal, stop.signal])
    const path = options.path ?? 'sources'
    const urls: string[] = new Array<string>(sources.length)
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < sources.length) {
        const index = next
        next += 1
        try {
          urls[index] = (await this.put(sources[index] as UploadSource, { signal })).url
        } catch (error) {
          // Say which of the sources was refused.
          if (!(error instanceof ValidationError) || error.constructor !== ValidationError) throw error
          throw new ValidationError(
            `${path}[${index}]: ${error.message}`,
            error.issues.map((issue) => ({ path: `${path}.${index}`, message: issue.message })),
            { cause: error },
          )
        }
      }
    }
    try {
      await Promise.all(Array.from({ length: Math.min(concurrency, sources.length) }, worker))
    } catch (error) {
      stop.abort(error)
      throw error
    }
    return urls
  }

  /** The URL to use as is, `undefined` when the source must be uploaded; throws for URLs that may not be used. */
  #passthroughURL(source: UploadSource): string | undefined {
    let url: URL
    let text: string
    if (source instanceof URL) {
      if (source.protocol === 'file:') return undefined
      url = source
      text = source.href
    } else if (typeof source === 'string') {
      // Two letters at least, so a Windows drive (C:\…) is a path, not a scheme.
      if (!/^[a-z][a-z0-9+.-]+:/i.test(source) || /^file:/i.test(source)) return undefined
      try {
        url = new URL(source)
      } catch {
        throw new ValidationError(`${quoted(source)} is not a valid URL — pass an https URL, or a local path with the Node client`, sourceIssue('is not a valid URL'))
      }
      text = source
    } else {
      return undefined
    }
    if (isAllowedURL(url)) return text
    if (url.protocol === 'http:') {
      throw new ValidationError(
        `Refusing plain http input ${url.origin}: the service needs public https URLs (http is allowed only on loopback) — use the https address, or upload the bytes`,
        sourceIssue('must be https (http only on loopback)'),
      )
    }
    throw new ValidationError(
      `Unsupported URL scheme ${url.protocol} — pass an https URL, bytes, a Blob, a stream, or (with the Node client) a file path`,
      sourceIssue(`unsupported scheme ${url.protocol}`),
    )
  }

  async #prepare(source: UploadSource, options: UploadOptions): Promise<PreparedSource> {
    const { signal } = options
    if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
      const bytes = source instanceof Uint8Array ? source : new Uint8Array(source)
      return this.#prepareInMemory(bytes, bytes.byteLength, bytes.subarray(0, IMAGE_SNIFF_BYTES), options.filename)
    }
    if (isBlob(source)) {
      const head = new Uint8Array(await raceAbort(source.slice(0, IMAGE_SNIFF_BYTES).arrayBuffer(), signal))
      const name = options.filename ?? (typeof (source as Partial<File>).name === 'string' ? (source as File).name || undefined : undefined)
      return this.#prepareInMemory(source, source.size, head, name)
    }
    if (isReadableStream(source)) return this.#prepareStream(source, options.filename, signal)

    const local = typeof source === 'string' || source instanceof URL || typeof source === 'object' ? await this.#localReader?.resolve(source) : undefined
    if (local?.kind === 'file') return this.#prepareFile(local, options.filename)
    if (local?.kind === 'stream') return this.#prepareStream(local.stream, options.filename ?? local.filename, signal)
    if (typeof source === 'string' || source instanceof URL) {
      if (source === '') throw new ValidationError('The image source is an empty string — pass an https URL, bytes, a Blob or a stream', sourceIssue('is empty'))
      throw new ValidationError(
        `${quoted(String(source))} is not an https URL. Local file paths need the Node client: import { ImaClient } from 'ima-open-sdk/node' — or pass the bytes, a Blob or a stream`,
        sourceIssue('local paths need ima-open-sdk/node'),
      )
    }
    if (isAsyncIterable(source)) return this.#prepareStream(iterableToStream(source), options.filename, signal)
    throw new ValidationError(
      'Unsupported image source — pass an https URL, a Uint8Array/Buffer, a Blob/File, a ReadableStream, or (with the Node client) a file path or a Node Readable',
      sourceIssue('unsupported kind of source'),
    )
  }

  #sniff(head: Uint8Array, filename: string | undefined): ImageType {
    const type = sniffImageType(head)
    if (type) return type
    const what = filename ? `"${filename}"` : 'The source'
    throw new ValidationError(
      `${what} is not a JPEG, PNG, WebP, GIF, BMP, HEIC or AVIF image (judged from its first bytes, not its name) — convert it to PNG or JPEG`,
      sourceIssue(head.byteLength === 0 ? 'is empty' : 'is not a recognised image'),
    )
  }

  #checkSize(size: number, filename: string | undefined): void {
    const limit = this.#context.config.maxUploadBytes
    if (size > limit) throw this.#tooLarge(`is ${size} bytes`, filename)
  }

  #tooLarge(measure: string, filename: string | undefined): ValidationError {
    const limit = this.#context.config.maxUploadBytes
    const what = filename ? `"${filename}"` : 'The image'
    return new ValidationError(
      `${what} ${measure}, over maxUploadBytes (${limit} bytes) — send a smaller image, or raise the client option maxUploadBytes`,
      [{ path: 'source', message: `larger than maxUploadBytes (${limit})` }],
    )
  }

  async #prepareInMemory(data: Uint8Array | Blob, size: number, head: Uint8Array, filename: string | undefined): Promise<PreparedSource> {
    const type = this.#sniff(head, filename)
    this.#checkSize(size, filename)
    // The bytes are in memory already and within the limit, so hashing them whole is bounded.
    const cacheKey = this.#context.config.uploadCache
      ? `sha256:${await digestHex('SHA-256', data instanceof Uint8Array ? data : await data.arrayBuffer())}`
      : undefined
    return { type, filename, size, cacheKey, replayable: true, body: () => data, discard: async () => {} }
  }

  async #prepareFile(file: LocalFileSource, filename: string | undefined): Promise<PreparedSource> {
    const name = filename ?? file.filename
    this.#checkSize(file.size, name)
    const type = this.#sniff(await file.readHead(IMAGE_SNIFF_BYTES), name)
    let opened: ReadableStream<Uint8Array> | undefined
    return {
      type,
      filename: name,
      size: file.size,
      cacheKey: this.#context.config.uploadCache ? file.cacheKey : undefined,
      replayable: true,
      body: () => {
        opened = file.open()
        return opened
      },
      discard: async (reason) => {
        await opened?.cancel(reason).catch(() => {})
      },
    }
  }

  async #prepareStream(stream: ReadableStream<unknown>, filename: string | undefined, signal: AbortSignal | undefined): Promise<PreparedSource> {
    if (stream.locked) {
      throw new ValidationError('The stream is already being read (locked) — pass a fresh stream', sourceIssue('is locked'))
    }
    const peeked = await peekStream(stream, signal)
    let type: ImageType
    try {
      type = this.#sniff(peeked.head, filename)
    } catch (error) {
      await peeked.stream.cancel(error).catch(() => {})
      throw error
    }
    let sent = false
    return {
      type,
      filename,
      size: undefined,
      // A stream has no identity before it is read whole, and hashing it would mean holding it: never cached.
      cacheKey: undefined,
      replayable: false,
      body: () => {
        sent = true
        return peeked.stream
      },
      discard: async (reason) => {
        // Once handed to fetch, the stream belongs to the request, which cancels it.
        if (!sent) await peeked.stream.cancel(reason).catch(() => {})
      },
    }
  }

  /** Token, then PUT (retried when the body can be sent again). */
  async #upload(prepared: PreparedSource, signal: AbortSignal | undefined): Promise<CachedUpload> {
    const { config, http, emit } = this.#context
    const apiKey = config.apiKey
    if (!apiKey) {
      throw new ImaConfigError(
        'No API key: pass `apiKey` to new ImaClient({ apiKey }) or set the IMA_API_KEY environment variable (get a key at https://www.imaclaw.ai/imaclaw/apikey)',
      )
    }
    const fields = await uploadTokenFields({ apiKey, extension: prepared.type.extension, contentType: prepared.type.mime })
    const get = config.uploadTokenMethod === 'GET'
    const token = await http.call({
      method: config.uploadTokenMethod,
      path: UPLOAD_TOKEN_PATH,
      host: 'upload',
      ...(get ? { query: fields } : { body: fields, form: true }),
      // The key travels in the fields only: no Authorization header to the upload host.
      authorize: false,
      schema: uploadTokenSchema,
      retry: 'idempotent',
      signal,
    })
    const ful = this.#checkTokenURL('ful', token.ful)
    const fdl = this.#checkTokenURL('fdl', token.fdl)

    const target = uploadTarget(ful)
    for (let attempt = 1; ; attempt += 1) {
      try {
        const bytes = await this.#putOnce(ful, prepared, target, attempt, signal)
        return { url: fdl.href, contentType: prepared.type.mime, bytes }
      } catch (error) {
        const decision = prepared.replayable ? decideRetry(error, attempt, 'idempotent', http.retrySettings) : { retry: false as const }
        if (!decision.retry || !(error instanceof ImaError)) throw error
        emit('retry', { ...target, attempt: attempt + 1, delayMs: decision.delayMs, reason: decision.reason, error })
        config.logger.warn('ima retry', { ...target, attempt: attempt + 1, delayMs: decision.delayMs, reason: decision.reason })
        await delay(decision.delayMs, signal)
      }
    }
  }

  #checkTokenURL(name: 'ful' | 'fdl', value: string): URL {
    let url: URL | undefined
    try {
      url = new URL(value)
    } catch {
      url = undefined
    }
    if (url && isAllowedURL(url)) return url
    const shown = url ? `${url.protocol}//${url.host}` : 'a value that is not a URL'
    throw new ResponseValidationError(
      `[${TOKEN_TARGET.method} ${TOKEN_TARGET.path}] the upload host answered a ${name} that is not https (${shown}); nothing was uploaded — check uploadBaseURL`,
      { request: TOKEN_TARGET, excerpt: '', issues: [{ path: name, message: 'must be an https URL (http only on loopback)' }] },
    )
  }

  /** One PUT of the whole body; returns the bytes sent. */
  async #putOnce(ful: URL, prepared: PreparedSource, target: RequestTarget, attempt: number, signal: AbortSignal | undefined): Promise<number> {
    const { config, emit } = this.#context
    throwIfAborted(signal)
    const totalBytes = prepared.size
    const progress = (bytesSent: number) =>
      emit('upload.progress', { bytesSent, totalBytes, ...(prepared.filename === undefined ? {} : { filename: prepared.filename }) })

    // A PUT may rightly take long: time it out on a lack of progress, not on its total length.
    const stall = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    const arm = (ms: number) => {
      clearTimeout(timer)
      timer = setTimeout(() => stall.abort(), ms)
    }
    let bodyError: ImaError | undefined
    let sent = 0
    const tooLarge = () => this.#tooLarge(`passed ${config.maxUploadBytes} bytes while being sent (the upload was stopped)`, prepared.filename)
    const raw = prepared.body()
    let body: Uint8Array | Blob | ReadableStream<Uint8Array>
    // Closes the source (a file, a Node stream) whatever fetch did with the body.
    let release: (reason: unknown) => Promise<void> = async () => {}
    const headers: Record<string, string> = { 'content-type': prepared.type.mime }
    const streamed = isReadableStream(raw)
    if (isReadableStream(raw)) {
      const limit = config.maxUploadBytes
      const reader = raw.getReader()
      release = (reason) => reader.cancel(reason).catch(() => {})
      body = new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            arm(config.timeout)
            const next = await reader.read()
            if (next.done) {
              controller.close()
              return
            }
            let chunk: Uint8Array
            try {
              chunk = chunkBytes(next.value)
            } catch (error) {
              bodyError = error as ImaError
              throw error
            }
            sent += chunk.byteLength
            if (sent > limit) {
              // Counted as it passes: a stream cannot be measured first without holding it.
              bodyError = tooLarge()
              await reader.cancel(bodyError).catch(() => {})
              controller.error(bodyError)
              return
            }
            controller.enqueue(chunk)
            progress(sent)
          },
          cancel(reason) {
            return reader.cancel(reason)
          },
        },
        { highWaterMark: 0 },
      )
      if (totalBytes !== undefined) headers['content-length'] = String(totalBytes)
      arm(config.timeout)
    } else {
      body = raw
      sent = raw instanceof Uint8Array ? raw.byteLength : raw.size
      arm(config.timeout + Math.ceil((sent / SLOWEST_EXPECTED_BYTES_PER_SECOND) * 1000))
      progress(0)
    }

    const started = Date.now()
    emit('request', { ...target, attempt })
    let response: Response
    try {
      try {
        response = await config.fetch(ful, {
          method: 'PUT',
          headers,
          body: body as BodyInit,
          // A redirect would send the bytes somewhere this client never agreed to: it is an error, never
          // followed. Streams use 'error': for any other mode Node's fetch (undici) clones the request to
          // be able to follow it, and the clone tees the body, so every chunk sent stays in memory until
          // the end — a 100 MiB file would cost 100 MiB. In-memory bodies use 'manual', which keeps the
          // redirect's status for the error message.
          redirect: streamed ? 'error' : 'manual',
          signal: anySignal([signal, stall.signal]),
          duplex: 'half',
        } as RequestInit & { duplex: 'half' })
      } catch (error) {
        if (signal?.aborted) throw abortErrorFor(signal)
        if (bodyError) throw bodyError
        if (stall.signal.aborted) {
          throw new RequestTimeoutError(
            `[PUT ${target.path}] the upload made no progress for ${config.timeout} ms — the upload host may be slow; try again, or raise \`timeout\``,
            { request: target },
          )
        }
        const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error
        if (streamed && cause instanceof Error && /redirect/i.test(cause.message)) {
          throw new ResponseValidationError(
            `[PUT ${target.path}] the upload host answered a redirect; upload redirects are not followed, so the image was not uploaded — check uploadBaseURL`,
            { request: target, excerpt: '' },
          )
        }
        const code = findErrorCode(error)
        const detail = redactSecrets(cause instanceof Error ? cause.message : String(cause), [config.apiKey])
        throw new ConnectionError(
          `[PUT ${target.path}] network error${code ? ` ${code}` : ''} while uploading: ${detail} — check the network connection, then try again`,
          { request: target, sent: code === undefined || !NOT_SENT_CODES.has(code), code: code ?? 'network' },
        )
      }
      const status = response.status
      emit('response', { ...target, attempt, status, durationMs: Date.now() - started })
      config.logger.debug('ima response', { ...target, attempt, status, durationMs: Date.now() - started })
      if (status >= 200 && status < 300) {
        await response.body?.cancel().catch(() => {})
        if (!streamed) progress(sent)
        return sent
      }
      throw await this.#putFailure(response, target)
    } catch (error) {
      await release(error)
      throw error
    } finally {
      clearTimeout(timer)
    }
  }

  /** The typed error for a PUT answered with a redirect or an error status. */
  async #putFailure(response: Response, target: RequestTarget): Promise<ImaError> {
    const status = response.status
    if (response.type === 'opaqueredirect' || (status >= 300 && status < 400)) {
      await response.body?.cancel().catch(() => {})
      let where = 'another location'
      try {
        const location = response.headers.get('location')
        if (location) where = new URL(location, response.url || undefined).origin
      } catch {
        // An unreadable Location says nothing more.
      }
      return new ResponseValidationError(
        `[PUT ${target.path}] the upload host answered a redirect (${status || 'opaque'}) to ${where}; upload redirects are not followed, so the image was not uploaded — check uploadBaseURL`,
        { request: target, status: status || undefined, excerpt: '' },
      )
    }
    let serviceMessage: string | undefined
    try {
      const text = (await response.text()).slice(0, 2_000)
      const parsed = JSON.parse(text) as { message?: unknown }
      if (typeof parsed.message === 'string' && parsed.message) serviceMessage = redactSecrets(parsed.message, [this.#context.config.apiKey])
    } catch {
      // Not JSON (object stores answer XML or nothing): the status says enough.
    }
    const quoted = serviceMessage ? ` ("${serviceMessage}")` : ''
    const options = { request: target, status, code: status, serviceMessage, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) }
    const prefix = `[PUT ${target.path}] ${status}`
    if (status === 429) return new RateLimitError(`${prefix} the upload host is rate limiting${quoted} — wait a moment and try again`, options)
    if (status === 503) return new ServiceUnavailableError(`${prefix} the upload host is unavailable${quoted} — try again later`, options)
    if (status >= 500) return new ServerError(`${prefix} the upload host failed${quoted} — try again later`, options)
    if (status === 413) return new ApiError(`${prefix} the upload host refused the size${quoted} — send a smaller image`, options)
    return new ApiError(`${prefix} the upload host refused the image${quoted} — the upload URL may have expired; upload again`, options)
  }
}
