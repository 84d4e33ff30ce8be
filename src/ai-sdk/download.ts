/**
 * Reads a result image into memory: the AI SDK's image interface takes bytes,
 * not URLs. Opened as every result download is (`openResultDownload`: the URL
 * rule, each redirect hop checked, the status, the declared length), then
 * read chunk by chunk under the byte cap. No API key is sent: result URLs are
 * public. Works wherever `fetch` does (no Node APIs).
 */
import { downloadTooLarge, openResultDownload } from '../http/result-download.js'
import { concatBytes } from '../internal/byte-streams.js'

/** The default cap of one result image, in bytes (100 MiB, as `downloadResult` in `ima-open-sdk/node`). */
export const DEFAULT_MAX_IMAGE_BYTES = 100 * 1024 * 1024

/** What {@link readResultImage} read. */
export interface ResultImage {
  bytes: Uint8Array
  headers: Record<string, string>
}

/**
 * Downloads one result URL as bytes, refusing more than `maxBytes`.
 *
 * @example
 * ```ts
 * const { bytes } = await readResultImage(result.url, { fetch: globalThis.fetch, maxBytes: DEFAULT_MAX_IMAGE_BYTES })
 * ```
 */
export async function readResultImage(url: string, options: { fetch: typeof globalThis.fetch; maxBytes: number; signal?: AbortSignal }): Promise<ResultImage> {
  const limitHint = 'raise createIma({ maxImageBytes }) to accept it'
  const { response } = await openResultDownload(url, { fetch: options.fetch, maxBytes: options.maxBytes, limitHint, signal: options.signal })
  const chunks: Uint8Array[] = []
  let total = 0
  const reader = response.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > options.maxBytes) {
      await reader.cancel().catch(() => {})
      throw downloadTooLarge(options.maxBytes, limitHint)
    }
    chunks.push(value)
  }
  const bytes = concatBytes(chunks)
  const headers: Record<string, string> = {}
  response.headers.forEach((value, key) => {
    headers[key] = value
  })
  return { bytes, headers }
}
