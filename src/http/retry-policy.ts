import {
  ApiError,
  ConnectionError,
  ImaAbortError,
  ImaConfigError,
  RateLimitError,
  RequestTimeoutError,
  ServiceUnavailableError,
  ValidationError,
} from '../errors.js'
import { failureStatus } from '../schemas/envelope.js'

/**
 * How a call may be retried.
 * - `idempotent`: repeating it changes nothing (product list, task detail, upload token, PUT of the same bytes).
 * - `create`: repeating it may charge twice, so it is retried only when it certainly did not reach the service.
 */
export type RetryKind = 'idempotent' | 'create'

/** Statuses an idempotent call retries on. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

/** Backoff settings. */
export interface RetrySettings {
  /** Retries after the first attempt. */
  maxRetries: number
  /** First backoff ceiling, in ms. */
  baseDelayMs: number
  /** Largest backoff, in ms; a longer `Retry-After` is not waited for. */
  maxDelayMs: number
  /** Source of randomness in [0, 1), for full jitter. */
  random: () => number
}

/** The default backoff: 2 retries, 0.5 s doubling, capped at 8 s; a Retry-After up to 60 s is honoured. */
export const DEFAULT_RETRY_SETTINGS: RetrySettings = {
  maxRetries: 2,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  random: Math.random,
}

/** Longest `Retry-After` honoured before giving up instead. */
export const MAX_RETRY_AFTER_MS = 60_000

/** The outcome of {@link decideRetry}. */
export type RetryDecision = { retry: false } | { retry: true; delayMs: number; reason: string }

/**
 * What a failed create's error proves about the task:
 * - `not-processed`: nothing was created, nothing charged — the request never
 *   left this machine (connection refused, DNS, an input or config error), or
 *   the service's own envelope refused it (6006, 6009, 6010, 4008, 400, 401,
 *   and 429/503 sent as an envelope), or a 4xx refusal other than 408/429.
 * - `unknown`: the service may have created (and charged) the task — a
 *   timeout, a reset after sending, any 5xx but the service's own 503 (an
 *   envelope's `code: 500` under HTTP 200 too), a 408 (bare or in an
 *   envelope), an envelope code the SDK has no class for, a bare 429, an HTML
 *   page or garbled body, an error status whose body is a success or a
 *   gateway's word for a code: a gateway or load balancer sends those after
 *   the service has committed, too.
 *
 * An abort is not classified here: whether it was in flight is known only
 * to the caller.
 */
export function createOutcomeOf(error: unknown): 'not-processed' | 'unknown' {
  if (error instanceof ValidationError || error instanceof ImaConfigError) return 'not-processed'
  if (error instanceof ConnectionError) return error.sent ? 'unknown' : 'not-processed'
  if (error instanceof ApiError) {
    // `{ code: 500 }` under HTTP 200 is a 500: the service's envelope names the status.
    const status = failureStatus(error.status ?? 0, error.code)
    if (error.envelope) {
      if (status === 408 || (status >= 500 && status !== 503)) return 'unknown'
      // A code the SDK has no class for (`{ code: 9999 }`, 409) proves nothing either way: it may be charged.
      return Object.getPrototypeOf(error) === ApiError.prototype ? 'unknown' : 'not-processed'
    }
    return status >= 400 && status < 500 && status !== 408 && status !== 429 ? 'not-processed' : 'unknown'
  }
  return 'unknown'
}

function retryableReason(error: unknown, kind: RetryKind): string | undefined {
  // A port fetch blocks stays blocked: trying again changes nothing.
  if (error instanceof ImaAbortError || (error instanceof ConnectionError && error.code === 'bad_port')) return undefined
  if (kind === 'create') {
    // Re-sent only when the answer proves nothing was processed and the refusal is a passing one.
    if (createOutcomeOf(error) !== 'not-processed') return undefined
    if (error instanceof ConnectionError) return `connection failed before sending (${String(error.code)})`
    if (error instanceof RateLimitError) return 'rate limited (429, the service refused the create)'
    if (error instanceof ServiceUnavailableError) return 'service unavailable (503, the service refused the create)'
    return undefined
  }
  if (error instanceof RateLimitError) return 'rate limited (429)'
  if (error instanceof ServiceUnavailableError) return 'service unavailable (503)'
  if (error instanceof ConnectionError) return `connection failed (${String(error.code)})`
  if (error instanceof RequestTimeoutError) return 'request timed out'
  if (error instanceof ApiError && error.status !== undefined) {
    const status = failureStatus(error.status, error.code)
    if (RETRYABLE_STATUSES.has(status)) return `HTTP ${status}`
  }
  return undefined
}

/**
 * Whether to retry after `error` on attempt number `attempt` (1 = the first
 * try), and how long to wait: the service's `Retry-After` when it sent one,
 * else exponential backoff with full jitter.
 */
export function decideRetry(error: unknown, attempt: number, kind: RetryKind, settings: RetrySettings): RetryDecision {
  if (attempt > settings.maxRetries) return { retry: false }
  const reason = retryableReason(error, kind)
  if (reason === undefined) return { retry: false }
  if (error instanceof ApiError && error.retryAfterMs !== undefined) {
    if (error.retryAfterMs > MAX_RETRY_AFTER_MS) return { retry: false }
    return { retry: true, delayMs: error.retryAfterMs, reason }
  }
  return { retry: true, delayMs: backoffDelayMs(attempt, settings), reason }
}

/**
 * The wait before try `attempt + 1`: exponential backoff with full jitter,
 * under `maxDelayMs`.
 *
 * @example
 * ```ts
 * backoffDelayMs(1, DEFAULT_RETRY_SETTINGS) // 0–499
 * ```
 */
export function backoffDelayMs(attempt: number, settings: RetrySettings): number {
  return Math.floor(settings.random() * Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1)))
}

/**
 * Parses a `Retry-After` header: delay-seconds or an HTTP date. `undefined`
 * when absent or unreadable.
 */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!header) return undefined
  const trimmed = header.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}
