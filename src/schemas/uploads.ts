import { IssueList, isJsonObject, type DataCheck } from './data-check.js'

/**
 * `data` of the upload-token answer: where to `PUT` the bytes (`ful`) and
 * the URL that serves them afterwards (`fdl`). Unknown extra fields are kept.
 */
export interface UploadToken {
  ful: string
  fdl: string
  [extra: string]: unknown
}

/**
 * Checks the `data` of the upload-token answer. The URLs' rule (https, or
 * http on loopback) is applied where they are used.
 *
 * @example
 * ```ts
 * const checked = readUploadToken({ ful: 'https://up.example/put?sig=…', fdl: 'https://cdn.example/a.png' })
 * ```
 */
export function readUploadToken(value: unknown): DataCheck<UploadToken> {
  const found = new IssueList()
  if (!isJsonObject(value)) {
    found.add('', 'must be an object with ful and fdl')
    return found.verdict(value as UploadToken)
  }
  if (typeof value.ful !== 'string' || value.ful === '') found.add('ful', 'must be the upload URL')
  if (typeof value.fdl !== 'string' || value.fdl === '') found.add('fdl', 'must be the download URL')
  return found.verdict(value as UploadToken)
}
