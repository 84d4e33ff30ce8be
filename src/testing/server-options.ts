/** Options of the local IMA server and their defaults. */
import { TASK_CATEGORIES, type ServerProductNode, type TaskCategory } from './catalog.js'
import { checkFaultRule, type FaultRule } from './faults.js'
import { resolveCatalogDrifts, resolveRequiredRuleAttributes } from './catalog-drift.js'
import type { CatalogDrift, RuleAttributeValue } from './catalog-drift.js'

/** The API key a default local server accepts; it is not a real key and unlocks nothing elsewhere. */
export const DEFAULT_TEST_API_KEY = 'ima_local_test_key'

/** How a task advances: with wall-clock time, or one phase per detail request (deterministic tests). */
export type TaskProgression = 'time' | 'polls'

/** Options of {@link startImaServer}; every field is optional. */
export interface ImaServerOptions {
  /** Port to listen on; default 0 picks a free one, so parallel test files never collide. */
  port?: number
  /** Interface to bind; default '127.0.0.1' so the server is never reachable from the network. */
  host?: string
  /** Accepted API keys and their starting balances in points; default `{ [DEFAULT_TEST_API_KEY]: 100_000 }`. */
  apiKeys?: Record<string, number>
  /** Milliseconds from create to a finished task when `progression` is 'time'; default 3000. */
  taskDurationMs?: number
  /** 'time' (default) follows the clock; 'polls' advances a task one phase per detail request. */
  progression?: TaskProgression
  /** Replaces a category's product tree, e.g. to test a client against a changed catalog. */
  catalog?: Partial<Record<TaskCategory, ServerProductNode[]>>
  /** Longest side of the served PNGs, default 1024: 4K results would be slow to draw and download. */
  maxImageSide?: number
  /** Allowed clock skew of an upload-token `timestamp`, default 300 seconds. */
  uploadTimestampWindowSeconds?: number
  /** Faults to inject from the start (also restored by `reset()`); more with `server.injectFault()`. */
  faults?: FaultRule[]
  /**
   * Serve https, like the service: a certificate made at start-up (see
   * `server.ca` for the file to trust), and every URL handed out is https.
   * Default false: plain http on loopback.
   */
  tls?: boolean
  /**
   * Answer browsers' CORS checks, for a web app (or its browser tests) that
   * calls this server from a page or a worker: every answer allows any
   * origin, and a preflight (`OPTIONS` with `Access-Control-Request-Method`)
   * is answered 204 with the method and headers it asks for. Preflights are
   * not recorded in `server.requests`. Default false: a browser's call is
   * refused by the browser, which the page sees only as "Failed to fetch".
   *
   * @example
   * ```ts
   * const server = await startImaServer({ cors: true })
   * ```
   */
  cors?: boolean
  /**
   * Refuse what the service accepts leniently: each case that would be a
   * warning in `server.warnings` (an ignored `aspect_ratio`, a size in
   * another case, an `x_app_language` other than en/zh) is answered 400
   * instead, so a test catches a client that sends non-canonical requests.
   * Default false: lenient like the service.
   *
   * @example
   * ```ts
   * const server = await startImaServer({ strict: true })
   * ```
   */
  strict?: boolean
  /**
   * Make the product list move by itself, like the live one: after N accepted
   * creates the rules get new attribute ids (a client with a cached list then
   * gets 6010), new points (6006) or a new required attribute (6009). One
   * change or several, each applied once; `reset()` restores the list.
   * Default none.
   *
   * @example
   * ```ts
   * const server = await startImaServer({ catalogDrift: { afterCreates: 1, change: 'attributeIds' } })
   * ```
   */
  catalogDrift?: CatalogDrift | CatalogDrift[]
  /**
   * Rule attributes that every credit rule of these models requires from the
   * start, by model id, added to the rules only (not to the form). A create
   * without them gets 6009 "no credit rule matches the parameters (missing …)",
   * as the service answers; a client that copies the chosen rule's attributes
   * into the body (protocol §2) passes. Default none.
   *
   * @example
   * ```ts
   * const server = await startImaServer({ requireRuleAttributes: { 'gemini-3-pro-image': { quality: 'hd' } } })
   * ```
   */
  requireRuleAttributes?: Record<string, Record<string, RuleAttributeValue>>
  /**
   * Sizes the backend cannot make, by model id (compared case-insensitively):
   * a create at that size that passed every other check is answered with
   * `rejectSizeStatus` and nothing is created or charged. Default none.
   *
   * @example
   * ```ts
   * const server = await startImaServer({ rejectSizes: { 'gemini-3-pro-image': ['4K'] } })
   * ```
   */
  rejectSizes?: Record<string, string[]>
  /**
   * The answer to a size in `rejectSizes`: 500 (default), as the backend
   * gives it and the reference client steps the size down after it; or 400
   * with a message that names the size, the refusal this SDK's opt-in
   * `fallback.size` steps down after (it never re-sends after a 500).
   */
  rejectSizeStatus?: 400 | 500
}

/** The options with every default applied. */
export interface ResolvedServerOptions {
  port: number
  host: string
  apiKeys: Record<string, number>
  taskDurationMs: number
  progression: TaskProgression
  catalog: Partial<Record<TaskCategory, ServerProductNode[]>>
  maxImageSide: number
  uploadTimestampWindowSeconds: number
  faults: FaultRule[]
  tls: boolean
  cors: boolean
  strict: boolean
  /** Ordered by `afterCreates`. */
  catalogDrift: CatalogDrift[]
  requireRuleAttributes: Record<string, Record<string, RuleAttributeValue>>
  rejectSizes: Record<string, string[]>
  rejectSizeStatus: 400 | 500
}

function positiveNumber(name: string, value: number | undefined, fallback: number, allowZero: boolean): number {
  if (value === undefined) return fallback
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new RangeError(`ImaServerOptions.${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${value}`)
  }
  return value
}

/** A custom catalog: a category the server has not (a typo) would be ignored and the test would run on the default tree. */
function checkCatalog(catalog: ImaServerOptions['catalog']): Partial<Record<TaskCategory, ServerProductNode[]>> {
  if (catalog === undefined) return {}
  if (typeof catalog !== 'object' || catalog === null || Array.isArray(catalog)) {
    throw new TypeError(`ImaServerOptions.catalog must be an object of product trees by category, e.g. { text_to_image: [ … ] }`)
  }
  for (const [category, tree] of Object.entries(catalog)) {
    if (!(TASK_CATEGORIES as readonly string[]).includes(category)) {
      throw new TypeError(`ImaServerOptions.catalog: ${JSON.stringify(category)} is not a category; the categories are ${TASK_CATEGORIES.join(', ')}`)
    }
    if (!Array.isArray(tree)) throw new TypeError(`ImaServerOptions.catalog.${category} must be an array of product nodes (the list's data), got ${tree === null ? 'null' : typeof tree}`)
  }
  return catalog
}

/** Applies defaults and rejects nonsense early, so a bad option fails at start rather than mid-test. */
export function resolveServerOptions(options: ImaServerOptions = {}): ResolvedServerOptions {
  const apiKeys = { ...(options.apiKeys ?? { [DEFAULT_TEST_API_KEY]: 100_000 }) }
  if (Object.keys(apiKeys).length === 0) throw new RangeError('ImaServerOptions.apiKeys needs at least one key')
  for (const [key, points] of Object.entries(apiKeys)) {
    if (key === '') throw new RangeError('ImaServerOptions.apiKeys: an API key cannot be empty')
    positiveNumber(`apiKeys[${JSON.stringify(key)}]`, points, 0, true)
  }
  const progression = options.progression ?? 'time'
  if (progression !== 'time' && progression !== 'polls') {
    throw new RangeError(`ImaServerOptions.progression must be 'time' or 'polls', got ${String(progression)}`)
  }
  if (options.tls !== undefined && typeof options.tls !== 'boolean') {
    throw new TypeError(`ImaServerOptions.tls must be true or false, got ${String(options.tls)}`)
  }
  if (options.cors !== undefined && typeof options.cors !== 'boolean') {
    throw new TypeError(`ImaServerOptions.cors must be true or false, got ${String(options.cors)}`)
  }
  return {
    port: positiveNumber('port', options.port, 0, true),
    // `[::1]` is how a URL writes the address; listen() takes it bare.
    host: (options.host ?? '127.0.0.1').replace(/^\[(.*)\]$/, '$1'),
    apiKeys,
    taskDurationMs: positiveNumber('taskDurationMs', options.taskDurationMs, 3000, true),
    progression,
    catalog: checkCatalog(options.catalog),
    maxImageSide: Math.floor(positiveNumber('maxImageSide', options.maxImageSide, 1024, false)) || 1,
    uploadTimestampWindowSeconds: positiveNumber('uploadTimestampWindowSeconds', options.uploadTimestampWindowSeconds, 300, true),
    faults: (options.faults ?? []).map((rule) => checkFaultRule(rule, 'ImaServerOptions.faults')),
    tls: options.tls ?? false,
    cors: options.cors ?? false,
    ...resolveAnswerOptions(options),
  }
}

/** The options of how the server answers: leniency and the recoverable answers (see docs/testing.md). */
function resolveAnswerOptions(options: ImaServerOptions): Pick<ResolvedServerOptions, 'strict' | 'catalogDrift' | 'requireRuleAttributes' | 'rejectSizes' | 'rejectSizeStatus'> {
  if (options.strict !== undefined && typeof options.strict !== 'boolean') {
    throw new TypeError(`ImaServerOptions.strict must be true or false, got ${String(options.strict)}`)
  }
  const rejectSizeStatus = options.rejectSizeStatus ?? 500
  if (rejectSizeStatus !== 400 && rejectSizeStatus !== 500) {
    throw new RangeError(`ImaServerOptions.rejectSizeStatus must be 400 or 500, got ${String(rejectSizeStatus)}`)
  }
  const rejectSizes: Record<string, string[]> = {}
  for (const [modelId, sizes] of Object.entries(options.rejectSizes ?? {})) {
    if (!Array.isArray(sizes) || sizes.some((size) => typeof size !== 'string')) {
      throw new TypeError(`ImaServerOptions.rejectSizes[${JSON.stringify(modelId)}] must be an array of sizes, e.g. ['4K']`)
    }
    rejectSizes[modelId] = [...sizes]
  }
  return {
    strict: options.strict ?? false,
    catalogDrift: resolveCatalogDrifts(options.catalogDrift),
    requireRuleAttributes: resolveRequiredRuleAttributes(options.requireRuleAttributes),
    rejectSizes,
    rejectSizeStatus,
  }
}
