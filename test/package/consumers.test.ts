/**
 * The packed tarball where CommonJS users run it — Jest 29 with its default
 * config (no ESM transform: every `require`d file must be CommonJS) and tsx
 * on a `.cts` file — and what importing the core entry loads: none of the
 * Node-only dependencies, and not undici (Node 20's fetch implementation,
 * which `globalThis.Headers` and friends load on first touch).
 */
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { hasRedisServerFor, startRedisServer } from '../support/redis-server.js'
import { BIN, NODE_ONLY_PACKAGES, ROOT, SPAWN_TEST_TIMEOUT_MS, packTarball, run, scratchProject } from './scratch.js'

let tarball = ''
let project = ''

beforeAll(() => {
  tarball = packTarball()
  project = scratchProject(tarball)
}, SPAWN_TEST_TIMEOUT_MS)

describe('CommonJS consumers', () => {
  it('Jest 29 with its default config runs a test that requires the package', () => {
    // A CommonJS package of its own: Jest's defaults find `*.test.js` under the directory holding package.json.
    const dir = join(project, 'jest-smoke')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'jest-smoke', private: true }))
    writeFileSync(
      join(dir, 'sdk.test.js'),
      `const { ImaClient, ValidationError, TaskFailedError } = require('ima-open-sdk')
const { startImaServer } = require('ima-open-sdk/testing')

let server
beforeAll(async () => {
  server = await startImaServer({ progression: 'polls' })
})
afterAll(() => server.close())

test('creates a task and waits for it', async () => {
  const ima = new ImaClient({ apiKey: server.apiKey, baseURL: server.url })
  const task = await ima.tasks.create({ model: 'MJ', prompt: 'a castle' })
  const result = await ima.tasks.wait(task, { intervalMs: 1 })
  expect(result.url.startsWith(server.url)).toBe(true)
})

test('errors are instances of the exported classes', async () => {
  const ima = new ImaClient({ apiKey: server.apiKey, baseURL: server.url })
  await expect(ima.tasks.create({ model: 'MJ', prompt: '' })).rejects.toBeInstanceOf(ValidationError)
  const task = await ima.tasks.create({ model: 'MJ', prompt: 'a castle [fail]' })
  await expect(ima.tasks.wait(task, { intervalMs: 1 })).rejects.toBeInstanceOf(TaskFailedError)
})

test('a create whose connection is refused is known not to be sent (Node fetch errors come from another realm here)', async () => {
  const { ConnectionError } = require('ima-open-sdk')
  const gone = await startImaServer()
  const ima = new ImaClient({ apiKey: gone.apiKey, baseURL: gone.url, maxRetries: 0 })
  await ima.tasks.quote({ model: 'MJ', prompt: 'a castle' })
  await gone.close()
  const error = await ima.tasks.create({ model: 'MJ', prompt: 'a castle' }).catch((caught) => caught)
  expect(error).toBeInstanceOf(ConnectionError)
  expect(error).toMatchObject({ sent: false, code: 'ECONNREFUSED' })
  expect(ima.creditsUncertain).toBe(0)
})

test('the https local server starts (its certificate library is required, not imported)', async () => {
  const secure = await startImaServer({ tls: true })
  try {
    expect(secure.url.startsWith('https://127.0.0.1:')).toBe(true)
    expect(secure.ca.pem).toContain('BEGIN CERTIFICATE')
  } finally {
    await secure.close()
  }
})
`,
    )
    // Only CLI flags, no config: the cache in the scratch project so runs never share state.
    const result = run(join(BIN, 'jest'), ['--ci', '--cacheDirectory', join(dir, '.jest-cache')], dir)
    expect(result.output).toMatch(/Tests:\s+4 passed, 4 total/)
    expect(result.status, result.output).toBe(0)
  }, SPAWN_TEST_TIMEOUT_MS)

  it.skipIf(!hasRedisServerFor('Jest requiring ima-open-sdk/queue'))(
    'Jest 29 with its default config runs a test that requires ima-open-sdk/queue and enqueues on a real Redis',
    async () => {
      const redis = await startRedisServer()
      try {
        const dir = join(project, 'jest-queue')
        mkdirSync(dir, { recursive: true })
        writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'jest-queue', private: true }))
        // bullmq and ioredis are the user's (optional peers): linked from this repository's devDependencies.
        for (const peer of ['bullmq', 'ioredis']) {
          if (!existsSync(join(project, 'node_modules', peer))) symlinkSync(join(ROOT, 'node_modules', peer), join(project, 'node_modules', peer), 'dir')
        }
        writeFileSync(
          join(dir, 'queue.test.js'),
          `const { createGenerationQueue } = require('ima-open-sdk/queue')

test('enqueues a generation (BullMQ loaded by the CommonJS build)', async () => {
  const generations = await createGenerationQueue({ connection: { host: '127.0.0.1', port: Number(process.env.REDIS_PORT) }, name: 'jest' })
  try {
    expect(await generations.enqueue({ prompt: 'a fox' }, { jobId: 'jest-1' })).toBe('jest-1')
    expect(await generations.enqueue({ prompt: 'a fox' }, { jobId: 'jest-1' })).toBe('jest-1')
    expect(await generations.queue.getJobCounts('waiting')).toEqual({ waiting: 1 })
  } finally {
    await generations.close()
  }
})
`,
        )
        const result = run(join(BIN, 'jest'), ['--ci', '--cacheDirectory', join(dir, '.jest-cache')], dir, { REDIS_PORT: String(redis.port) })
        expect(result.output).toMatch(/Tests:\s+1 passed, 1 total/)
        expect(result.status, result.output).toBe(0)
      } finally {
        await redis.stop()
      }
    },
    SPAWN_TEST_TIMEOUT_MS,
  )

  it('tsx runs a .cts file that requires the package', () => {
    const file = join(project, 'smoke.cts')
    writeFileSync(
      file,
      `import { ImaClient, TaskFailedError, type TaskResult } from 'ima-open-sdk'
import { startImaServer } from 'ima-open-sdk/testing'

async function main(): Promise<void> {
  const server = await startImaServer({ progression: 'polls' })
  try {
    const ima = new ImaClient({ apiKey: server.apiKey, baseURL: server.url })
    const task = await ima.tasks.create({ model: 'MJ', prompt: 'a castle' })
    const result: TaskResult = await ima.tasks.wait(task, { intervalMs: 1 })
    const failed = await ima.tasks.create({ model: 'MJ', prompt: 'x [fail]' }).then((t) => ima.tasks.wait(t, { intervalMs: 1 })).catch((error: unknown) => error)
    // The CommonJS build, not the ESM one through require(esm).
    console.log(require.resolve('ima-open-sdk').endsWith('index.cjs'), result.url.startsWith(server.url), failed instanceof TaskFailedError)
  } finally {
    await server.close()
  }
}
main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
`,
    )
    const result = run(join(BIN, 'tsx'), [file], project)
    expect(result.output.trim()).toBe('true true true')
    expect(result.status).toBe(0)
  }, SPAWN_TEST_TIMEOUT_MS)
})

describe('what the core entry loads', () => {
  // Stubs stand in for the Node-only packages and record being loaded, from ESM and CJS alike
  // (ESM has no require.cache to inspect). Getters on the undici-backed globals record any touch;
  // process.moduleLoadList tells whether undici itself was loaded.
  const probe = (load: (specifier: string) => string) => `
    const touched = []
    for (const name of ['fetch', 'Headers', 'Request', 'Response', 'FormData']) {
      const original = Object.getOwnPropertyDescriptor(globalThis, name)
      if (!original) continue
      Object.defineProperty(globalThis, name, {
        configurable: true,
        enumerable: original.enumerable,
        get() { touched.push(name); return original.get ? original.get.call(globalThis) : original.value },
        set(value) { Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: true }) },
      })
    }
    const state = () => ({ stubs: [...(globalThis.__imaStubsLoaded ?? [])], touched: [...touched], undici: process.moduleLoadList.some((name) => name.includes('undici')) })
    ${load('ima-open-sdk')}
    const core = state()
    // Controls: the Node entry does load its Node-only packages, and a touch is seen.
    ${load('ima-open-sdk/node')}
    globalThis.Headers
    console.log(JSON.stringify({ core, after: state() }))`

  let stubbed = ''
  beforeAll(() => {
    stubbed = scratchProject(tarball, NODE_ONLY_PACKAGES)
  }, SPAWN_TEST_TIMEOUT_MS)

  it.each([
    ['ESM', ['--input-type=module', '-e', probe((specifier) => `await import('${specifier}')`)]],
    ['CJS', ['--input-type=commonjs', '-e', probe((specifier) => `require('${specifier}')`)]],
  ])('%s: no Node-only package, no undici', (_format, args) => {
    const result = run(process.execPath, args, stubbed)
    expect(result.status, result.output).toBe(0)
    const { core, after } = JSON.parse(result.output.trim()) as { core: Record<string, unknown>; after: { stubs: string[]; touched: string[]; undici: boolean } }
    expect(core).toEqual({ stubs: [], touched: [], undici: false })
    expect(after.stubs).toEqual(expect.arrayContaining(['proper-lockfile', 'write-file-atomic']))
    expect(after.touched).toContain('Headers')
    expect(after.undici).toBe(true)
  }, SPAWN_TEST_TIMEOUT_MS)
})

describe('class names', () => {
  // Every exported class (a function with a prototype whose first letter is a capital) of every entry.
  const probe = (load: (specifier: string) => string) => `
    const nameless = []
    for (const specifier of ['ima-open-sdk', 'ima-open-sdk/node', 'ima-open-sdk/testing', 'ima-open-sdk/chat', 'ima-open-sdk/protocol', 'ima-open-sdk/queue']) {
      const entry = ${load('specifier')}
      for (const [exported, value] of Object.entries(entry)) {
        if (typeof value === 'function' && /^[A-Z]/.test(exported) && value.prototype && value.name !== exported) nameless.push(specifier + ' ' + exported + ' is named "' + value.name + '"')
      }
    }
    console.log(JSON.stringify(nameless))`

  it.each([
    ['ESM', ['--input-type=module', '-e', probe((specifier) => `await import(${specifier})`)]],
    ['CJS', ['--input-type=commonjs', '-e', probe((specifier) => `require(${specifier})`)]],
  ])("%s: each is named as it is exported (Jest's messages, loggers' type, inspect)", (_format, args) => {
    const result = run(process.execPath, args, project)
    expect(result.status, result.output).toBe(0)
    expect(JSON.parse(result.output.trim())).toEqual([])
  }, SPAWN_TEST_TIMEOUT_MS)
})
