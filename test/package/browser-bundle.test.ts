/**
 * The main entry in a browser-like runtime: bundled by esbuild for
 * `platform: 'browser'`, checked for Node built-ins, then run in a VM context
 * that has only web globals (no `process`, no `require`, no Node modules)
 * and used against the local server.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { runInContext, createContext } from 'node:vm'
import { webcrypto } from 'node:crypto'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startImaServer, type ImaServer } from 'ima-open-sdk/testing'

const ENTRY = resolve(import.meta.dirname, '../../dist/index.js')
let bundle = ''
let server: ImaServer

beforeAll(async () => {
  if (!existsSync(ENTRY)) throw new Error('dist/ is missing: run `npm run build` (npm test does) before these tests')
  const output = await build({ entryPoints: [ENTRY], bundle: true, platform: 'browser', format: 'iife', globalName: 'ImaSdk', write: false, logLevel: 'silent' })
  bundle = output.outputFiles[0]?.text ?? ''
  server = await startImaServer()
})

afterAll(async () => {
  await server?.close()
})

/** A context with the web platform's globals only. */
function browserLikeContext() {
  const context = createContext({
    window: {},
    document: {},
    fetch,
    Headers,
    Request,
    Response,
    URL,
    URLSearchParams,
    AbortController,
    AbortSignal,
    TextEncoder,
    TextDecoder,
    ReadableStream,
    Blob,
    EventTarget,
    Event,
    DOMException,
    crypto: webcrypto,
    setTimeout,
    clearTimeout,
    queueMicrotask,
    structuredClone,
    console,
  })
  runInContext(bundle, context)
  return context
}

describe('the main entry in a browser', () => {
  it('bundles with no Node built-in left', () => {
    expect(bundle.length).toBeGreaterThan(1000)
    expect(bundle).not.toMatch(/["']node:[a-z_/]+["']/)
    expect(bundle).not.toMatch(/require\(["'](fs|path|os|crypto|http|https|stream|child_process|events|util)["']\)/)
  })

  it('makes a request without Node globals, once the risk is acknowledged', async () => {
    const context = browserLikeContext()
    context.apiKey = server.apiKey
    context.baseURL = server.url
    const names = await runInContext(
      `(async () => {
        const ima = new ImaSdk.ImaClient({ apiKey, baseURL, dangerouslyAllowBrowser: true })
        const versions = await ima.products.versions('text_to_image')
        return versions.map((leaf) => leaf.model_id)
      })()`,
      context,
    )
    expect(names).toContain('gemini-3-pro-image')
    const refused = runInContext(`(() => { try { new ImaSdk.ImaClient({ apiKey }) } catch (error) { return error.name } })()`, context)
    expect(refused).toBe('ImaConfigError')
  })
})
