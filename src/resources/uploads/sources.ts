/**
 * What an upload source is, and how one is made ready to send: URLs passed
 * through (by the SDK's one URL rule), bytes, Blobs, streams and local files
 * sniffed for their image type and checked against `maxUploadBytes`.
 */
import { ValidationError } from '../../errors.js'
import { digestHex } from '../../protocol/upload-sign.js'
import { IMAGE_SNIFF_BYTES, sniffImageType, type ImageType } from '../../protocol/image-type.js'
import { isAsyncIterable, isBlob, isReadableStream, iterableToStream, peekStream, raceAbort, sourceIssue } from '../../internal/byte-streams.js'
import { checkServiceURL, describeUrlProblem, shownURL, type UrlVerdict } from '../../protocol/urls.js'

/**
 * What `ima.uploads.put()` and `tasks.create({ inputImages })` accept:
 * - an https URL (string or `URL`): used as is, nothing is sent (plain http only on loopback);
 * - bytes: a `Uint8Array` (a Node `Buffer` is one) or an `ArrayBuffer`;
 * - a `Blob` or `File`;
 * - a web `ReadableStream` of bytes, or any async iterable of bytes (a Node `Readable`);
 * - with the Node client (`import { ImaClient } from 'ima-open-sdk/node'`): a local file path or a `file:` URL.
 *
 * @example
 * ```ts
 * const sources: UploadSource[] = ['https://example.com/a.png', new Uint8Array(bytes), new Blob([bytes])]
 * const urls = await ima.uploads.putAll(sources)
 * ```
 * @public
 */
export type UploadSource = string | URL | Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>

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

/** A source checked and ready to send. @internal */
export interface PreparedSource {
  type: ImageType
  filename: string | undefined
  /** The size when known before sending. */
  size: number | undefined
  /** Cache key, when this kind of source is cached. */
  cacheKey: string | undefined
  /** Whether the PUT can be sent again after a failure (bytes, Blob, file). */
  replayable: boolean
  /** Whether the body is sent as a stream (a file or a stream), rather than from memory. */
  streamed: boolean
  /** The body of one attempt: in-memory bodies as they are (every runtime can send them), files and streams as streams. */
  body(): Uint8Array | Blob | ReadableStream<Uint8Array>
  /** Releases what the source holds (an open stream) when the upload stops before sending it. */
  discard(reason: unknown): Promise<void>
}

/** What preparing a source needs from the client. @internal */
export interface SourceSettings {
  maxUploadBytes: number
  uploadCache: boolean
  /** The platform's reader of local files and streams, when the entry plugged one in. */
  localReader: LocalSourceReader | undefined
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
export function quoted(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text)
}

/**
 * The URL to use as is, `undefined` when the source must be uploaded; throws
 * a `ValidationError` for a URL the URL rule refuses.
 * @internal
 */
export function passthroughURL(source: UploadSource): string | undefined {
  if (source instanceof URL) return source.protocol === 'file:' ? undefined : refuseUnlessAllowed(checkServiceURL(source), source.href)
  if (typeof source !== 'string') return undefined
  // Two letters at least, so a Windows drive (C:\…) is a path, not a scheme.
  if (!/^[a-z][a-z0-9+.-]+:/i.test(source) || /^file:/i.test(source)) return undefined
  return refuseUnlessAllowed(checkServiceURL(source), source)
}

function refuseUnlessAllowed(verdict: UrlVerdict, text: string): string {
  if (verdict.ok) return text
  const { problem, url } = verdict
  const issue = sourceIssue(describeUrlProblem(problem))
  if (problem === 'plain-http' && url) {
    throw new ValidationError(
      `Refusing plain http input ${url.origin}: the service needs public https URLs (http is allowed only on loopback) — use the https address, or upload the bytes`,
      issue,
    )
  }
  if (problem === 'scheme' && url) {
    throw new ValidationError(`Unsupported URL scheme ${url.protocol} — pass an https URL, bytes, a Blob, a stream, or (with the Node client) a file path`, issue)
  }
  if (problem === 'userinfo' && url) {
    throw new ValidationError(
      `Refusing input URL ${shownURL(url)} with a user name or password in it: it would put a credential into every log line and error — pass a public https URL`,
      issue,
    )
  }
  throw new ValidationError(`${quoted(text)} is not a valid URL — pass an https URL, or a local path with the Node client`, sourceIssue('is not a valid URL'))
}

/**
 * The error for an image over `maxUploadBytes`, e.g. `measure` = `is 30000000 bytes`.
 * @internal
 */
export function tooLargeError(measure: string, filename: string | undefined, limit: number): ValidationError {
  const what = filename ? `"${filename}"` : 'The image'
  return new ValidationError(
    `${what} ${measure}, over maxUploadBytes (${limit} bytes) — send a smaller image, or raise the client option maxUploadBytes`,
    [{ path: 'source', message: `larger than maxUploadBytes (${limit})` }],
  )
}

function sniff(head: Uint8Array, filename: string | undefined): ImageType {
  const type = sniffImageType(head)
  if (type) return type
  const what = filename ? `"${filename}"` : 'The source'
  if (head.byteLength === 0) {
    throw new ValidationError(
      `${what} is empty — pass an image; a stream or generator that was read already is empty too, so pass a fresh one`,
      sourceIssue('is empty'),
    )
  }
  throw new ValidationError(
    `${what} is not a JPEG, PNG, WebP, GIF, BMP, HEIC or AVIF image (judged from its first bytes, not its name) — convert it to PNG or JPEG`,
    sourceIssue('is not a recognised image'),
  )
}

function checkSize(size: number, filename: string | undefined, settings: SourceSettings): void {
  if (size > settings.maxUploadBytes) throw tooLargeError(`is ${size} bytes`, filename, settings.maxUploadBytes)
}

/**
 * Checks a source that is not a URL and makes it ready to send: its type
 * from its first bytes, its size when known, its cache key.
 * @internal
 */
export async function prepareSource(
  source: UploadSource,
  options: { filename?: string; signal?: AbortSignal },
  settings: SourceSettings,
): Promise<PreparedSource> {
  const { signal, filename } = options
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    const bytes = source instanceof Uint8Array ? source : new Uint8Array(source)
    return prepareInMemory(bytes, bytes.byteLength, bytes.subarray(0, IMAGE_SNIFF_BYTES), filename, settings)
  }
  if (isBlob(source)) {
    const head = new Uint8Array(await raceAbort(source.slice(0, IMAGE_SNIFF_BYTES).arrayBuffer(), signal))
    const name = filename ?? (typeof (source as Partial<File>).name === 'string' ? (source as File).name || undefined : undefined)
    return prepareInMemory(source, source.size, head, name, settings)
  }
  if (isReadableStream(source)) return prepareStream(source, filename, signal)

  const local = typeof source === 'string' || source instanceof URL || typeof source === 'object' ? await settings.localReader?.resolve(source) : undefined
  if (local?.kind === 'file') return prepareFile(local, filename, settings)
  if (local?.kind === 'stream') return prepareStream(local.stream, filename ?? local.filename, signal)
  if (typeof source === 'string' || source instanceof URL) {
    if (source === '') throw new ValidationError('The image source is an empty string — pass an https URL, bytes, a Blob or a stream', sourceIssue('is an empty string'))
    throw new ValidationError(
      `${quoted(String(source))} is not an https URL. Local file paths need the Node client: import { ImaClient } from 'ima-open-sdk/node' — or pass the bytes, a Blob or a stream`,
      sourceIssue('local paths need ima-open-sdk/node'),
    )
  }
  if (isAsyncIterable(source)) return prepareStream(iterableToStream(source), filename, signal)
  throw new ValidationError(
    'Unsupported image source — pass an https URL, a Uint8Array/Buffer, a Blob/File, a ReadableStream, or (with the Node client) a file path or a Node Readable',
    sourceIssue('unsupported kind of source'),
  )
}

async function prepareInMemory(
  data: Uint8Array | Blob,
  size: number,
  head: Uint8Array,
  filename: string | undefined,
  settings: SourceSettings,
): Promise<PreparedSource> {
  const type = sniff(head, filename)
  checkSize(size, filename, settings)
  // The bytes are in memory already and within the limit, so hashing them whole is bounded.
  const cacheKey = settings.uploadCache ? `sha256:${await digestHex('SHA-256', data instanceof Uint8Array ? data : await data.arrayBuffer())}` : undefined
  return { type, filename, size, cacheKey, replayable: true, streamed: false, body: () => data, discard: async () => {} }
}

async function prepareFile(file: LocalFileSource, filename: string | undefined, settings: SourceSettings): Promise<PreparedSource> {
  const name = filename ?? file.filename
  checkSize(file.size, name, settings)
  const type = sniff(await file.readHead(IMAGE_SNIFF_BYTES), name)
  let opened: ReadableStream<Uint8Array> | undefined
  return {
    type,
    filename: name,
    size: file.size,
    cacheKey: settings.uploadCache ? file.cacheKey : undefined,
    replayable: true,
    streamed: true,
    body: () => {
      opened = file.open()
      return opened
    },
    discard: async (reason) => {
      await opened?.cancel(reason).catch(() => {})
    },
  }
}

async function prepareStream(stream: ReadableStream<unknown>, filename: string | undefined, signal: AbortSignal | undefined): Promise<PreparedSource> {
  if (stream.locked) {
    throw new ValidationError('The stream is already being read (locked) — pass a fresh stream', sourceIssue('is locked'))
  }
  const peeked = await peekStream(stream, IMAGE_SNIFF_BYTES, signal)
  let type: ImageType
  try {
    type = sniff(peeked.head, filename)
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
    streamed: true,
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
