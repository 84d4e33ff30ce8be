/**
 * Each peer SDK's cheapest GET, pointed at the stub host with its public
 * options, next to a raw `fetch` of the same URL with the same auth header.
 */
import { createFalClient } from '@fal-ai/client'
import OpenAI from 'openai'
import Replicate from 'replicate'
import { PEER_PATHS } from './stubs.js'

export interface PeerCase {
  peer: string
  call: string
  sdk: () => Promise<unknown>
  raw: () => Promise<unknown>
}

export function peerCases(stubURL: string): PeerCase[] {
  const rawGet = (path: string, headers: Record<string, string>) => async () => (await fetch(`${stubURL}${path}`, { headers })).json()

  const openai = new OpenAI({ apiKey: 'sk-bench', baseURL: `${stubURL}/openai/v1` })
  const replicate = new Replicate({ auth: 'r8_bench', baseUrl: `${stubURL}/replicate/v1` })
  // fal has no base-URL option; its public `proxyUrl` (when: 'always') sends every request to our
  // host and names the real target in x-fal-target-url, which is how a fal proxy is deployed.
  const fal = createFalClient({ credentials: 'key:secret', proxyUrl: { url: `${stubURL}${PEER_PATHS.fal}`, when: 'always' } })

  return [
    {
      peer: 'openai',
      call: "models.retrieve('m')",
      sdk: () => openai.models.retrieve('m'),
      raw: rawGet(PEER_PATHS.openai, { authorization: 'Bearer sk-bench', accept: 'application/json' }),
    },
    {
      peer: 'replicate',
      call: "predictions.get('p1')",
      sdk: () => replicate.predictions.get('p1'),
      raw: rawGet(PEER_PATHS.replicate, { authorization: 'Bearer r8_bench', accept: 'application/json' }),
    },
    {
      peer: '@fal-ai/client',
      call: 'queue.status(…, { requestId })',
      sdk: () => fal.queue.status('fal-ai/flux', { requestId: 'r1' }),
      raw: rawGet(PEER_PATHS.fal, { authorization: 'Key key:secret', accept: 'application/json' }),
    },
  ]
}
