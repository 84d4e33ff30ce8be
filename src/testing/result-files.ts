/** `GET /files/<taskId>/<i>.png` and `<i>-cover.png`: the result pictures, drawn on first request. */
import { createHash } from 'node:crypto'
import type { Reply } from './envelope.js'
import { notFound } from './envelope.js'
import { COVER_SIDE, fitWithin } from './image-dimensions.js'
import { decodePng, isPng, PngDecodeError } from './png-decode.js'
import type { ServerTask } from './records.js'
import { renderResultPng, thumbnailPixels } from './result-picture.js'
import type { ResultPictureInput, ResultPictureRequest } from './result-picture.js'
import type { ServerState } from './server-state.js'
import { isCdnPath, serveUpload } from './uploads.js'

const FILE_PATH = /^\/files\/([^/]+)\/(\d+)(-cover)?\.png$/

/** Whether a path belongs to this route. */
export function isResultFilePath(path: string): boolean {
  return path.startsWith('/files/')
}

/**
 * Serves a result PNG; needs no auth, like a CDN link. Unknown task or index → 404.
 *
 * @example
 * ```ts
 * import { serveResultFile } from './result-files.js'
 * const reply = serveResultFile(`/files/${task.id}/0.png`, state) // { kind: 'bytes', contentType: 'image/png', … }
 * ```
 */
export function serveResultFile(path: string, state: ServerState): Reply {
  const png = resultPng(path, state, 0)
  return png ? { kind: 'bytes', status: 200, contentType: 'image/png', bytes: png } : notFound('file not found')
}

/** A chain of results fed back as inputs is at most this deep; past it an input is only hashed. */
const MAX_INPUT_DEPTH = 8
/** Decoded inputs by the stored bytes they came from (uploads and cached PNGs keep their buffers). */
const decodedInputs = new WeakMap<Uint8Array, ResultPictureInput>()

function resultPng(path: string, state: ServerState, depth: number): Buffer | undefined {
  const match = FILE_PATH.exec(path)
  if (!match) return undefined
  const taskId = match[1] ?? ''
  const index = Number(match[2])
  const cover = match[3] !== undefined
  const task = state.tasksById.get(taskId)
  if (!task || index >= task.n) return undefined
  let png = state.pictures.get(path)
  if (!png) {
    const served = fitWithin(task, state.options.maxImageSide)
    const size = cover ? fitWithin(served, COVER_SIDE) : served
    png = renderResultPng(pictureRequest(task, index, state, depth), size.width, size.height)
    state.pictures.set(path, png)
  }
  return png
}

/** What picture `index` of a task shows: its parameters as received, and its inputs as far as the server can read them. */
function pictureRequest(task: ServerTask, index: number, state: ServerState, depth: number): ResultPictureRequest {
  const first = Array.isArray((task.body as { parameters?: unknown } | null)?.parameters)
    ? ((task.body as { parameters: unknown[] }).parameters[0] as Record<string, unknown> | undefined)
    : undefined
  const { size, aspect_ratio: aspectRatio } = task.parameters
  return {
    prompt: task.prompt,
    taskType: task.taskType,
    modelName: typeof first?.model_name === 'string' ? first.model_name : task.modelId,
    modelId: task.modelId,
    modelVersion: task.modelVersion,
    size: size === undefined || size === null ? '' : String(size),
    ...(aspectRatio === undefined || aspectRatio === null ? {} : { aspectRatio: String(aspectRatio) }),
    requested: { width: task.width, height: task.height },
    index,
    n: task.n,
    inputs: task.inputImages.map((url) => pictureInput(url, state, depth)),
  }
}

function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex')
}

/** Whether a URL points at this server (its API or upload origin, or the same port on a loopback name). */
function isOwnUrl(url: URL, state: ServerState): boolean {
  const own = [state.url, state.uploadURL].filter((base) => base !== '').map((base) => new URL(base))
  if (own.some((base) => base.origin === url.origin)) return true
  const loopback = ['127.0.0.1', 'localhost', '[::1]']
  return loopback.includes(url.hostname) && own.some((base) => base.protocol === url.protocol && base.port === url.port && loopback.includes(base.hostname))
}

/** Reads an input image: bytes the server holds (an upload or one of its own results), decoded when it is a PNG it can read. */
function pictureInput(address: string, state: ServerState, depth: number): ResultPictureInput {
  const byUrl = (format: string): ResultPictureInput => ({ fingerprint: sha256(`url:${address}`), format })
  let url: URL
  try {
    url = new URL(address)
  } catch {
    return byUrl('URL')
  }
  if (!isOwnUrl(url, state)) return byUrl('URL')
  let bytes: Uint8Array | undefined
  if (isCdnPath(url.pathname)) {
    const reply = serveUpload(url.pathname, state)
    if (reply.kind === 'bytes' && reply.status === 200) bytes = reply.bytes
  } else if (isResultFilePath(url.pathname) && depth < MAX_INPUT_DEPTH) {
    bytes = resultPng(url.pathname, state, depth + 1)
  }
  if (!bytes) return byUrl('MISSING')
  const known = decodedInputs.get(bytes)
  if (known) return known
  const input = readInput(bytes)
  decodedInputs.set(bytes, input)
  return input
}

function readInput(bytes: Uint8Array): ResultPictureInput {
  const fingerprint = sha256(bytes)
  if (isPng(bytes)) {
    try {
      const decoded = decodePng(bytes)
      return { fingerprint, format: 'PNG', pixels: thumbnailPixels(decoded), dimensions: { width: decoded.width, height: decoded.height } }
    } catch (error) {
      // 16-bit, interlaced, damaged…: the picture falls back to the input's colours.
      if (!(error instanceof PngDecodeError)) throw error
      return { fingerprint, format: 'PNG' }
    }
  }
  return { fingerprint, format: sniffFormat(bytes) }
}

/** The format of image bytes from their first bytes, for the label. */
function sniffFormat(bytes: Uint8Array): string {
  const ascii = (start: number, end: number): string => String.fromCharCode(...bytes.subarray(start, end))
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'JPEG'
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'WEBP'
  if (ascii(0, 4) === 'GIF8') return 'GIF'
  if (ascii(4, 8) === 'ftyp') return 'HEIC/AVIF'
  return 'UNKNOWN FORMAT'
}
