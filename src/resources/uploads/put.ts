/**
 * The upload `PUT` (protocol §4, step 2): the bytes sent to the signed `ful`
 * as one call through the HTTP layer's send path, which retries it (when the
 * body can be sent again), times it, refuses redirects and maps its answer.
 */
import type { ClientContext } from '../context.js'
import { meteredStream, isReadableStream } from '../../internal/byte-streams.js'
import { readStorageAnswer } from '../../http/answers.js'
import { requestFields, type AttemptTimeout, type RawBody, type RequestOptions } from '../../http/http-client.js'
import { tooLargeError, type PreparedSource } from './sources.js'

/**
 * An in-memory body gives no progress to time it by, so its PUT may take
 * `timeout` plus the time this slow a link needs for its bytes.
 */
const SLOWEST_EXPECTED_BYTES_PER_SECOND = 64 * 1024
/** Most bytes of the PUT's answer read: it is only inspected for an error message. */
const PUT_ANSWER_BYTES = 64 * 1024

/** The values of a signed URL's query string: never to be shown, even echoed back in an error body. */
function signatureOf(url: URL): string[] {
  return [url.search.slice(1), ...url.searchParams.values()].filter((value) => value.length >= 6)
}

function timeoutOf(prepared: PreparedSource, timeout: number): AttemptTimeout {
  if (prepared.streamed) return { stallMs: timeout }
  return { totalMs: timeout + Math.ceil(((prepared.size ?? 0) / SLOWEST_EXPECTED_BYTES_PER_SECOND) * 1000) }
}

/**
 * Sends the prepared body to `ful` and returns the number of bytes sent.
 * Reports `upload.progress` as it goes: per chunk for streams, at the start
 * and the end for in-memory bodies.
 * @internal
 */
export async function putToStorage(context: ClientContext, ful: URL, prepared: PreparedSource, options: RequestOptions): Promise<number> {
  const { config, http, emit } = context
  // Checked first; the PUT's own time limit is this call's `timeout`, applied the PUT's way (stall or size-based).
  const { signal, maxRetries } = requestFields(options)
  const progress = (bytesSent: number) =>
    emit('upload.progress', { bytesSent, totalBytes: prepared.size, ...(prepared.filename === undefined ? {} : { filename: prepared.filename }) })
  let sent = 0
  const rawBody = (): RawBody => {
    const data = prepared.body()
    sent = 0
    if (!isReadableStream(data)) {
      sent = data instanceof Uint8Array ? data.byteLength : data.size
      progress(0)
      return { data }
    }
    const limit = config.maxUploadBytes
    const metered = meteredStream(data, {
      limit,
      onBytes: (total) => {
        sent = total
        progress(total)
      },
      tooLarge: () => tooLargeError(`passed ${limit} bytes while being sent (the upload was stopped)`, prepared.filename, limit),
    })
    return { data: metered.stream, failure: metered.failure, release: metered.release }
  }
  const headers: Record<string, string> = { 'content-type': prepared.type.mime }
  if (prepared.streamed && prepared.size !== undefined) headers['content-length'] = String(prepared.size)
  await http.send(
    {
      method: 'PUT',
      // Only the path names it: the signed query string must not end up in errors, events or logs.
      path: ful.pathname,
      url: ful,
      rawBody,
      headers,
      authorize: false,
      retry: 'idempotent',
      replayable: prepared.replayable,
      timeout: timeoutOf(prepared, options.timeout ?? config.timeout),
      answerPrefixBytes: PUT_ANSWER_BYTES,
      secrets: signatureOf(ful),
      signal,
      ...(maxRetries === undefined ? {} : { maxRetries }),
    },
    readStorageAnswer,
  )
  if (!prepared.streamed) progress(sent)
  return sent
}
