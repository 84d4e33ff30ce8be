import { FULL_CATALOG_SCOPE, scopeFromModels, type ModelScope } from './catalog/scopes.js'
import { readEnv, resolveConfig, type CoreOptions } from './http/transport-options.js'
import type { ClientConfig } from './resources/context.js'
import { ImaConfigError } from './errors.js'
import { unknownNamesSentence } from './internal/did-you-mean.js'
import { redactSecrets } from './internal/redact.js'
import { MemoryBudgetStore, MemoryLeaseStore, type BudgetLimit, type BudgetStore, type LeaseStore } from './stores/budget-store.js'
import { MemoryPreferenceStore, type PreferenceStore } from './stores/preferences.js'
import { MemoryTaskJournal, type TaskJournal } from './stores/task-journal.js'

/**
 * Options of `new ImaClient(options)`. Every option has a default; only the
 * API key is required, and only when the first request is made.
 *
 * @example
 * ```ts
 * import { ImaClient, NANO_BANANA_SCOPE } from 'ima-open-sdk'
 * const ima = new ImaClient({ apiKey: process.env.IMA_API_KEY, models: NANO_BANANA_SCOPE, maxCredits: 200 })
 * ```
 * @public
 */
export interface ImaClientOptions extends CoreOptions {
  /** Where `generate({ userId })` remembers each user's model. @defaultValue a fresh `MemoryPreferenceStore` */
  preferences?: PreferenceStore | undefined
  /**
   * Where every create is journaled — an intent before it is sent, then the
   * task id or "outcome unknown", then the result — so that every task that
   * may have been charged can be found again (`ima.tasks.recent()`) and
   * resumed after a crash (`ima.tasks.resume()`). `FileTaskJournal`
   * (`ima-open-sdk/node`) or `UnstorageTaskJournal` survive a restart and can
   * be shared between processes. Prompts are kept only with `logPrompts: true`.
   * @defaultValue a fresh `MemoryTaskJournal`
   */
  journal?: TaskJournal | undefined
  /**
   * Which models this client may use: a list of model ids, or a ready scope
   * (`NANO_BANANA_SCOPE`, `FULL_CATALOG_SCOPE`). A model outside it is
   * refused before any request. @defaultValue `FULL_CATALOG_SCOPE` (any model; SeeDream 4.5 by default)
   */
  models?: readonly string[] | ModelScope | undefined
  /**
   * Poll every wait of this client at this fixed interval, in ms, from the
   * start, instead of following each model's estimate — what the local
   * server's `clientOptions` sets, since its tasks finish in seconds. A
   * wait's own `intervalMs` wins. Against the service, leave it unset: the
   * model's schedule finds results about as soon as fixed 5 s polling with
   * fewer requests.
   * @defaultValue `process.env.IMA_POLL_INTERVAL_MS`, else the model's schedule
   * @example
   * ```ts
   * const ima = new ImaClient({ apiKey: 'ima_test', baseURL: 'http://127.0.0.1:8787', pollIntervalMs: 250 })
   * ```
   */
  pollIntervalMs?: number | undefined
  /**
   * Where `maxCredits` and `budgets` are counted. Give several clients the
   * same store — `RedisBudgetStore` (`ima-open-sdk/queue`) across
   * processes — and they share one ceiling: `maxCredits` is the counter
   * `app` of the store. Reservations are atomic; a create whose outcome is
   * unknown stays counted.
   * @defaultValue a `MemoryBudgetStore` of this client's own
   * @example
   * ```ts
   * const ima = new ImaClient({ maxCredits: 500, budgetStore: new RedisBudgetStore({ redis }) })
   * ```
   */
  budgetStore?: BudgetStore | undefined
  /**
   * More ceilings than `maxCredits`: per user (the create's `userId`) or
   * per chat (`chatId`), over a day, a month or in all. A create must fit
   * every one that applies; it is refused before anything is sent, with a
   * cheaper choice that fits.
   * @example
   * ```ts
   * const ima = new ImaClient({ budgets: [{ name: 'user', maxCredits: 200, window: 'month', per: 'user' }] })
   * ```
   */
  budgets?: readonly BudgetLimit[] | undefined
  /**
   * At most this many creates in flight at once (from sending a create to
   * its answer) — across every client sharing `leaseStore`. A create waits
   * for a free slot; its signal aborts the wait.
   * @defaultValue no limit
   */
  maxCreatesInFlight?: number | undefined
  /**
   * Where the create slots of `maxCreatesInFlight` are held: `RedisLeaseStore`
   * (`ima-open-sdk/queue`) shares them across processes. A slot held by a
   * process that died frees itself after `createLeaseMs`.
   * @defaultValue a `MemoryLeaseStore` of this client's own
   */
  leaseStore?: LeaseStore | undefined
  /** How long a create slot is held at most, in ms: past it, another create may take it. @defaultValue 300000 */
  createLeaseMs?: number | undefined
}

/** A create slot's longest life by default: past a create's every retry. */
const DEFAULT_CREATE_LEASE_MS = 300_000

/** Every option `new ImaClient()` takes; `satisfies` makes the compiler hold the list to the interface, neither missing nor extra. */
export const CLIENT_OPTION_NAMES = Object.keys({
  apiKey: true,
  baseURL: true,
  uploadBaseURL: true,
  language: true,
  timeout: true,
  maxRetries: true,
  fetch: true,
  logger: true,
  logPrompts: true,
  maxCredits: true,
  productCacheTtlMs: true,
  dangerouslyAllowBrowser: true,
  uploadTokenMethod: true,
  maxUploadBytes: true,
  uploadCache: true,
  maxResponseBytes: true,
  preferences: true,
  journal: true,
  models: true,
  pollIntervalMs: true,
  budgetStore: true,
  budgets: true,
  maxCreatesInFlight: true,
  leaseStore: true,
  createLeaseMs: true,
} satisfies Record<keyof ImaClientOptions, true>)

/**
 * Refuses an option the client does not take. Left alone, a typo would be
 * dropped without a word: `maxCredit: 100` would leave the client without
 * a budget, and spend past it.
 */
function refuseUnknownOptions(options: object): void {
  const refusal = unknownNamesSentence(options, CLIENT_OPTION_NAMES, 'ImaClient option', 'options')
  // Names are the caller's own text, but redacted all the same: nothing an error prints may hold a key.
  if (refusal) throw new ImaConfigError(redactSecrets(refusal, [(options as ImaClientOptions).apiKey]))
}

/** Applies defaults and environment variables, and checks every option. */
export function resolveClientConfig(options: ImaClientOptions = {}): ClientConfig {
  if (typeof options === 'object' && options !== null) refuseUnknownOptions(options)
  return {
    ...resolveConfig(options),
    preferences: checkStore(options.preferences, 'preferences', ['get', 'set', 'delete', 'list'], 'new MemoryPreferenceStore() or new FilePreferenceStore()', () => new MemoryPreferenceStore()),
    journal: checkStore(options.journal, 'journal', ['put', 'get', 'list'], 'new MemoryTaskJournal() or new FileTaskJournal()', () => new MemoryTaskJournal()),
    scope: resolveScope(options.models),
    pollIntervalMs: resolvePollInterval(options.pollIntervalMs),
    budgetStore: checkStore(options.budgetStore, 'budgetStore', ['reserve', 'settle', 'remaining'], 'new MemoryBudgetStore() or new RedisBudgetStore({ redis })', () => new MemoryBudgetStore()),
    budgetLimits: resolveBudgetLimits(options.maxCredits, options.budgets),
    createSlots: resolveCreateSlots(options),
  }
}

/** `maxCredits` as the limit `app`, then `budgets`, each checked. */
function resolveBudgetLimits(maxCredits: number | undefined, budgets: readonly BudgetLimit[] | undefined): BudgetLimit[] {
  const limits: BudgetLimit[] = maxCredits === undefined ? [] : [{ name: 'app', maxCredits }]
  if (budgets !== undefined && !Array.isArray(budgets)) throw new ImaConfigError("Expected budgets to be an array of limits, e.g. [{ name: 'user', maxCredits: 100, per: 'user', window: 'day' }]")
  for (const [index, limit] of (budgets ?? []).entries()) {
    const where = `budgets[${index}]`
    if (typeof limit !== 'object' || limit === null || typeof limit.name !== 'string' || !/^[\w.-]+$/.test(limit.name)) {
      throw new ImaConfigError(`Expected ${where}.name to be a word (letters, digits, . _ -), e.g. 'user' — it is part of the counter's key`)
    }
    // One counter per name: two limits of one name would count each create twice.
    if (limits.some((other) => other.name === limit.name)) {
      throw new ImaConfigError(
        `${where}.name ${limit.name} is taken${limit.name === 'app' && maxCredits !== undefined ? ' by maxCredits (its budget is named app)' : ' by another budget'}: each budget has a counter of its own, keyed by its name — give it another name`,
      )
    }
    if (typeof limit.maxCredits !== 'number' || !Number.isFinite(limit.maxCredits) || limit.maxCredits < 0) {
      throw new ImaConfigError(`Expected ${where}.maxCredits to be a finite number of points ≥ 0`)
    }
    if (limit.window !== undefined && !['total', 'day', 'month'].includes(limit.window)) throw new ImaConfigError(`Expected ${where}.window to be 'total', 'day' or 'month'`)
    if (limit.per !== undefined && limit.per !== 'user' && limit.per !== 'chat') throw new ImaConfigError(`Expected ${where}.per to be 'user' or 'chat'`)
    limits.push(limit)
  }
  return limits
}

function resolveCreateSlots(options: ImaClientOptions): ClientConfig['createSlots'] {
  const { maxCreatesInFlight: limit, createLeaseMs: leaseMs = DEFAULT_CREATE_LEASE_MS } = options
  if (limit === undefined) return undefined
  if (!Number.isInteger(limit) || limit < 1) throw new ImaConfigError(`Expected maxCreatesInFlight to be a whole number ≥ 1, got ${String(limit)}`)
  if (typeof leaseMs !== 'number' || !Number.isFinite(leaseMs) || leaseMs < 1) throw new ImaConfigError(`Expected createLeaseMs to be a finite number of ms ≥ 1, got ${String(leaseMs)}`)
  return { limit, leaseMs, store: checkStore(options.leaseStore, 'leaseStore', ['acquire', 'release'], 'new MemoryLeaseStore() or new RedisLeaseStore({ redis })', () => new MemoryLeaseStore()) }
}

/** The option, else the environment variable (read like `IMA_BASE_URL`), checked: a finite number of ms ≥ 1, or undefined. */
function resolvePollInterval(option: number | undefined): number | undefined {
  if (option !== undefined) {
    if (typeof option !== 'number' || !Number.isFinite(option) || option < 1) {
      throw new ImaConfigError(`Expected pollIntervalMs to be a finite number of milliseconds ≥ 1, got ${typeof option === 'number' ? String(option) : `a ${typeof option}`} — or leave it unset to follow each model's schedule`)
    }
    return option
  }
  const fromEnv = readEnv('IMA_POLL_INTERVAL_MS')
  if (fromEnv === undefined) return undefined
  const value = Number(fromEnv)
  if (!Number.isFinite(value) || value < 1) {
    // The raw text is not quoted: a key pasted into the wrong variable must not be printed.
    throw new ImaConfigError(
      'Expected pollIntervalMs (from IMA_POLL_INTERVAL_MS) to be a finite number of milliseconds ≥ 1 — fix the variable, or unset it to follow each model\'s schedule',
    )
  }
  return value
}

function resolveScope(models: ImaClientOptions['models']): ModelScope {
  if (models === undefined) return FULL_CATALOG_SCOPE
  if (Array.isArray(models)) {
    if (models.length === 0 || models.some((id) => typeof id !== 'string' || id.trim() === '')) {
      throw new ImaConfigError('Expected models to be a non-empty list of model ids, e.g. ["gemini-3.1-flash-image", "gemini-3-pro-image"]')
    }
    return scopeFromModels(models)
  }
  const scope = models as ModelScope
  if (typeof scope !== 'object' || scope === null || !scope.defaults || !scope.tiers) {
    throw new ImaConfigError('Expected models to be a list of model ids or a ModelScope such as NANO_BANANA_SCOPE')
  }
  return scope
}

/**
 * A store option, checked for the methods the client calls: a wrong object is refused here, not
 * taken for an outage at the first create ("could not be reached … try again").
 */
function checkStore<T>(store: T | undefined, option: string, methods: readonly string[], example: string, fallback: () => T): T {
  if (store === undefined) return fallback()
  const given = store as Record<string, unknown> | null
  if (typeof given !== 'object' || given === null || methods.some((method) => typeof given[method] !== 'function')) {
    throw new ImaConfigError(`Expected ${option} to be an object with ${methods.join(', ')}, such as ${example}`)
  }
  return store
}
