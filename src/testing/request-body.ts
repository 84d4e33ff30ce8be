/** Reading request bodies with a size cap, so a runaway client cannot exhaust memory. */
import type { IncomingMessage } from 'node:http'

/** The body, or the reason it was not read to the end. */
export type BodyRead = { ok: true; bytes: Buffer } | { ok: false; reason: 'too-large' | 'aborted' }

/**
 * Streams the body in, stopping as soon as it exceeds `limit` bytes (a
 * declared Content-Length over the limit fails before reading anything).
 */
export function readRequestBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ ok: false, reason: 'too-large' })
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let total = 0
    let settled = false
    const finish = (result: BodyRead): void => {
      if (settled) return
      settled = true
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('aborted', onAborted)
      resolve(result)
    }
    const onData = (chunk: Buffer): void => {
      total += chunk.length
      if (total > limit) {
        chunks.length = 0
        // Keep the stream flowing (discarding) so the answer can still be written.
        req.resume()
        finish({ ok: false, reason: 'too-large' })
        return
      }
      chunks.push(chunk)
    }
    const onEnd = (): void => finish({ ok: true, bytes: Buffer.concat(chunks, total) })
    const onError = (): void => finish({ ok: false, reason: 'aborted' })
    const onAborted = (): void => finish({ ok: false, reason: 'aborted' })
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
    req.on('aborted', onAborted)
  })
}
