import * as z from 'zod/mini'

/**
 * The envelope around every JSON answer: `{ code, message, data }`.
 * `code` 0 or 200 is success, anything else an error even under HTTP 200.
 */
export const envelopeSchema = z.looseObject({
  code: z.union([z.number(), z.string()]),
  message: z.optional(z.nullable(z.string())),
  data: z.optional(z.unknown()),
})

/** A parsed envelope. */
export type Envelope = z.infer<typeof envelopeSchema>

/** Whether an envelope code means success (0 or 200, as number or string). */
export function isSuccessCode(code: number | string): boolean {
  const value = Number(code)
  return value === 0 || value === 200
}
