/**
 * Runs the MCP server until its client goes away: over stdio (the client
 * started this process; stdout is the protocol's, so nothing else is ever
 * written there) or, with `--http`, Streamable HTTP on loopback — stateless,
 * a server per request over the one shared set of tools, with the Host and
 * Origin checks that stop a web page from reaching it (DNS rebinding).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { localhostHostValidation, localhostOriginValidation, NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node'
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio'
import { createImaMcpServer } from './server.js'
import type { McpSettings } from './settings.js'
import type { ImaTools } from './tools.js'

/**
 * Serves over stdio until stdin closes or `stopped` resolves (the first
 * SIGINT or SIGTERM, from `listenForStopSignals`).
 *
 * @example
 * ```ts
 * await serveStdio(tools, settings, () => say(io, 'ima mcp: ready on stdio'), signals.reached(1))
 * ```
 */
export async function serveStdio(tools: ImaTools, settings: McpSettings, onReady: () => void, stopped: Promise<void>): Promise<void> {
  const server = createImaMcpServer(tools, settings)
  const transport = new StdioServerTransport()
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve()
  })
  // The transport notices a closed pipe only on a write; the end of stdin is the client leaving.
  const ended = new Promise<void>((resolve) => process.stdin.once('end', resolve).once('close', resolve))
  await server.connect(transport)
  onReady()
  try {
    await Promise.race([closed, ended, stopped])
  } finally {
    await server.close().catch(() => undefined)
  }
}

/**
 * Serves Streamable HTTP at `http://127.0.0.1:<port>/mcp` until `stopped`
 * resolves (the first SIGINT or SIGTERM).
 *
 * @example
 * ```ts
 * await serveHttp(tools, settings, 3939, (url) => say(io, `ima mcp: listening on ${url}`), signals.reached(1))
 * ```
 */
export async function serveHttp(tools: ImaTools, settings: McpSettings, port: number, onListening: (url: string) => void, stopped: Promise<void>): Promise<void> {
  const hostAllowed = localhostHostValidation()
  const originAllowed = localhostOriginValidation()
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if (!hostAllowed(request, response) || !originAllowed(request, response)) return
    if (new URL(request.url ?? '/', 'http://127.0.0.1').pathname !== '/mcp') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: the MCP endpoint is /mcp\n')
      return
    }
    const server = createImaMcpServer(tools, settings)
    const transport = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: undefined })
    response.on('close', () => {
      void transport.close().catch(() => undefined)
      void server.close().catch(() => undefined)
    })
    await server.connect(transport)
    await transport.handleRequest(request, response)
  }
  const http = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' }).end('The MCP request could not be handled\n')
      else response.end()
    })
  })
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(port, '127.0.0.1', () => resolve())
  })
  const { port: bound } = http.address() as AddressInfo
  onListening(`http://127.0.0.1:${bound}/mcp`)
  try {
    await stopped
  } finally {
    http.closeAllConnections()
    await new Promise<void>((resolve) => http.close(() => resolve()))
  }
}
