import type * as z from 'zod/mini'
import { ValidationError, type FieldIssue } from './errors.js'

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
