import { afterEach, describe, expect, it, vi } from 'vitest'
import { ImaClient, ImaConfigError } from 'ima-open-sdk'

describe('browser guard', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('refuses a web page unless dangerouslyAllowBrowser is set', () => {
    vi.stubGlobal('window', {})
    vi.stubGlobal('document', {})
    vi.stubGlobal('process', { env: {}, versions: {} })
    expect(() => new ImaClient({ apiKey: 'ima_browser_key' })).toThrow(ImaConfigError)
    expect(() => new ImaClient({ apiKey: 'ima_browser_key' })).toThrow(/dangerouslyAllowBrowser/)
    expect(() => new ImaClient({ apiKey: 'ima_browser_key', dangerouslyAllowBrowser: true })).not.toThrow()
  })

  it("refuses a browser's Web or Service Worker (importScripts, no DOM) the same way", () => {
    vi.stubGlobal('importScripts', () => {})
    vi.stubGlobal('process', undefined)
    expect(() => new ImaClient({ apiKey: 'ima_worker_key' })).toThrow(/refuses to run in a browser \(a page or its workers\)/)
    expect(() => new ImaClient({ apiKey: 'ima_worker_key', dangerouslyAllowBrowser: true })).not.toThrow()
  })

  it('allows Node, workers and other runtimes without a DOM', () => {
    expect(() => new ImaClient({ apiKey: 'ima_node_key' })).not.toThrow()
  })
})
