import { describe, expect, it } from 'vitest'
import {
  ConnectionError,
  ImaAbortError,
  RateLimitError,
  RequestTimeoutError,
  ServerError,
  ServiceUnavailableError,
  BadRequestError,
} from '../../src/core/errors.js'
import { decideRetry, parseRetryAfter, type RetrySettings } from '../../src/core/retry-policy.js'

const request = { method: 'POST', path: '/open/v1/tasks/create' }
const settings: RetrySettings = { maxRetries: 2, baseDelayMs: 500, maxDelayMs: 8000, random: () => 0.5 }

describe('decideRetry', () => {
  it('retries idempotent calls on network errors, timeouts and 408/429/5xx with jittered backoff', () => {
    expect(decideRetry(new ConnectionError('x', { request, sent: true }), 1, 'idempotent', settings)).toEqual({ retry: true, delayMs: 250, reason: 'connection failed (network)' })
    expect(decideRetry(new RequestTimeoutError('x', { request }), 2, 'idempotent', settings)).toMatchObject({ retry: true, delayMs: 500 })
    expect(decideRetry(new ServerError('x', { request, status: 502 }), 1, 'idempotent', settings)).toMatchObject({ retry: true })
    expect(decideRetry(new BadRequestError('x', { request, status: 400 }), 1, 'idempotent', settings)).toEqual({ retry: false })
  })

  it('stops after maxRetries and never retries an abort', () => {
    expect(decideRetry(new ServerError('x', { request, status: 500 }), 3, 'idempotent', settings)).toEqual({ retry: false })
    expect(decideRetry(new ImaAbortError(), 1, 'idempotent', settings)).toEqual({ retry: false })
  })

  it('retries a create only when it certainly did not arrive, or on 429/503', () => {
    expect(decideRetry(new ConnectionError('x', { request, sent: false, code: 'ECONNREFUSED' }), 1, 'create', settings)).toMatchObject({ retry: true })
    expect(decideRetry(new ConnectionError('x', { request, sent: true, code: 'ECONNRESET' }), 1, 'create', settings)).toEqual({ retry: false })
    expect(decideRetry(new RequestTimeoutError('x', { request }), 1, 'create', settings)).toEqual({ retry: false })
    expect(decideRetry(new ServerError('x', { request, status: 500 }), 1, 'create', settings)).toEqual({ retry: false })
    expect(decideRetry(new ServiceUnavailableError('x', { request, status: 503 }), 1, 'create', settings)).toMatchObject({ retry: true })
    expect(decideRetry(new RateLimitError('x', { request, status: 429, retryAfterMs: 1200 }), 1, 'create', settings)).toEqual({ retry: true, delayMs: 1200, reason: 'rate limited (429)' })
  })

  it('gives up instead of waiting for a very long Retry-After', () => {
    expect(decideRetry(new RateLimitError('x', { request, status: 429, retryAfterMs: 3_600_000 }), 1, 'idempotent', settings)).toEqual({ retry: false })
  })
})

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000)
    expect(parseRetryAfter('0.5')).toBe(500)
    const now = Date.parse('2026-11-22T00:00:00Z')
    expect(parseRetryAfter('Sun, 22 Nov 2026 00:00:10 GMT', now)).toBe(10_000)
    expect(parseRetryAfter('soon')).toBeUndefined()
    expect(parseRetryAfter(null)).toBeUndefined()
  })
})
