/**
 * What the `ima mcp` tests share: an MCP client session with the bundled
 * `ima` (test/cli/ima-process.ts) over stdio, recording everything the
 * client received (results, notifications, the initialize answer) and the
 * process's stderr, so a test can check that the API key appears nowhere.
 */
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { Client, type CallToolResult, type Progress } from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import { expect } from 'vitest'
import type { ImaServer } from '../../src/testing/index.js'
import type { ImaProcess } from '../cli/ima-process.js'

/** A key no default would produce, so finding it anywhere means it leaked. */
export const SECRET_KEY = 'ima_secret_key_for_mcp_test_123456'

/** A stack frame line, e.g. `    at run (file.js:1:2)`. */
export const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m

/** The four tools of the contract, by name. */
export const TOOL_NAMES = ['generate_image', 'get_image_task', 'list_image_models', 'quote_image']

/** The create path of the IMA Open API. */
export const CREATE_PATH = '/open/v1/tasks/create'

/** How many creates the server has received so far (accepted or not). */
export function createCount(server: ImaServer): number {
  return server.requests.filter((request) => request.method === 'POST' && request.path === CREATE_PATH).length
}

/** An environment for the stdio transport: no undefined values. */
export function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value
  return out
}

/** One `ima mcp` process on stdio with a connected client. */
export interface McpSession {
  client: Client
  transport: StdioClientTransport
  /** Every JSON-RPC message the client received after connecting, plus the initialize answer. */
  received: unknown[]
  /** Errors the transport reported (e.g. a line on stdout that is not JSON-RPC). */
  transportErrors: Error[]
  /** The process's stderr so far. */
  stderr(): string
  /** Waits until stderr matches (or fails after `ms`). */
  waitForStderr(pattern: RegExp, ms?: number): Promise<string>
  /** Calls a tool, recording its progress notifications. */
  call(name: string, args: Record<string, unknown>, progress?: Progress[]): Promise<CallToolResult>
  /** Closes the client and the process; safe to call twice. */
  close(): Promise<void>
}

/** Starts `ima mcp <args>` with this environment (see cleanEnv in test/cli/run-ima.ts) and connects a client. */
export async function startMcpSession(ima: ImaProcess, env: NodeJS.ProcessEnv, options: { args?: string[]; cwd?: string } = {}): Promise<McpSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...ima.nodeArgs, 'mcp', ...(options.args ?? [])],
    env: stringEnv(env),
    stderr: 'pipe',
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
  })
  let stderr = ''
  transport.stderr?.on('data', (chunk: Buffer | string) => (stderr += chunk.toString()))
  const client = new Client({ name: 'test', version: '1.0.0' })
  const transportErrors: Error[] = []
  await client.connect(transport)
  // Wrapped after connect (the client sets its own handler there): every later message passes here first.
  const received: unknown[] = [{ serverVersion: client.getServerVersion(), capabilities: client.getServerCapabilities(), instructions: client.getInstructions() }]
  const handler = transport.onmessage
  transport.onmessage = (message) => {
    received.push(message)
    handler?.(message)
  }
  const onerror = transport.onerror
  transport.onerror = (error) => {
    transportErrors.push(error)
    onerror?.(error)
  }
  let closed = false
  return {
    client,
    transport,
    received,
    transportErrors,
    stderr: () => stderr,
    waitForStderr: async (pattern, ms = 15_000) => {
      const end = Date.now() + ms
      while (!pattern.test(stderr)) {
        if (Date.now() > end) throw new Error(`stderr never matched ${pattern}: ${JSON.stringify(stderr)}`)
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
      return stderr
    },
    call: (name, args, progress) =>
      client.callTool(
        { name, arguments: args },
        {
          timeout: 55_000,
          ...(progress ? { onprogress: (value: Progress) => void progress.push(value), resetTimeoutOnProgress: true } : {}),
        },
      ),
    close: async () => {
      if (closed) return
      closed = true
      await client.close()
    },
  }
}

/** The text of a result's first text block ('' when there is none). */
export function textOf(result: CallToolResult): string {
  return result.content
    .filter((block): block is Extract<typeof block, { type: 'text' }> => block.type === 'text')
    .map((block) => block.text)
    .join('\n')
}

/** The structured content as a record (fails the test when there is none). */
export function structured(result: CallToolResult): Record<string, unknown> {
  const value = result.structuredContent
  expect(value, `no structuredContent in ${JSON.stringify(result).slice(0, 2000)}`).toBeTypeOf('object')
  return value as Record<string, unknown>
}

/** Checks an error result: isError, one text block in plain words, no stack, no key. */
export function expectPlainError(result: CallToolResult): string {
  expect(result.isError, `expected an error result, got ${JSON.stringify(result).slice(0, 2000)}`).toBe(true)
  const texts = result.content.filter((block) => block.type === 'text')
  expect(texts).toHaveLength(1)
  const text = textOf(result)
  expect(text.trim().length).toBeGreaterThan(10)
  expect(text).not.toMatch(STACK_LINE)
  expect(text).not.toMatch(/^\s*(Type|Range|Reference|Syntax)?Error:/m)
  expect(text).not.toContain(SECRET_KEY)
  return text
}

/** Every file under a folder, recursively (none when it does not exist). */
export async function filesUnder(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return []
  const found: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) found.push(...(await filesUnder(path)))
    else if (entry.isFile()) found.push(path)
  }
  return found
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif'])

/** The files under `dir` (images left out when `skipImages`) whose bytes contain `secret`. */
export async function filesContaining(dir: string, secret: string, skipImages = false): Promise<string[]> {
  const hits: string[] = []
  for (const path of await filesUnder(dir)) {
    if (skipImages && IMAGE_EXTENSIONS.has(extname(path).toLowerCase())) continue
    const bytes = await readFile(path)
    if (bytes.includes(secret)) hits.push(path)
  }
  return hits
}

/** Whether a file starts with the PNG signature. */
export async function isPngFile(path: string): Promise<boolean> {
  const bytes = await readFile(path)
  return bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
}

/** Checks progress notifications: at least one, rising, within 0–100, total 100, with a message. */
export function expectRisingProgress(progress: Progress[]): void {
  expect(progress.length, 'no progress notification arrived').toBeGreaterThanOrEqual(1)
  for (const [index, value] of progress.entries()) {
    expect(value.progress).toBeGreaterThanOrEqual(0)
    expect(value.progress).toBeLessThanOrEqual(100)
    expect(value.total).toBe(100)
    expect(value.message).toBeTypeOf('string')
    expect(value.message?.trim()).not.toBe('')
    const previous = progress[index - 1]
    if (previous) expect(value.progress).toBeGreaterThan(previous.progress)
  }
}
