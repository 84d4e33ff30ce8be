import { createApiError } from '../../src/http/api-errors.js'
import { describe, expect, it } from 'vitest'
import {
  ConnectionError,
  ImaAbortError,
  RateLimitError,
  RequestTimeoutError,
  ServerError,
  ServiceUnavailableError,
  BadRequestError,
  ApiError,
  ResponseValidationError,
  ValidationError,
} from '../../src/errors.js'
import { createOutcomeOf, decideRetry, parseRetryAfter, type RetrySettings } from '../../src/http/retry-policy.js'
import { failureStatus, isRefusalCode } from '../../src/schemas/envelope.js'

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

  it('retries a create only when the answer proves nothing was processed', () => {
    expect(decideRetry(new ConnectionError('x', { request, sent: false, code: 'ECONNREFUSED' }), 1, 'create', settings)).toMatchObject({ retry: true })
    expect(decideRetry(new ConnectionError('x', { request, sent: true, code: 'ECONNRESET' }), 1, 'create', settings)).toEqual({ retry: false })
    expect(decideRetry(new RequestTimeoutError('x', { request }), 1, 'create', settings)).toEqual({ retry: false })
    expect(decideRetry(new ServerError('x', { request, status: 500, envelope: true }), 1, 'create', settings)).toEqual({ retry: false })
    // The service's own envelope refusing the create is proof; a bare status or a gateway's page is not.
    expect(decideRetry(new ServiceUnavailableError('x', { request, status: 503, envelope: true }), 1, 'create', settings)).toMatchObject({ retry: true })
    expect(decideRetry(new ServiceUnavailableError('x', { request, status: 503 }), 1, 'create', settings)).toEqual({ retry: false })
    expect(decideRetry(new RateLimitError('x', { request, status: 429 }), 1, 'create', settings)).toEqual({ retry: false })
    expect(decideRetry(new RateLimitError('x', { request, status: 429, retryAfterMs: 1200, envelope: true }), 1, 'create', settings)).toEqual({
      retry: true,
      delayMs: 1200,
      reason: 'rate limited (429, the service refused the create)',
    })
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

describe('createOutcomeOf', () => {
  const cases: Array<[string, unknown, 'not-processed' | 'unknown']> = [
    ['connection refused', new ConnectionError('x', { request, sent: false, code: 'ECONNREFUSED' }), 'not-processed'],
    ['reset after sending', new ConnectionError('x', { request, sent: true, code: 'ECONNRESET' }), 'unknown'],
    ['timeout', new RequestTimeoutError('x', { request }), 'unknown'],
    ['envelope 6010', createApiError({ request, status: 200, code: 6010, envelope: true }), 'not-processed'],
    ['envelope 6006', createApiError({ request, status: 200, code: 6006, envelope: true }), 'not-processed'],
    ['envelope 401', createApiError({ request, status: 200, code: 401, envelope: true }), 'not-processed'],
    // The service's own 408, and a code no class stands for: nothing proves the task was not made.
    ['envelope code 408 under HTTP 200', createApiError({ request, status: 200, code: 408, envelope: true }), 'unknown'],
    ['envelope 408', createApiError({ request, status: 408, code: 408, envelope: true }), 'unknown'],
    ['envelope code 9999 under HTTP 200', createApiError({ request, status: 200, code: 9999, envelope: true }), 'unknown'],
    ['envelope 409', createApiError({ request, status: 409, envelope: true }), 'unknown'],
    // The class decides, not a name anyone can overwrite.
    ['envelope 6010, its name overwritten', Object.assign(createApiError({ request, status: 200, code: 6010, envelope: true }), { name: 'ApiError' }), 'not-processed'],
    ['envelope 400', new BadRequestError('x', { request, status: 400, envelope: true }), 'not-processed'],
    ['bare 400', new BadRequestError('x', { request, status: 400 }), 'not-processed'],
    ['bare 408', new ApiError('x', { request, status: 408 }), 'unknown'],
    ['envelope 429', new RateLimitError('x', { request, status: 429, envelope: true }), 'not-processed'],
    ['bare 429', new RateLimitError('x', { request, status: 429 }), 'unknown'],
    ['envelope 503', new ServiceUnavailableError('x', { request, status: 503, envelope: true }), 'not-processed'],
    ['bare 503 / HTML page', new ServiceUnavailableError('x', { request, status: 503 }), 'unknown'],
    ['envelope 500', new ServerError('x', { request, status: 500, envelope: true }), 'unknown'],
    // Under HTTP 200 the envelope's code names the status.
    ['envelope code 500 under HTTP 200', new ServerError('x', { request, status: 200, code: 500, envelope: true }), 'unknown'],
    ['envelope code 504 under HTTP 200', new ServerError('x', { request, status: 200, code: '504', envelope: true }), 'unknown'],
    ['envelope code 503 under HTTP 200', new ServiceUnavailableError('x', { request, status: 200, code: 503, envelope: true }), 'not-processed'],
    ['envelope code 4008 under HTTP 200', createApiError({ request, status: 200, code: 4008, envelope: true }), 'not-processed'],
    ['"Insufficient points" under HTTP 200', createApiError({ request, status: 200, code: 1, serviceMessage: 'Insufficient points', envelope: true }), 'not-processed'],
    ['bare 502', new ServerError('x', { request, status: 502 }), 'unknown'],
    ['garbled body', new ResponseValidationError('x', { request, status: 200, excerpt: '<html>' }), 'unknown'],
    ['unserialisable input', new ValidationError('x'), 'not-processed'],
    ['something unexpected', new TypeError('x'), 'unknown'],
  ]
  it.each(cases)('%s → %s', (_name, error, expected) => {
    expect(createOutcomeOf(error)).toBe(expected)
  })
})

describe('failureStatus and isRefusalCode', () => {
  it('reads the status an envelope names under HTTP 200, and only there', () => {
    expect(failureStatus(200, 500)).toBe(500)
    expect(failureStatus(200, '502')).toBe(502)
    expect(failureStatus(200, 6010)).toBe(200)
    expect(failureStatus(200, 'timeout')).toBe(200)
    expect(failureStatus(503, 0)).toBe(503)
    expect(failureStatus(200, undefined)).toBe(200)
  })

  it('takes a number that is not a success as the service refusing, and nothing else', () => {
    expect([503, 429, '429', 6010, 4008].map(isRefusalCode)).toEqual([true, true, true, true, true])
    expect([0, 200, '0', '200', 'UPSTREAM_TIMEOUT', '', ' '].map(isRefusalCode)).toEqual([false, false, false, false, false, false, false])
  })
})
