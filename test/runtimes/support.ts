/**
 * What the runtime smoke tests share: the bundle of the built main entry, a
 * non-blocking child runner, the input handed to a runtime, and the
 * assertions every runtime's report must pass.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { build, type BuildOptions, type Plugin } from 'esbuild'
import { expect } from 'vitest'
import type { ImaServer } from 'ima-open-sdk/testing'
import { encodePng } from '../../src/testing/png.js'
import { REPORT_MARKER, type SmokeInput, type SmokeReport, type Step } from './fixtures/smoke.js'

const ROOT = resolve(import.meta.dirname, '../..')
/** The built ESM main entry: what a user of the package imports. */
const ENTRY = join(ROOT, 'dist/index.js')
const FIXTURES = join(import.meta.dirname, 'fixtures')

/** Room for a loaded 2-core CI machine; on an idle one each test takes a few seconds. */
export const RUNTIME_TEST_TIMEOUT_MS = 90_000

export function requireDist(): void {
  if (!existsSync(ENTRY)) throw new Error('dist/ is missing: run `npm run build` (npm test does) before these tests')
}

/** The first file that exists; a clear error naming them all when none does. */
export function findBinary(what: string, candidates: string[]): string {
  const found = candidates.map((candidate) => join(ROOT, 'node_modules', candidate)).find((path) => existsSync(path))
  if (!found) throw new Error(`${what} is not installed: looked for ${candidates.map((c) => `node_modules/${c}`).join(', ')}`)
  return found
}

/** The name the programs import the SDK bundle by, next to them in the temp dir. */
const SDK_MODULE = './ima-open-sdk.mjs'

/** Leaves the fixtures' `ima-open-sdk` as an import of the SDK bundle, for the runtime's own module loader. */
const sdkBundleImport: Plugin = {
  name: 'ima-open-sdk-bundle',
  setup(plugins) {
    plugins.onResolve({ filter: /^ima-open-sdk$/ }, () => ({ path: SDK_MODULE, external: true }))
  },
}

/**
 * Writes two ES modules to `outDir`: the built main entry bundled alone
 * (`ima-open-sdk.mjs`, every export kept, as a user's bundler would ship it)
 * and the fixture program importing it. No bare import is left, so no
 * runtime resolves node_modules, writes a lockfile or needs read permission,
 * and the run never depends on how each runtime resolves packages.
 * `platform: 'neutral'` leaves Node built-ins unresolvable: a `node:` import
 * reaching the core fails the build, by name. `conditions` are the export
 * conditions the runtime's own tooling picks (bun / deno / wrangler's list).
 * Returns the program's path.
 */
export async function bundleProgram(fixture: string, outDir: string, conditions: string[]): Promise<string> {
  requireDist()
  const common: BuildOptions = { bundle: true, platform: 'neutral', format: 'esm', target: 'es2022', mainFields: ['module', 'main'], conditions, logLevel: 'silent' }
  await build({ ...common, entryPoints: [ENTRY], outfile: join(outDir, SDK_MODULE) })
  const program = join(outDir, fixture.replace(/\.ts$/, '.mjs'))
  await build({ ...common, entryPoints: [join(FIXTURES, fixture)], outfile: program, plugins: [sdkBundleImport] })
  return program
}

export async function tempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix))
  return { path, remove: () => rm(path, { recursive: true, force: true }) }
}

export interface ChildOutcome {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  durationMs: number
}

/**
 * Runs a program without blocking the event loop — the local server answers
 * the child from this same process — and kills it past `timeoutMs`.
 */
export function runChild(command: string, args: string[], options: { cwd: string; env: Record<string, string>; timeoutMs: number }): Promise<ChildOutcome> {
  const started = performance.now()
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolvePromise({ code, signal, stdout, stderr, durationMs: Math.round(performance.now() - started) })
    })
  })
}

/** The report line of a Bun or Deno run; everything the child printed when there is none. */
export function reportOf(outcome: ChildOutcome): SmokeReport {
  const line = outcome.stdout.split('\n').find((candidate) => candidate.startsWith(REPORT_MARKER))
  if (!line) {
    throw new Error(`the runtime printed no report (exit ${outcome.code}, signal ${outcome.signal})\n--- stdout\n${outcome.stdout}\n--- stderr\n${outcome.stderr}`)
  }
  return JSON.parse(line.slice(REPORT_MARKER.length)) as SmokeReport
}

/** A real PNG with random pixels: its bytes are unique to this run, so the server's upload record identifies it. */
export function smokeInput(server: ImaServer, label: string): { input: SmokeInput; png: Uint8Array } {
  const png = new Uint8Array(encodePng(4, 4, new Uint8Array(randomBytes(4 * 4 * 3))))
  return {
    png,
    input: { baseURL: server.url, uploadBaseURL: server.uploadURL, apiKey: server.apiKey, pngBase64: Buffer.from(png).toString('base64'), label },
  }
}

function describeFailure(name: string, step: Step<unknown>): string {
  if (step.ok) return ''
  const { error } = step
  return `${name} failed in the runtime: ${error.name}: ${error.message}\n${error.stack ?? '(no stack)'}`
}

/** Narrows a step known to have succeeded (the failures were all reported before). */
function expectOk<T>(name: string, step: Step<T>): asserts step is { ok: true } & T {
  if (!step.ok) expect.fail(describeFailure(name, step))
}

function serverTask(server: ImaServer, id: string) {
  const task = server.tasks.find((candidate) => candidate.id === id)
  if (!task) throw new Error(`the server has no task ${id}`)
  return task
}

/**
 * What every runtime must have done, checked against both the report and
 * the server's own records (so a report that merely looks right fails).
 * A failed step shows its error name, message and stack in the diff.
 */
export function expectSmokeReport(report: SmokeReport, server: ImaServer, input: SmokeInput, png: Uint8Array): void {
  const { textToImage, upload, streamUpload, imageToImage, abort } = report
  const resultURL = (taskId: string) => `${server.url}/files/${taskId}/0.png`

  // Every failed step at once, each with the runtime's own error and stack: one broken step must not hide another.
  const failures = Object.entries({ 'create + wait': textToImage, upload, 'stream upload': streamUpload, 'image_to_image create + wait': imageToImage, abort })
    .map(([name, step]) => describeFailure(name, step))
    .filter(Boolean)
  if (failures.length > 0) expect.fail(failures.join('\n\n'))

  // 1. create + wait: the result is the server's file for that very task.
  expectOk('create + wait', textToImage)
  expect(textToImage.taskType).toBe('text_to_image')
  expect(textToImage.resultTaskId).toBe(textToImage.taskId)
  expect(textToImage.url).toBe(resultURL(textToImage.taskId))
  expect(textToImage.urls).toEqual([textToImage.url])
  const created = serverTask(server, textToImage.taskId)
  expect(created).toMatchObject({ taskType: 'text_to_image', modelId: 'gemini-3.1-flash-image' })
  expect(created.prompt).toContain(`(${input.label})`)
  // pending → processing → ready without url → done: the wait really polled to the end.
  expect(created.polls).toBe(4)

  // 2. upload: the server stored exactly these bytes, under the URL the runtime got back.
  expectOk('upload', upload)
  expect(upload).toMatchObject({ contentType: 'image/png', bytes: png.byteLength })
  const stored = server.uploads.find((candidate) => candidate.fdl === upload.url)
  expect(stored, `no upload on the server at ${upload.url}`).toBeDefined()
  expect(stored!.bytes).toEqual(png)
  expect(stored!.contentType).toBe('image/png')

  // The same bytes streamed: stored whole, under a URL of their own.
  expectOk('stream upload', streamUpload)
  const streamed = server.uploads.find((candidate) => candidate.fdl === streamUpload.url)
  expect(streamed, `no upload on the server at ${streamUpload.url}`).toBeDefined()
  expect(streamed!.bytes).toEqual(png)

  // …and the first URL is the input image of an image_to_image create.
  expectOk('image_to_image create + wait', imageToImage)
  expect(imageToImage).toMatchObject({ taskType: 'image_to_image', srcImgUrl: [upload.url] })
  expect(imageToImage.resultTaskId).toBe(imageToImage.taskId)
  expect(imageToImage.url).toBe(resultURL(imageToImage.taskId))
  expect(serverTask(server, imageToImage.taskId)).toMatchObject({ taskType: 'image_to_image', inputImages: [upload.url] })

  // 3. abort: the SDK's own AbortError, long before the 60 s poll interval or the 20 s deadline could end the wait.
  expectOk('abort', abort)
  expect(abort).toMatchObject({ name: 'AbortError', isImaAbortError: true })
  expect(abort.latencyMs).toBeLessThan(10_000)
}
