import { FULL_CATALOG_SCOPE, scopeFromModels, type ModelScope } from './catalog/scopes.js'
import { readEnv, resolveConfig, type CoreOptions } from './http/transport-options.js'
import type { ClientConfig } from './resources/context.js'
import { ImaConfigError } from './errors.js'
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
}

/** Applies defaults and environment variables, and checks every option. */
export function resolveClientConfig(options: ImaClientOptions = {}): ClientConfig {
  return {
    ...resolveConfig(options),
    preferences: options.preferences ?? new MemoryPreferenceStore(),
    journal: checkJournal(options.journal),
    scope: resolveScope(options.models),
    pollIntervalMs: resolvePollInterval(options.pollIntervalMs),
  }
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

function checkJournal(journal: TaskJournal | undefined): TaskJournal {
  if (journal === undefined) return new MemoryTaskJournal()
  const methods = journal as Partial<Record<keyof TaskJournal, unknown>>
  if (typeof methods.put !== 'function' || typeof methods.get !== 'function' || typeof methods.list !== 'function') {
    throw new ImaConfigError('Expected journal to be a TaskJournal { put, get, list } such as new MemoryTaskJournal() or new FileTaskJournal()')
  }
  return journal
}
