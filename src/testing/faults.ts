/**
 * Fault injection: what the real service and the network sometimes do, on
 * demand, so clients can be tested against it over real HTTP.
 */

/** One misbehaviour of the server for a matching request. */
export type ServerFault =
  /** Answer with this HTTP status and an envelope (`code` defaults to the status), optionally with `Retry-After`. */
  | { kind: 'status'; status: number; code?: number; message?: string; retryAfter?: string }
  /** Drop the connection before the request is processed: nothing happened on the server. */
  | { kind: 'reset-before' }
  /** Process the request (a create is recorded and charged), then drop the connection without answering. */
  | { kind: 'reset-after' }
  /** Wait `ms`, then answer normally. */
  | { kind: 'delay'; ms: number }
  /** Answer with these raw bytes instead (HTML error pages, truncated JSON, empty bodies…). */
  | { kind: 'malformed'; body: string; status?: number; contentType?: string }
  /** Never answer (until the server closes). */
  | { kind: 'hang' }

/** A fault and the requests it applies to. */
export type FaultRule = ServerFault & {
  /** Only this method (any when absent). */
  method?: string
  /** Only this path, exactly, e.g. `/open/v1/tasks/create` (any when absent). */
  path?: string
  /** How many matching requests it applies to, then it is spent. @defaultValue 1 */
  times?: number
}

const FAULT_KINDS = ['status', 'reset-before', 'reset-after', 'delay', 'malformed', 'hang'] as const

/**
 * A fault rule, checked: a typo (an unknown kind, a path that can never match, a missing status)
 * would otherwise be a fault that never happens, and the test that relies on it would pass untested.
 *
 * @example
 * ```ts
 * checkFaultRule({ path: '/open/v1/tasks/create', kind: 'reset-after' }, 'injectFault') // the rule
 * checkFaultRule({ path: '/open/v1/tasks/create/', kind: 'reset-after' }, 'injectFault') // throws TypeError
 * ```
 */
export function checkFaultRule(rule: FaultRule, where: string): FaultRule {
  const given = rule as Partial<Record<string, unknown>> | null
  if (typeof given !== 'object' || given === null) throw new TypeError(`${where}: a fault is an object such as { path: '/open/v1/tasks/create', kind: 'reset-after' }`)
  const { kind, path } = given
  if (!FAULT_KINDS.includes(kind as (typeof FAULT_KINDS)[number])) {
    throw new TypeError(`${where}: kind ${JSON.stringify(kind)} is not a fault; the kinds are ${FAULT_KINDS.join(', ')}`)
  }
  if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/') || /[?#]/.test(path) || (path.length > 1 && path.endsWith('/')))) {
    throw new TypeError(`${where}: path ${JSON.stringify(path)} never matches: give the request's path alone, e.g. '/open/v1/tasks/create' (no host, query or trailing slash)`)
  }
  const needs = ({ status: ['status', 'number'], delay: ['ms', 'number'], malformed: ['body', 'string'] } as const)[kind as 'status' | 'delay' | 'malformed']
  if (needs && typeof given[needs[0]] !== needs[1]) throw new TypeError(`${where}: a ${String(kind)} fault needs ${needs[0]} (a ${needs[1]})`)
  // Values that parse but could never happen as written: a status no HTTP answer has, a method no request uses, a negative delay.
  const { status, method, ms, times } = given
  if (status !== undefined && !(Number.isInteger(status) && (status as number) >= 100 && (status as number) <= 599)) {
    throw new TypeError(`${where}: status ${shownValue(status)} is not an HTTP status: give a whole number from 100 to 599`)
  }
  if (method !== undefined && !(typeof method === 'string' && FAULT_METHODS.includes(method.toUpperCase()))) {
    throw new TypeError(`${where}: method ${shownValue(method)} never matches: the server is sent ${FAULT_METHODS.join(', ')}`)
  }
  if (ms !== undefined && !(typeof ms === 'number' && Number.isFinite(ms) && ms >= 0)) throw new TypeError(`${where}: ms ${shownValue(ms)} must be a delay of 0 ms or more`)
  if (times !== undefined && !(times === Number.POSITIVE_INFINITY || (Number.isInteger(times) && (times as number) > 0))) {
    throw new TypeError(`${where}: times ${shownValue(times)} must be a whole number of requests, 1 or more (Infinity for every request)`)
  }
  return rule
}

/** A value as a message quotes it: strings in quotes, numbers (NaN, -5) as they are. */
function shownValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

/** The methods the API, the upload host and the storage are sent. */
const FAULT_METHODS = ['GET', 'POST', 'PUT', 'HEAD']

/** The faults still to apply, first match first. */
export class FaultPlan {
  readonly #rules: Array<{ rule: FaultRule; remaining: number }> = []

  /** Adds a rule; it applies to the next `times` matching requests. */
  add(rule: FaultRule): void {
    checkFaultRule(rule, 'injectFault')
    const times = rule.times ?? 1
    if (!(times > 0)) throw new RangeError('FaultRule.times must be a positive number (Infinity for every request)')
    this.#rules.push({ rule, remaining: times })
  }

  /** Forgets every rule. */
  clear(): void {
    this.#rules.length = 0
  }

  /** The fault for this request, if a rule matches; spends one use of it. */
  take(method: string, path: string): ServerFault | undefined {
    const index = this.#rules.findIndex(
      ({ rule }) => (rule.method === undefined || rule.method.toUpperCase() === method) && (rule.path === undefined || rule.path === path),
    )
    const entry = this.#rules[index]
    if (!entry) return undefined
    entry.remaining -= 1
    if (entry.remaining <= 0) this.#rules.splice(index, 1)
    return entry.rule
  }
}
