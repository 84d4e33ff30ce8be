/**
 * The zod schemas of what callers pass (zod is at its best there: typed
 * results and a message per field). What the service answers is checked by
 * hand (`data-check.ts` and the answer readers beside it), on every call.
 */
import * as z from 'zod/mini'
import { TASK_TYPES } from './task-type.js'
import { LONGEST_TIMER_MS } from '../internal/deadline.js'

/** Longest prompt accepted, in characters. */
export const MAX_PROMPT_LENGTH = 10_000
/** Most images one task may ask for. */
export const MAX_IMAGES_PER_TASK = 4

const signalSchema = z.custom<AbortSignal>((value) => typeof AbortSignal !== 'undefined' && value instanceof AbortSignal, 'must be an AbortSignal')

/** Schema of the parameters of `tasks.create` / `tasks.quote`, checked before any request. */
export const createParamsSchema = z.object({
  taskType: z.optional(z.enum(TASK_TYPES)),
  model: z.optional(z.string().check(z.trim(), z.minLength(1, 'must not be empty: a model id, name, alias or tier'))),
  versionId: z.optional(z.string().check(z.minLength(1))),
  userId: z.optional(z.string().check(z.minLength(1))),
  chatId: z.optional(z.string().check(z.minLength(1))),
  ref: z.optional(z.string().check(z.regex(/^[\w.:@/-]{1,200}$/, 'must be 1 to 200 letters, digits or . _ : @ / -'))),
  prompt: z
    .string({ error: (issue) => (issue.input === undefined || issue.input === null ? 'is required: describe the image' : 'must be text: describe the image') })
    .check(z.trim(), z.minLength(1, 'must not be empty: describe the image'), z.maxLength(MAX_PROMPT_LENGTH, `must be at most ${MAX_PROMPT_LENGTH} characters`)),
  size: z.optional(z.string().check(z.trim(), z.minLength(1))),
  aspectRatio: z.optional(z.string().check(z.regex(/^\s*\d+(\.\d+)?\s*:\s*\d+(\.\d+)?\s*$/, 'must look like 16:9'))),
  params: z.optional(z.record(z.string(), z.unknown())),
  n: z.optional(z.int('must be a whole number').check(z.gte(1, 'must be at least 1'), z.lte(MAX_IMAGES_PER_TASK, `must be at most ${MAX_IMAGES_PER_TASK}`))),
  inputImages: z.optional(z.array(z.unknown())),
  maxCredits: z.optional(z.number().check(z.gte(0))),
  fallback: z.optional(z.object({ size: z.optional(z.boolean()) })),
})

/** Schema of the `signal` of a call's options (`timeout` and `maxRetries` are checked by the send path's `requestFields`). */
export const requestOptionsSchema = z.object({ signal: z.optional(signalSchema) })

/** A duration in ms that a timer can hold: 1 ms to 24.8 days. */
function timerMs(what: string) {
  const bounds = `a number of ms from 1 to ${LONGEST_TIMER_MS} (24.8 days, the longest a timer waits): ${what}`
  return z.number({ error: `must be ${bounds}` }).check(z.gte(1, `must be ${bounds}`), z.lte(LONGEST_TIMER_MS, `must be ${bounds}`))
}

/** Schema of a wait's own options (`signal`, `timeout` and `maxRetries` are the call's, checked as for every call). */
export const waitOptionsSchema = z.object({
  intervalMs: z.optional(timerMs('the time between polls; leave it out to follow the model')),
  timeoutMs: z.optional(timerMs('the deadline of the whole wait; leave it out for 600 s')),
  estimatedMaxMs: z.optional(timerMs("the longest the task should take; leave it out for the model's estimate")),
  maxPollFailures: z.optional(z.int('must be a whole number').check(z.gte(0, 'must be 0 or more'))),
})
