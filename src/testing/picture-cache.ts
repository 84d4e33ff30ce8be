/**
 * The result pictures already drawn, kept up to a byte budget. Drawing is a
 * pure function of the task (no clock, no randomness), so a picture dropped
 * from here is drawn again, byte for byte the same, when it is asked for
 * again: the cache only saves time. Without a bound a long-running
 * `ima serve` kept every picture ever downloaded (a few hundred kB each).
 */

/** The bytes of drawn pictures kept by default: a few hundred at the default side of 1024. */
export const PICTURE_CACHE_BYTES = 64 * 2 ** 20

/** Drawn PNGs by file path, least recently used dropped first once over `maxBytes`. */
export class PictureCache {
  readonly #pictures = new Map<string, Buffer>()
  readonly #maxBytes: number
  #bytes = 0

  /**
   * @example
   * ```ts
   * const cache = new PictureCache()
   * cache.set('/files/task_1/0.png', png)
   * cache.get('/files/task_1/0.png') // png, until 64 MiB of later pictures push it out
   * ```
   */
  constructor(maxBytes: number = PICTURE_CACHE_BYTES) {
    this.#maxBytes = maxBytes
  }

  /** The bytes kept now. */
  get bytes(): number {
    return this.#bytes
  }

  /** The picture at `path`, marked as just used; undefined when never drawn or dropped. */
  get(path: string): Buffer | undefined {
    const png = this.#pictures.get(path)
    if (png) {
      // A Map iterates in insertion order: re-inserting makes it the newest.
      this.#pictures.delete(path)
      this.#pictures.set(path, png)
    }
    return png
  }

  /** Keeps `png` for `path`, dropping the least recently used pictures past the budget (never the one just set). */
  set(path: string, png: Buffer): void {
    this.delete(path)
    this.#pictures.set(path, png)
    this.#bytes += png.byteLength
    for (const oldest of this.#pictures.keys()) {
      if (this.#bytes <= this.#maxBytes || oldest === path) break
      this.delete(oldest)
    }
  }

  /** Drops the picture at `path`, if kept. */
  delete(path: string): void {
    const png = this.#pictures.get(path)
    if (!png) return
    this.#pictures.delete(path)
    this.#bytes -= png.byteLength
  }

  /** Drops every picture. */
  clear(): void {
    this.#pictures.clear()
    this.#bytes = 0
  }
}
