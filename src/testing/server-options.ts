/** Options of the local IMA server and their defaults. */
import type { ServerProductNode, TaskCategory } from './catalog.js'
import type { FaultRule } from './faults.js'

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
}

function positiveNumber(name: string, value: number | undefined, fallback: number, allowZero: boolean): number {
  if (value === undefined) return fallback
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new RangeError(`ImaServerOptions.${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${value}`)
  }
  return value
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
  return {
    port: positiveNumber('port', options.port, 0, true),
    host: options.host ?? '127.0.0.1',
    apiKeys,
    taskDurationMs: positiveNumber('taskDurationMs', options.taskDurationMs, 3000, true),
    progression,
    catalog: options.catalog ?? {},
    maxImageSide: Math.floor(positiveNumber('maxImageSide', options.maxImageSide, 1024, false)) || 1,
    uploadTimestampWindowSeconds: positiveNumber('uploadTimestampWindowSeconds', options.uploadTimestampWindowSeconds, 300, true),
    faults: [...(options.faults ?? [])],
  }
}
