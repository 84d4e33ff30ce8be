/**
 * Emitted while `ima.uploads.put()` sends bytes (once per chunk handed to
 * fetch). `bytesSent` grows within one attempt and starts again from 0 when
 * the PUT is retried.
 * @public
 */
export interface UploadProgressEvent {
  /** Bytes handed to the connection so far in this attempt. */
  bytesSent: number
  /** The size, when known up front (bytes, Blob, file); `undefined` for streams. */
  totalBytes: number | undefined
  /** The caller's `filename`, a `File`'s name or the file's base name, when there is one. */
  filename?: string
}

/** Emitted when `ima.uploads.put()` has a URL for an uploaded source (not for a URL passed through). @public */
export interface UploadCompletedEvent {
  /** The public URL of the image (`fdl`). */
  url: string
  /** Bytes uploaded. */
  bytes: number
  /** The MIME type found in the bytes. */
  contentType: string
  /** True when identical input was uploaded before by this client and no request was made. */
  cached: boolean
}

/**
 * The upload events. Part of the client's `ImaEvents`.
 * @public
 */
export interface UploadEvents {
  /** While `ima.uploads.put()` sends bytes. */
  'upload.progress': (event: UploadProgressEvent) => void
  /** When `ima.uploads.put()` has the URL of an uploaded source. */
  'upload.completed': (event: UploadCompletedEvent) => void
}
