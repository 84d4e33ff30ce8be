/** Limits of the upload path. */

/** Most entries the content-hash cache keeps. */
export const UPLOAD_CACHE_ENTRIES = 256
