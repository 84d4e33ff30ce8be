/**
 * Byte-stream plumbing, on web streams only (isomorphic): kind checks,
 * pull-only adapters, peeking at a stream's first bytes without losing them,
 * counting what an upload sends, and reading an answer under a size limit.
 */
import { abortErrorFor, throwIfAborted } from './abort.js'
import { ImaError, ValidationError } from '../errors.js'
import { redactSecrets } from './redact.js'

/** Whether a value is a web `ReadableStream`. */
export function isReadableStream(value: unknown): value is ReadableStream<unknown> {
  return typeof ReadableStream !== 'undefined' && value instanceof ReadableStream
}

/** Whether a value is a `Blob` (or `File`). */
export function isBlob(value: unknown): value is Blob {
  return typeof Blob !== 'undefined' && value instanceof Blob
}

/** Whether a value can be iterated with `for await`. */
export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
}

/** The issue list of a refused upload source. */
export const sourceIssue = (message: string) => [{ path: 'source', message }]

/** Stream chunks must be bytes: a string chunk (a Node stream with an encoding set) has no defined byte form. */
export function chunkBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk)
  throw new ValidationError(
    `Upload streams must yield bytes (Uint8Array), got ${typeof chunk === 'string' ? 'a string' : typeof chunk} — do not set an encoding on the stream`,
    sourceIssue('must yield Uint8Array chunks'),
  )
}

/**
 * A pull-only web stream over an async iterable, so nothing is read ahead of
 * what fetch sends. `stop`, when given, ends the source on cancel instead of
 * the iterator's `return()` — which waits for a read under way, so a Node
 * stream is destroyed instead.
 */
export function iterableToStream(iterable: AsyncIterable<unknown>, stop?: (reason: unknown) => void): ReadableStream<Uint8Array> {
  let iterator: AsyncIterator<unknown> | undefined
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        iterator ??= iterable[Symbol.asyncIterator]()
        const next = await iterator.next()
        if (next.done) controller.close()
        else controller.enqueue(chunkBytes(next.value))
      },
      async cancel(reason) {
        if (stop) stop(reason)
        else await iterator?.return?.(reason)
      },
    },
    { highWaterMark: 0 },
  )
}

/**
 * The error of an image source that failed while it was read (a missing
 * file, a stream that errored): the caller's source, not the network, so a
 * `ValidationError` that keeps the original as `cause`. SDK errors (an
 * abort, a chunk that is not bytes, a file that changed) stay as they are.
 *
 * @example
 * ```ts
 * const next = await reader.read().catch((error: unknown) => { throw sourceReadError(error) })
 * ```
 */
export function sourceReadError(error: unknown): ImaError {
  if (error instanceof ImaError) return error
  const detail = redactSecrets(error instanceof Error ? error.message : String(error)).slice(0, 300)
  return new ValidationError(
    `Reading the image source failed (${detail}) — nothing was created; check the file or stream you passed`,
    sourceIssue('could not be read'),
    { cause: error },
  )
}

/** Rejects with the abort error as soon as `signal` aborts, whatever `promise` does. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise
  throwIfAborted(signal)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortErrorFor(signal))
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}

/** One array of the chunks' bytes (the chunk itself when there is one). */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0]
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0))
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}

/**
 * Reads the first `headBytes` of a one-shot stream (for sniffing), and returns a
 * stream that yields them again followed by the rest — nothing is lost and
 * only the first chunk or two are held.
 */
export async function peekStream(
  stream: ReadableStream<unknown>,
  headBytes: number,
  signal: AbortSignal | undefined,
): Promise<{ head: Uint8Array; stream: ReadableStream<Uint8Array> }> {
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let length = 0
  let done = false
  try {
    while (length < headBytes) {
      const next = await raceAbort(reader.read(), signal)
      if (next.done) {
        done = true
        break
      }
      const chunk = chunkBytes(next.value)
      chunks.push(chunk)
      length += chunk.byteLength
    }
  } catch (error) {
    await reader.cancel(error).catch(() => {})
    throw sourceReadError(error)
  }
  const replay = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk)
        if (done) controller.close()
      },
      async pull(controller) {
        const next = await reader.read()
        if (next.done) controller.close()
        else controller.enqueue(chunkBytes(next.value))
      },
      cancel(reason) {
        return reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
  return { head: concatBytes(chunks).subarray(0, headBytes), stream: replay }
}


/**
 * The same bytes, with `onPull` told each time the consumer asks for more
 * (before the source is read): a no-progress timer re-arms there, so waiting
 * on a stalled source or a stalled connection both count.
 *
 * @example
 * ```ts
 * const body = onEveryPull(file.open(), () => timer.restart())
 * ```
 */
export function onEveryPull(stream: ReadableStream<Uint8Array>, onPull: () => void): ReadableStream<Uint8Array> {
  const reader = stream.getReader()
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        onPull()
        const next = await reader.read()
        if (next.done) controller.close()
        else controller.enqueue(next.value)
      },
      cancel(reason) {
        return reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
}

/**
 * What {@link meteredStream} hands to fetch, and what it knows afterwards.
 *
 * @example
 * ```ts
 * const { stream, failure, release } = meteredStream(source, { limit, onBytes, tooLarge })
 * ```
 */
export interface MeteredStream {
  /** The bytes to send. */
  stream: ReadableStream<Uint8Array>
  /** The error the stream itself failed with (over the limit, a chunk that is not bytes), if any. */
  failure(): ImaError | undefined
  /** Cancels the source, whatever the consumer did with `stream`. */
  release(reason: unknown): Promise<void>
}

/**
 * A pull-only copy of `source` that counts the bytes as they pass, reports
 * the running total, and fails once it passes `limit`: a stream cannot be
 * measured first without holding it.
 *
 * @example
 * ```ts
 * const metered = meteredStream(source, { limit: 20 * 1024 * 1024, onBytes: (sent) => report(sent), tooLarge: () => new ValidationError('too large') })
 * await fetch(url, { method: 'PUT', body: metered.stream, duplex: 'half' } as RequestInit)
 * ```
 */
export function meteredStream(
  source: ReadableStream<unknown>,
  options: { limit: number; onBytes: (total: number) => void; tooLarge: () => ImaError },
): MeteredStream {
  const reader = source.getReader()
  let total = 0
  let failure: ImaError | undefined
  let cancelled = false
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let next: ReadableStreamReadResult<unknown>
        try {
          next = await reader.read()
        } catch (error) {
          // The source's own failure, unless fetch had given up on the body first.
          if (!cancelled) failure = sourceReadError(error)
          throw failure ?? error
        }
        if (next.done) return controller.close()
        let chunk: Uint8Array
        try {
          chunk = chunkBytes(next.value)
        } catch (error) {
          failure = error as ImaError
          throw error
        }
        total += chunk.byteLength
        if (total > options.limit) {
          failure = options.tooLarge()
          await reader.cancel(failure).catch(() => {})
          return controller.error(failure)
        }
        controller.enqueue(chunk)
        options.onBytes(total)
      },
      cancel(reason) {
        cancelled = true
        return reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
  return { stream, failure: () => failure, release: (reason) => reader.cancel(reason).catch(() => {}) }
}

/**
 * What {@link readTextUpTo} read.
 *
 * @example
 * ```ts
 * const { text, overLimit }: LimitedText = await readTextUpTo(response.body, 4096)
 * ```
 */
export interface LimitedText {
  /** The text of at most `limit` bytes. */
  text: string
  /** True when the body was longer: reading stopped at the limit and the rest was cancelled. */
  overLimit: boolean
}

/**
 * Reads a body as UTF-8 text, counting the bytes the stream yields — after
 * fetch has decompressed them, so a small gzip "bomb" is stopped at `limit`
 * too — and cancels the stream once it passes `limit`.
 *
 * @example
 * ```ts
 * const { text, overLimit } = await readTextUpTo(response.body, 4 * 1024 * 1024)
 * if (overLimit) throw new Error('answer too large')
 * ```
 */
export async function readTextUpTo(body: ReadableStream<Uint8Array> | null | undefined, limit: number): Promise<LimitedText> {
  if (!body) return { text: '', overLimit: false }
  const reader = body.getReader()
  const decoder = new TextDecoder()
  const parts: string[] = []
  let total = 0
  try {
    for (;;) {
      const next = await reader.read()
      if (next.done) break
      const room = limit - total
      total += next.value.byteLength
      if (next.value.byteLength > room) {
        parts.push(decoder.decode(next.value.subarray(0, room), { stream: true }), decoder.decode())
        await reader.cancel().catch(() => {})
        return { text: parts.join(''), overLimit: true }
      }
      parts.push(decoder.decode(next.value, { stream: true }))
    }
  } catch (error) {
    await reader.cancel(error).catch(() => {})
    throw error
  }
  parts.push(decoder.decode())
  return { text: parts.join(''), overLimit: false }
}

/**
 * Reads an answer's body as UTF-8 text under `limit` bytes, like
 * {@link readTextUpTo}. When the answer says its length (`content-length`,
 * within `limit`) and is not compressed, the body cannot pass that length,
 * so it is read in one native call (`response.text()`) instead of chunk by
 * chunk in JS; anything else (compressed, unknown length, or longer than
 * `limit`) is counted as it streams, so a gzip bomb is still stopped.
 *
 * @example
 * ```ts
 * const { text, overLimit } = await readAnswerText(response, 4 * 1024 * 1024)
 * ```
 */
export function readAnswerText(response: Response, limit: number): Promise<LimitedText> {
  const declared = declaredLength(response.headers)
  if (declared === undefined || declared > limit) return readTextUpTo(response.body, limit)
  // A fetch of the caller's that lets a body pass its content-length must not pass the limit: UTF-8 has at least a byte per UTF-16 unit.
  return response.text().then((text) => (text.length > limit ? { text: text.slice(0, limit), overLimit: true } : { text, overLimit: false }))
}

/** The body's length in bytes as the answer gives it, when it is one plain number and the body is not encoded. */
function declaredLength(headers: Headers): number | undefined {
  const encoding = headers.get('content-encoding')
  if (encoding !== null && encoding.trim().toLowerCase() !== 'identity') return undefined
  const length = headers.get('content-length')
  // Duplicated (`12, 12`) or malformed lengths take the counting path.
  return length !== null && /^\d{1,15}$/.test(length) ? Number(length) : undefined
}
