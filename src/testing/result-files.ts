/** `GET /files/<taskId>/<i>.png` and `<i>-cover.png`: the result pictures, drawn on first request. */
import type { Reply } from './envelope.js'
import { notFound } from './envelope.js'
import { COVER_SIDE, fitWithin } from './image-dimensions.js'
import { renderResultPng } from './result-picture.js'
import type { ServerState } from './server-state.js'

const FILE_PATH = /^\/files\/([^/]+)\/(\d+)(-cover)?\.png$/

/** Whether a path belongs to this route. */
export function isResultFilePath(path: string): boolean {
  return path.startsWith('/files/')
}

/** Serves a result PNG; needs no auth, like a CDN link. Unknown task or index → 404. */
export function serveResultFile(path: string, state: ServerState): Reply {
  const match = FILE_PATH.exec(path)
  if (!match) return notFound('file not found')
  const taskId = match[1] ?? ''
  const index = Number(match[2])
  const cover = match[3] !== undefined
  const task = state.tasksById.get(taskId)
  if (!task || index >= task.n) return notFound('file not found')
  let png = state.pictures.get(path)
  if (!png) {
    const served = fitWithin(task, state.options.maxImageSide)
    const size = cover ? fitWithin(served, COVER_SIDE) : served
    png = renderResultPng(task.prompt, index, size.width, size.height)
    state.pictures.set(path, png)
  }
  return { kind: 'bytes', status: 200, contentType: 'image/png', bytes: png }
}
