import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { link, mkdir, rename, rm } from 'node:fs/promises'
import { dirname, extname, resolve } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { downloadTooLarge, IMAGE_SNIFF_BYTES, notAnImage, openResultDownload } from '../http/result-download.js'
import { sniffImageType } from '../protocol/image-type.js'
import { ImaError } from '../errors.js'

/** Options of {@link downloadResult}. @public */
export interface DownloadOptions {
  signal?: AbortSignal
  /** Largest file accepted, in bytes. @defaultValue 100 MiB */
  maxBytes?: number
  /** The fetch to use. @defaultValue `globalThis.fetch` */
  fetch?: typeof globalThis.fetch
  /**
   * Keep a file already at the path: the download is saved under the next
   * free numbered name instead (`fox.png` → `fox-2.png`), atomically, so two
   * saves at once never replace each other. `path` in the result says where.
   * @defaultValue false (the file at the path is replaced)
   */
  keepExisting?: boolean
}

/** What {@link downloadResult} saved. @public */
export interface DownloadResult {
  /** Absolute path of the saved file. */
  path: string
  bytes: number
  contentType: string | undefined
}

/** Default size cap of a download. */
export const DEFAULT_DOWNLOAD_MAX_BYTES = 100 * 1024 * 1024
/**
 * Saves a result URL to a file: streamed (never held in memory whole),
 * written to a temporary file beside the target and renamed into place, so a
 * failed or cut download never leaves a half file under the final name. No
 * API key is sent: result URLs are public.
 *
 * @example
 * ```ts
 * import { downloadResult } from 'ima-open-sdk/node'
 * const saved = await downloadResult(result.url, './fox.png')
 * ```
 * @public
 */
export async function downloadResult(url: string, filePath: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const maxBytes = options.maxBytes ?? DEFAULT_DOWNLOAD_MAX_BYTES
  const limitHint = 'raise maxBytes to save it'
  const { response } = await openResultDownload(url, { fetch: options.fetch ?? globalThis.fetch, maxBytes, limitHint, signal: options.signal })

  const target = resolve(filePath)
  await mkdir(dirname(target), { recursive: true })
  const temporary = `${target}.${randomBytes(6).toString('hex')}.part`
  let bytes = 0
  // The first bytes, until they tell an image from a page: a CDN's HTML page is never saved as a picture.
  let head: Buffer | undefined = Buffer.alloc(0)
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length
      if (bytes > maxBytes) return callback(downloadTooLarge(url, maxBytes, limitHint))
      if (head !== undefined) {
        head = Buffer.concat([head, chunk])
        if (head.length >= IMAGE_SNIFF_BYTES) {
          if (!sniffImageType(head)) return callback(notAnImage(url, head))
          head = undefined
        }
      }
      callback(null, chunk)
    },
    flush(callback) {
      callback(head !== undefined && !sniffImageType(head) ? notAnImage(url, head) : null)
    },
  })
  try {
    await pipeline(
      Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
      limit,
      createWriteStream(temporary, { flags: 'wx' }),
      { signal: options.signal },
    )
    const path = options.keepExisting ? await linkUnderFreeName(temporary, target) : (await rename(temporary, target), target)
    return { path, bytes, contentType: response.headers.get('content-type') ?? undefined }
  } finally {
    await rm(temporary, { force: true })
  }
}

/** Most numbered names tried beside a kept file before giving up. */
const MAX_NUMBERED_NAMES = 1_000

/**
 * Gives `temporary` the name `target`, or `target` numbered (`-2`, `-3`, …)
 * when a file is there: a hard link fails when its name exists, so no other
 * save can slip in between the check and the write.
 */
async function linkUnderFreeName(temporary: string, target: string): Promise<string> {
  const extension = extname(target)
  const stem = target.slice(0, target.length - extension.length)
  for (let number = 1; number <= MAX_NUMBERED_NAMES; number += 1) {
    const candidate = number === 1 ? target : `${stem}-${number}${extension}`
    try {
      await link(temporary, candidate)
      return candidate
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
  }
  throw new ImaError(`${target} and ${MAX_NUMBERED_NAMES - 1} numbered names beside it are taken: choose another file name`, { code: 'file_names_taken' })
}
