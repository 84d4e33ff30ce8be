/**
 * Reads a result image into memory: the AI SDK's image interface takes bytes,
 * not URLs (`readResultBytes`, with this option's words for the cap).
 */
import { readResultBytes, type ResultBytes } from '../http/result-download.js'

/** The default cap of one result image, in bytes (100 MiB, as `downloadResult` in `ima-open-sdk/node`). */
export const DEFAULT_MAX_IMAGE_BYTES = 100 * 1024 * 1024

/** What {@link readResultImage} read. */
export type ResultImage = ResultBytes

/**
 * Downloads one result URL as bytes, refusing more than `maxBytes`.
 *
 * @example
 * ```ts
 * const { bytes } = await readResultImage(result.url, { fetch: globalThis.fetch, maxBytes: DEFAULT_MAX_IMAGE_BYTES })
 * ```
 */
export function readResultImage(url: string, options: { fetch: typeof globalThis.fetch; maxBytes: number; signal?: AbortSignal }): Promise<ResultImage> {
  return readResultBytes(url, { ...options, limitHint: 'raise createIma({ maxImageBytes }) to accept it' })
}
