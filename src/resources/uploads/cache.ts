/** The bounded cache of finished uploads, so the same bytes are not uploaded twice by one client. */

/** Most entries the content-hash cache of one client keeps (least recently used first out). */
export const UPLOAD_CACHE_ENTRIES = 256

/** What a finished upload left behind. @internal */
export interface CachedUpload {
  url: string
  contentType: string
  bytes: number
}

/** A bounded least-recently-used map of finished uploads by content key. @internal */
export class UploadCache {
  readonly #entries = new Map<string, CachedUpload>()

  get(key: string): CachedUpload | undefined {
    const entry = this.#entries.get(key)
    if (entry) {
      // Re-insert so Map order is recency order.
      this.#entries.delete(key)
      this.#entries.set(key, entry)
    }
    return entry
  }

  set(key: string, entry: CachedUpload): void {
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    if (this.#entries.size > UPLOAD_CACHE_ENTRIES) {
      const oldest = this.#entries.keys().next().value
      if (oldest !== undefined) this.#entries.delete(oldest)
    }
  }
}
