import { createReadStream } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { ValidationError } from '../errors.js'
import { iterableToStream } from '../internal/byte-streams.js'
import type { LocalFileSource, LocalSourceReader, LocalStreamSource } from '../resources/uploads/index.js'

function fileIssue(message: string) {
  return [{ path: 'source', message }]
}

async function readHead(path: string, length: number): Promise<Uint8Array> {
  const handle = await open(path, 'r')
  try {
    const buffer = new Uint8Array(length)
    const { bytesRead } = await handle.read(buffer, 0, length, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

/** The file at `source` (a path or a `file:` URL), described for the uploader; a `ValidationError` when it cannot be read. */
async function fileSource(source: string | URL): Promise<LocalFileSource> {
  let path: string
  try {
    path = resolve(typeof source === 'string' && !/^file:/i.test(source) ? source : fileURLToPath(source))
  } catch {
    throw new ValidationError(`"${String(source)}" is not a usable file URL — pass a path or an https URL`, fileIssue('is not a file URL'))
  }
  let info: Awaited<ReturnType<typeof stat>>
  try {
    info = await stat(path)
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ValidationError(
        `No file at ${path} — input images must be an https URL or the path of an existing image file`,
        fileIssue('file does not exist'),
      )
    }
    throw new ValidationError(`Cannot read ${path} (${String(code ?? 'unknown error')}) — check the path and its permissions`, fileIssue('cannot be read'))
  }
  if (!info.isFile()) {
    throw new ValidationError(`${path} is not a regular file — pass the path of an image file`, fileIssue('is not a file'))
  }
  const size = info.size
  return {
    kind: 'file',
    filename: basename(path),
    size,
    // A new version of the file (other size or mtime) is a new cache entry.
    cacheKey: `file:${path}:${size}:${info.mtimeMs}`,
    readHead: async (length) => {
      try {
        return await readHead(path, length)
      } catch {
        throw new ValidationError(`Cannot read ${path} — check that the file still exists and is readable`, fileIssue('cannot be read'))
      }
    },
    // 64 KiB reads and pull-driven: only a few chunks are in memory at once, whatever the file's size.
    open: () => unchangedFileStream(path, info),
  }
}

/**
 * The file's bytes, read again for an upload attempt (a retry reopens it),
 * but only while it is still the version that was checked: another size or
 * modification time fails the stream before any byte, so bytes that were
 * never sniffed (or a length that no longer matches) are not sent.
 */
function unchangedFileStream(path: string, checked: { size: number; mtimeMs: number }): ReadableStream<Uint8Array> {
  let file: Readable | undefined
  let stopped = false
  async function* readUnchanged(): AsyncGenerator<unknown> {
    const now = await stat(path).catch(() => undefined)
    // Stopped while the file was checked: opening it now would leave it open, with no one to read or close it.
    if (stopped) return
    if (!now || now.size !== checked.size || now.mtimeMs !== checked.mtimeMs) {
      throw new ValidationError(
        `${path} changed (or was removed) while it was being uploaded — nothing was created; upload it again once it is written`,
        fileIssue('changed while being uploaded'),
      )
    }
    file = createReadStream(path)
    yield* file
  }
  return iterableToStream(readUnchanged(), () => {
    stopped = true
    file?.destroy()
  })
}

/**
 * A pull-only web stream over a Node `Readable`, destroyed on cancel. Not
 * `Readable.toWeb`: Node's adapter enqueues data that arrives after the web
 * stream was cancelled (an abort, the size cap) and throws `ERR_INVALID_STATE`
 * from an event handler, which ends the process.
 */
function webStreamOf(stream: Readable): ReadableStream<Uint8Array> {
  return iterableToStream(stream, () => stream.destroy())
}

function streamSource(stream: Readable): LocalStreamSource {
  if (stream.readableEnded || stream.destroyed) {
    throw new ValidationError('The stream was read already (it has ended or was destroyed) — pass a fresh stream', fileIssue('was read already'))
  }
  const path = (stream as Readable & { path?: unknown }).path
  return {
    kind: 'stream',
    stream: webStreamOf(stream),
    ...(typeof path === 'string' ? { filename: basename(path) } : {}),
  }
}

/**
 * The Node entry's reader of local sources: file paths and `file:` URLs
 * (size from `stat`, bytes streamed with `createReadStream`, reopened for a
 * retry, and only while unchanged) and Node `Readable`s (pull-only, destroyed
 * when the upload stops).
 * @internal
 */
export const nodeLocalSourceReader: LocalSourceReader = {
  async resolve(source) {
    if (typeof source === 'string') return source === '' ? undefined : fileSource(source)
    if (source instanceof URL) return source.protocol === 'file:' ? fileSource(source) : undefined
    if (source instanceof Readable) return streamSource(source)
    return undefined
  },
}
