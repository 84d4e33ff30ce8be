import { ImaClient, type ImaClientOptions } from 'ima-open-sdk'
import { startImaServer, type ImaServer, type ImaServerOptions } from 'ima-open-sdk/testing'
import { afterAll, beforeAll } from 'vitest'

/** A local server for one test file, started before its tests and closed after them. */
export function useImaServer(options: ImaServerOptions = {}): { readonly server: ImaServer; client: (extra?: ImaClientOptions) => ImaClient } {
  let server: ImaServer | undefined
  beforeAll(async () => {
    server = await startImaServer(options)
  })
  afterAll(async () => {
    await server?.close()
  })
  return {
    get server() {
      if (!server) throw new Error('the local server is not started yet')
      return server
    },
    client(extra: ImaClientOptions = {}) {
      if (!server) throw new Error('the local server is not started yet')
      return new ImaClient({ apiKey: server.apiKey, baseURL: server.url, uploadBaseURL: server.uploadURL, ...extra })
    },
  }
}

/**
 * A fetch that passes every request to the real server but lets a test
 * rewrite the product list on its way back — the way a list that changed
 * between the list and the create looks to a client.
 */
export function productListRewriter(rewrite: (data: unknown[]) => unknown[]): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await globalThis.fetch(input, init)
    if (!String(input).includes('/open/v1/product/list')) return response
    const envelope = (await response.json()) as { code: number; message: string; data: unknown[] }
    return new Response(JSON.stringify({ ...envelope, data: rewrite(structuredClone(envelope.data)) }), {
      status: response.status,
      headers: { 'content-type': 'application/json' },
    })
  }
}

/** Runs `visit` on every node of a product tree. */
export function visitNodes(nodes: unknown[], visit: (node: Record<string, unknown>) => void): void {
  for (const node of nodes as Record<string, unknown>[]) {
    visit(node)
    if (Array.isArray(node.children)) visitNodes(node.children, visit)
  }
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected the promise to reject')
}
