/**
 * What each peer SDK's cheapest GET expects, answered from memory: the bodies
 * are built once, so the stub costs the same tiny amount for every client and
 * the ratio to a raw `fetch` of the same URL shows the SDK's own work.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Path (on the stub host) each peer reads, and the raw-fetch baseline reads too. */
export const PEER_PATHS = {
  openai: '/openai/v1/models/m',
  replicate: '/replicate/v1/predictions/p1',
  // fal sends every request to its proxy URL, naming the real target in a header.
  fal: '/fal/proxy',
} as const

const created = 1_700_000_000
const bodies: Record<string, string> = {
  [PEER_PATHS.openai]: JSON.stringify({ id: 'm', object: 'model', created, owned_by: 'bench' }),
  [PEER_PATHS.replicate]: JSON.stringify({
    id: 'p1',
    model: 'owner/model',
    version: 'v1',
    input: { prompt: 'a fox' },
    logs: '',
    output: null,
    data_removed: false,
    error: null,
    status: 'processing',
    created_at: '2026-01-01T00:00:00.000Z',
    urls: { cancel: 'http://127.0.0.1/v1/predictions/p1/cancel', get: 'http://127.0.0.1/v1/predictions/p1', stream: 'http://127.0.0.1/stream' },
  }),
  [PEER_PATHS.fal]: JSON.stringify({
    status: 'IN_PROGRESS',
    request_id: 'r1',
    response_url: 'http://127.0.0.1/fal-ai/flux/requests/r1',
    status_url: 'http://127.0.0.1/fal-ai/flux/requests/r1/status',
    cancel_url: 'http://127.0.0.1/fal-ai/flux/requests/r1/cancel',
    logs: null,
    metrics: {},
  }),
}

/** Answers a peer path, or returns false for a path it does not know. */
export function answerPeer(req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? '/').split('?')[0] as string
  const body = bodies[path]
  if (body === undefined) return false
  req.resume()
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body)
  return true
}
