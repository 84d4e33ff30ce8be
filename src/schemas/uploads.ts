import * as z from 'zod/mini'

/**
 * `data` of the upload-token answer: where to `PUT` the bytes (`ful`) and
 * the URL that serves them afterwards (`fdl`). Unknown extra fields are kept.
 */
export const uploadTokenSchema = z.looseObject({
  ful: z.string().check(z.minLength(1, 'must be the upload URL')),
  fdl: z.string().check(z.minLength(1, 'must be the download URL')),
})

/** A validated upload-token answer. */
export type UploadToken = z.infer<typeof uploadTokenSchema>
