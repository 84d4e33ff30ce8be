/**
 * A throw-away redis-server for tests: a free port, no persistence, killed
 * afterwards. `redisAvailability()` says whether one can be started here.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'
import { it } from 'vitest'

export interface RedisServer {
  port: number
  url: string
  stop(): Promise<void>
}

/** Whether `redis-server` is on PATH (and runs). */
export function redisServerOnPath(): boolean {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' })
  return probe.status === 0
}

/**
 * For the start of a describe block that needs redis-server: true when it is
 * on PATH; otherwise registers the test that says so — failing in CI, where
 * .ci/run installs it, skipped with a warning elsewhere — and answers false.
 */
export function hasRedisServerFor(title: string): boolean {
  if (redisServerOnPath()) return true
  if (process.env.CI) {
    it('needs redis-server on PATH in CI (never skipped there)', () => {
      throw new Error('redis-server is not on PATH: .ci/run installs it with apt-get install redis-server')
    })
  } else {
    console.warn(`[skip] ${title}: redis-server is not on PATH — install it (apt-get install redis-server) to run these tests`)
    it.skip('redis-server is not on PATH: install it (apt-get install redis-server) to run the Redis-backed tests', () => {})
  }
  return false
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (typeof address !== 'object' || address === null) throw new Error('no port')
  return address.port
}

async function waitForPing(port: number, child: ChildProcess, deadlineMs: number): Promise<void> {
  const started = Date.now()
  let lastError: unknown
  while (Date.now() - started < deadlineMs) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode} before answering`)
    const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false })
    client.on('error', () => {})
    try {
      await client.connect()
      if ((await client.ping()) === 'PONG') return
    } catch (error) {
      lastError = error
    } finally {
      client.disconnect()
    }
    // Polling a process that is starting, not sleeping through a test.
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`redis-server did not answer PING within ${deadlineMs} ms: ${String(lastError)}`)
}

/** Starts redis-server on a free loopback port (or `port`: a Redis restarted, empty), without persistence. */
export async function startRedisServer(port?: number): Promise<RedisServer> {
  port ??= await freePort()
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  try {
    await waitForPing(port, child, 10_000)
  } catch (error) {
    child.kill('SIGKILL')
    throw new Error(`${(error as Error).message}\n${output.slice(-2_000)}`)
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}
