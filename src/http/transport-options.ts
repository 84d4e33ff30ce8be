import type { ImaLogger } from '../logger.js'
import { noopLogger, redactingLogger } from '../logger.js'
import { ImaConfigError } from '../errors.js'
import { redactSecrets } from '../internal/redact.js'
import { checkServiceURL } from '../protocol/urls.js'

/** Language of product labels and user-facing texts. @public */
export type ImaLanguage = 'en' | 'zh'

/**
 * The transport options of `new ImaClient(options)`: key, hosts, time limits,
 * retries, fetch, logger, limits. The client's own options (stores, scope,
 * `logPrompts`) extend these in `ImaClientOptions`.
 * @public
 */
export interface CoreOptions {
  /** The API key (`ima_…`). @defaultValue `process.env.IMA_API_KEY` */
  apiKey?: string | undefined
  /** The API host. @defaultValue `process.env.IMA_BASE_URL` ?? `https://api.imastudio.com` */
  baseURL?: string | undefined
  /** The upload host. @defaultValue `process.env.IMA_IM_BASE_URL` ?? `https://imapi.liveme.com` */
  uploadBaseURL?: string | undefined
  /** Language of product labels (`x_app_language`). @defaultValue `'en'` */
  language?: ImaLanguage | undefined
  /** Time limit of each HTTP request, in ms. @defaultValue `30000` */
  timeout?: number | undefined
  /** Retries of a failed request (creates only when safe). @defaultValue `2` */
  maxRetries?: number | undefined
  /** The fetch to use (for proxies, tests, other runtimes). @defaultValue `globalThis.fetch` */
  fetch?: typeof globalThis.fetch | undefined
  /**
   * Where to write log lines: one per request, retry, upload and task status
   * change, with the task id, model, timing and outcome. `consoleLogger()`,
   * `pinoLogger(pino)`, `new FileLogStore()` (`ima-open-sdk/node`) or your
   * own `{ debug, info, warn, error }`. Every line is redacted first: never
   * the API key, a Bearer token or anything like `ima_…`.
   * @defaultValue a logger that writes nothing
   */
  logger?: ImaLogger | undefined
  /**
   * Write prompts into log lines (the `prompt` field of `ima task created`).
   * Off by default: prompts are the user's content.
   * @defaultValue `false`
   */
  logPrompts?: boolean | undefined
  /** Most points this client may spend in all (credit × n of every accepted create). @defaultValue no limit */
  maxCredits?: number | undefined
  /** How long a product list is reused, in ms; 0 fetches it for every call. @defaultValue 300000 */
  productCacheTtlMs?: number | undefined
  /**
   * Allow the client in a browser. Off by default: a key in a web page is a
   * key anyone can read and spend. Use a server-side proxy instead, or set
   * this for a trusted, private setting only. @defaultValue false
   */
  dangerouslyAllowBrowser?: boolean | undefined
  /**
   * How the upload token is asked for: `'POST'` sends the 11 signed fields
   * form-encoded (the newer client); `'GET'` sends them as query parameters,
   * for upload hosts that only know the older form.
   * @defaultValue `'POST'`
   */
  uploadTokenMethod?: 'POST' | 'GET' | undefined
  /**
   * Largest image `ima.uploads.put()` sends, in bytes. A source whose size is
   * known (bytes, Blob, file) is refused before any request; a stream is
   * counted as it is sent and the upload aborted once it passes the limit.
   * @defaultValue `20 * 1024 * 1024` (20 MiB)
   */
  maxUploadBytes?: number | undefined
  /**
   * Remember uploads so identical input is not uploaded twice by this client:
   * bytes and Blobs by their SHA-256, files (Node client) by absolute path,
   * size and modification time; streams are never cached. At most 256
   * entries, least recently used first out. `false` turns it off.
   * @defaultValue `true`
   */
  uploadCache?: boolean | undefined
  /**
   * Largest answer body read from the service, in bytes, counted after
   * decompression (so a small gzip "bomb" is stopped too). A larger answer
   * fails with `ResponseTooLargeError` and is never retried. Real answers are
   * a few KiB; the product list is the largest.
   * @defaultValue `4 * 1024 * 1024` (4 MiB)
   */
  maxResponseBytes?: number | undefined
}

/** The defaults the protocol gives. */
export const DEFAULT_BASE_URL = 'https://api.imastudio.com'
/** The default upload host. */
export const DEFAULT_UPLOAD_BASE_URL = 'https://imapi.liveme.com'
/** Default per-request time limit, in ms. */
export const DEFAULT_TIMEOUT_MS = 30_000
/** Default retries. */
export const DEFAULT_MAX_RETRIES = 2
/** Default largest upload, in bytes (20 MiB). */
export const DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
/** Default lifetime of a cached product list, in ms. */
export const DEFAULT_PRODUCT_CACHE_TTL_MS = 300_000
/** Default largest answer body read, in bytes (4 MiB). */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024

/** The transport options after defaults, checked: what the HTTP layer and the resources read. */
export interface ResolvedConfig {
  apiKey: string | undefined
  baseURL: string
  uploadBaseURL: string
  language: ImaLanguage
  timeout: number
  maxRetries: number
  fetch: typeof globalThis.fetch
  logger: ImaLogger
  logPrompts: boolean
  maxCredits: number | undefined
  productCacheTtlMs: number
  uploadTokenMethod: 'POST' | 'GET'
  maxUploadBytes: number
  uploadCache: boolean
  maxResponseBytes: number
}

/** Reads an environment variable where there is one (Node, Bun, Deno with env access); never throws. */
export function readEnv(name: string): string | undefined {
  try {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
    const value = env?.[name]?.trim()
    return value ? value : undefined
  } catch {
    // Deno without --allow-env throws on access.
    return undefined
  }
}

// Option values are quoted redacted: a key pasted into the wrong option must not be printed whole.
function checkBaseURL(name: string, value: string, secrets: readonly (string | undefined)[]): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ImaConfigError(`Expected ${name} to be an absolute URL like https://api.imastudio.com, got "${redactSecrets(value, secrets)}"`)
  }
  if (!checkServiceURL(url).ok) {
    throw new ImaConfigError(
      `Expected ${name} to use https with no user name or password in it (plain http is allowed only on loopback, for the local server), got "${redactSecrets(url.origin, secrets)}"`,
    )
  }
  return url.href.replace(/\/+$/, '')
}

function checkNumber(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new ImaConfigError(`Expected ${name} to be a finite number ≥ ${min}, got ${String(value)}`)
  }
  return value
}

/**
 * Whether this looks like a web page or a browser's Web or Service Worker (a DOM, or `importScripts`,
 * and no Node), where a secret key would be exposed. Server runtimes (Node, Bun, Deno, workerd) have neither.
 */
export function isBrowserLike(): boolean {
  const scope = globalThis as { window?: unknown; document?: unknown; importScripts?: unknown; process?: { versions?: { node?: string } } }
  if (scope.process?.versions?.node) return false
  return (typeof scope.window !== 'undefined' && typeof scope.document !== 'undefined') || typeof scope.importScripts === 'function'
}

/** Applies defaults and environment variables, and checks every option. */
export function resolveConfig(options: CoreOptions = {}): ResolvedConfig {
  if (isBrowserLike() && !options.dangerouslyAllowBrowser) {
    throw new ImaConfigError(
      'ImaClient refuses to run in a browser (a page or its workers): the API key would be readable by anyone using the page. Call IMA from your server, or pass dangerouslyAllowBrowser: true if you understand the risk',
    )
  }
  if (options.apiKey !== undefined && typeof options.apiKey !== 'string') {
    throw new ImaConfigError('Expected apiKey to be a string')
  }
  const apiKey = options.apiKey?.trim() || readEnv('IMA_API_KEY')
  const secrets = [apiKey]
  const language = options.language ?? 'en'
  if (language !== 'en' && language !== 'zh') {
    throw new ImaConfigError(`Expected language to be 'en' or 'zh', got ${redactSecrets(JSON.stringify(language), secrets)}`)
  }
  const fetchImpl = options.fetch ?? globalThis.fetch
  if (typeof fetchImpl !== 'function') {
    throw new ImaConfigError('No fetch is available in this runtime: pass `fetch` to new ImaClient()')
  }
  const uploadTokenMethod = options.uploadTokenMethod ?? 'POST'
  if (uploadTokenMethod !== 'POST' && uploadTokenMethod !== 'GET') {
    throw new ImaConfigError(`Expected uploadTokenMethod to be 'POST' or 'GET', got ${redactSecrets(JSON.stringify(uploadTokenMethod), secrets)}`)
  }
  if (options.uploadCache !== undefined && typeof options.uploadCache !== 'boolean') {
    throw new ImaConfigError('Expected uploadCache to be true or false')
  }
  if (options.logPrompts !== undefined && typeof options.logPrompts !== 'boolean') {
    throw new ImaConfigError('Expected logPrompts to be true or false')
  }
  return {
    apiKey,
    baseURL: checkBaseURL('baseURL', options.baseURL ?? readEnv('IMA_BASE_URL') ?? DEFAULT_BASE_URL, secrets),
    uploadBaseURL: checkBaseURL('uploadBaseURL', options.uploadBaseURL ?? readEnv('IMA_IM_BASE_URL') ?? DEFAULT_UPLOAD_BASE_URL, secrets),
    language,
    timeout: checkNumber('timeout', options.timeout, DEFAULT_TIMEOUT_MS, 1),
    maxRetries: Math.floor(checkNumber('maxRetries', options.maxRetries, DEFAULT_MAX_RETRIES, 0)),
    // Called as a plain function whoever calls it: workerd's fetch throws "Illegal invocation" when `this` is the config.
    fetch: (input, init) => fetchImpl(input, init),
    // Redaction in one place: whatever logger is configured only ever sees redacted lines.
    logger: redactingLogger(options.logger ?? noopLogger, { secrets: [apiKey], logPrompts: options.logPrompts ?? false }),
    logPrompts: options.logPrompts ?? false,
    maxCredits: options.maxCredits === undefined ? undefined : checkNumber('maxCredits', options.maxCredits, 0, 0),
    productCacheTtlMs: checkNumber('productCacheTtlMs', options.productCacheTtlMs, DEFAULT_PRODUCT_CACHE_TTL_MS, 0),
    uploadTokenMethod,
    maxUploadBytes: Math.floor(checkNumber('maxUploadBytes', options.maxUploadBytes, DEFAULT_MAX_UPLOAD_BYTES, 1)),
    uploadCache: options.uploadCache ?? true,
    maxResponseBytes: Math.floor(checkNumber('maxResponseBytes', options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES, 1)),
  }
}
