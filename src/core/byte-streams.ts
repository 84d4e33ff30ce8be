/**
 * Byte-stream plumbing for uploads, on web streams only (isomorphic): kind
 * checks, pull-only adapters, and peeking at a stream's first bytes without
 * losing them.
 */
import { abortErrorFor, throwIfAborted } from './abort.js'
import { ValidationError } from './errors.js'
import { IMAGE_SNIFF_BYTES } from './image-type.js'

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

/** A pull-only web stream over an async iterable, so nothing is read ahead of what fetch sends. */
export function iterableToStream(iterable: AsyncIterable<unknown>): ReadableStream<Uint8Array> {
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
        await iterator?.return?.(reason)
      },
    },
    { highWaterMark: 0 },
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
 * Reads the first bytes of a one-shot stream for sniffing, and returns a
 * stream that yields them again followed by the rest — nothing is lost and
 * only the first chunk or two are held.
 */
export async function peekStream(
  stream: ReadableStream<unknown>,
  signal: AbortSignal | undefined,
): Promise<{ head: Uint8Array; stream: ReadableStream<Uint8Array> }> {
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let length = 0
  let done = false
  try {
    while (length < IMAGE_SNIFF_BYTES) {
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
    throw error
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
  return { head: concatBytes(chunks).subarray(0, IMAGE_SNIFF_BYTES), stream: replay }
}

