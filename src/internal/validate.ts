import type * as z from 'zod/mini'
import { ValidationError, type FieldIssue } from '../errors.js'
import { redactSecrets } from './redact.js'

/**
 * Checks caller input against a schema before anything is sent, throwing a
 * `ValidationError` that names each field and what to do.
 */
export function validateInput<T>(schema: z.ZodMiniType<T, unknown>, input: unknown, what: string): T {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  const issues: FieldIssue[] = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }))
  const summary = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; ')
  throw new ValidationError(`Invalid ${what} — ${summary}`, issues)
}

/**
 * The value as JSON text, or a `ValidationError` for what JSON cannot hold
 * (a BigInt, a cycle): raised before anything is sent, so it never looks
 * like a request that may have arrived.
 */
export function toJsonText(value: unknown, what: string, secrets: readonly (string | undefined)[] = []): string {
  try {
    return JSON.stringify(value)
  } catch (error) {
    const reason = redactSecrets(error instanceof Error ? error.message : String(error), secrets)
    throw new ValidationError(
      `Invalid ${what} — it cannot be sent as JSON (${reason}): pass only strings, numbers, booleans, arrays and plain objects in params`,
      [{ path: 'params', message: 'is not JSON-serialisable' }],
    )
  }
}
