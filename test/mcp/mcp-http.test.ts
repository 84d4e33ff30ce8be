/**
 * `ima mcp --http 0`: Streamable HTTP on a free loopback port, reached with the
 * official client's StreamableHTTPClientTransport, against a local IMA server
 * whose tasks take 600 ms.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join, sep } from 'node:path'
import { Client, StreamableHTTPClientTransport, type Progress } from '@modelcontextprotocol/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startImaServer, type ImaServer } from '../../src/testing/index.js'
import { prepareIma, type ImaProcess } from '../cli/ima-process.js'
import { cleanEnv, startIma } from '../cli/run-ima.js'
import { SECRET_KEY, STACK_LINE, TOOL_NAMES, createCount, expectRisingProgress, filesContaining, isPngFile, structured, textOf } from './mcp-harness.js'

const MIB = 1_048_576
const TEST_TIMEOUT = 60_000
const LISTENING = /ima mcp: listening on (http:\/\/127\.0\.0\.1:(\d+)\/mcp)/

let ima: ImaProcess
let server: ImaServer
let root: string
let home: string
let out: string
let child: ChildProcess
let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
let stdout = ''
let stderr = ''
let endpoint: URL
let client: Client | undefined
const received: unknown[] = []

/** A raw POST of an initialize request to the endpoint with this Host header: the status and body. */
function rawInitialize(host: string): Promise<{ status: number; body: string }> {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1.0.0' } },
  })
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port: Number(endpoint.port),
        path: endpoint.pathname,
        method: 'POST',
        headers: {
          Host: host,
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (response) => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => (text += chunk))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }))
        response.on('error', reject)
      },
    )
    outgoing.on('error', reject)
    outgoing.end(body)
  })
}

beforeAll(async () => {
  ima = await prepareIma()
  server = await startImaServer({ apiKeys: { [SECRET_KEY]: 100_000 }, taskDurationMs: 600 })
  root = await mkdtemp(join(tmpdir(), 'ima-mcp-http-'))
  home = join(root, 'home')
  out = join(root, 'out')
  await mkdir(home, { recursive: true })
  const env = cleanEnv(home, {
    IMA_API_KEY: SECRET_KEY,
    IMA_BASE_URL: server.url,
    IMA_IM_BASE_URL: server.uploadURL,
    IMA_OUTPUT_DIR: out,
    IMA_POLL_INTERVAL_MS: '50',
  })
  child = spawn(process.execPath, [...ima.nodeArgs, 'mcp', '--http', '0'], { env, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  const listening = new Promise<string>((resolve, reject) => {
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
      const match = LISTENING.exec(stderr)
      if (match?.[1]) resolve(match[1])
    })
    child.on('exit', (code) => reject(new Error(`ima mcp --http exited (${code}) before listening: ${stderr}`)))
  })
  endpoint = new URL(await listening)
}, 120_000)

afterAll(async () => {
  await client?.close().catch(() => undefined)
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }
  await server?.close()
  await ima?.remove()
  if (root) await rm(root, { recursive: true, force: true })
}, 60_000)

describe('ima mcp --http', () => {
  it('listens on loopback at /mcp on the port it picked, and prints nothing on stdout', () => {
    expect(endpoint.hostname).toBe('127.0.0.1')
    expect(endpoint.pathname).toBe('/mcp')
    expect(Number(endpoint.port)).toBeGreaterThan(0)
    expect(stderr).not.toMatch(STACK_LINE)
    expect(stdout).toBe('')
  })

  it('serves the four tools and runs generate_image with progress', async () => {
    const transport = new StreamableHTTPClientTransport(endpoint)
    client = new Client({ name: 'test', version: '1.0.0' })
    await client.connect(transport)
    const handler = transport.onmessage
    transport.onmessage = (message) => {
      received.push(message)
      handler?.(message)
    }

    const { tools } = await client.listTools()
    expect(tools.map((tool) => tool.name).sort()).toEqual(TOOL_NAMES)

    const createsBefore = createCount(server)
    const progress: Progress[] = []
    const result = await client.callTool(
      { name: 'generate_image', arguments: { prompt: 'a red fox over http', model: 'gemini-3-pro-image' } },
      { onprogress: (value) => void progress.push(value), timeout: 55_000, resetTimeoutOnProgress: true },
    )
    received.push(result)
    expect(result.isError, textOf(result)).toBeFalsy()
    expectRisingProgress(progress)
    const content = structured(result)
    expect(content.status).toBe('success')
    const urls = content.urls as string[]
    const files = content.files as string[]
    expect(urls).toHaveLength(1)
    expect(files).toHaveLength(1)
    expect(files[0]?.startsWith(out + sep)).toBe(true)
    expect(existsSync(files[0] ?? '')).toBe(true)
    expect(await isPngFile(files[0] ?? '')).toBe(true)
    expect(textOf(result)).toContain(urls[0])
    expect(result.content.filter((block) => block.type === 'resource_link').map((block) => (block as { uri: string }).uri)).toContain(urls[0])
    expect(JSON.stringify(result).length).toBeLessThan(MIB)
    expect(createCount(server) - createsBefore).toBe(1)
  }, TEST_TIMEOUT)

  it('refuses a request with a foreign Host header, and takes the same request with its own', async () => {
    const foreign = await rawInitialize('evil.example')
    expect(foreign.status).toBeGreaterThanOrEqual(400)
    expect([403, 421]).toContain(foreign.status)
    const own = await rawInitialize(endpoint.host)
    expect(own.status).toBe(200)
  }, TEST_TIMEOUT)

  it('never shows the API key: not in what the client received, not on stderr, not in the files it wrote', async () => {
    expect(received.length).toBeGreaterThan(1)
    expect(JSON.stringify(received)).not.toContain(SECRET_KEY)
    expect(stderr).not.toContain(SECRET_KEY)
    expect(stdout).not.toContain(SECRET_KEY)
    expect(await filesContaining(home, SECRET_KEY)).toEqual([])
    expect(await filesContaining(out, SECRET_KEY, true)).toEqual([])
  }, TEST_TIMEOUT)

  // A busy port said "Image generation encountered an issue, please try again or use another model".
  it('a port in use is a usage error that names it (exit 2)', async () => {
    const run = await startIma(ima, ['mcp', '--http', endpoint.port], cleanEnv(home, { IMA_API_KEY: SECRET_KEY, IMA_BASE_URL: server.url, IMA_OUTPUT_DIR: out }), root).done
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`Port ${endpoint.port} on 127.0.0.1 is in use`)
    expect(run.stderr).toContain('--http 0 for a free one')
    expect(run.stderr).not.toMatch(/another model/)
  }, TEST_TIMEOUT)

  it('ends on SIGTERM', async () => {
    await client?.close()
    client = undefined
    child.kill('SIGTERM')
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 15_000).unref())
    const outcome = await Promise.race([exited, timeout])
    expect(outcome).not.toBe('timeout')
    expect(stderr).not.toMatch(STACK_LINE)
    expect(stderr).not.toContain(SECRET_KEY)
  }, TEST_TIMEOUT)
})
