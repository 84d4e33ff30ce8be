/**
 * The upload token (protocol §4, step 1): the 11 signed fields sent to the
 * upload host, and its answer — where to `PUT` the bytes (`ful`) and where
 * they are served afterwards (`fdl`) — checked against the SDK's URL rule.
 */
import type { ClientContext } from '../context.js'
import { missingApiKeyError, ResponseValidationError, type RequestTarget } from '../../errors.js'
import { requestFields, type RequestOptions } from '../../http/http-client.js'
import type { ImageType } from '../../protocol/image-type.js'
import { UPLOAD_TOKEN_PATH, uploadTokenFields } from '../../protocol/upload-sign.js'
import { checkServiceURL, type UrlProblem } from '../../protocol/urls.js'
import { readUploadToken } from '../../schemas/uploads.js'

const TOKEN_TARGET: RequestTarget = { method: 'POST', path: UPLOAD_TOKEN_PATH }

/** Where one upload goes: the signed URL to `PUT` the bytes to, and the public URL that serves them. @internal */
export interface UploadDestination {
  /** The signed upload URL; its query string is a credential, never shown. */
  ful: URL
  /** The public URL of the uploaded image, used as the input image. */
  fdl: URL
}

/**
 * Asks the upload host where to put an image of `type`. The API key travels
 * in the signed fields only — no `Authorization` header to the upload host —
 * and only now that an upload really happens.
 * @internal
 */
export async function requestUploadDestination(context: ClientContext, type: ImageType, options: RequestOptions): Promise<UploadDestination> {
  const { config, http } = context
  const apiKey = config.apiKey
  if (!apiKey) {
    throw missingApiKeyError()
  }
  const fields = await uploadTokenFields({ apiKey, extension: type.extension, contentType: type.mime })
  const token = await http.call({
    method: config.uploadTokenMethod,
    path: UPLOAD_TOKEN_PATH,
    host: 'upload',
    ...(config.uploadTokenMethod === 'GET' ? { query: fields } : { body: fields, form: true }),
    authorize: false,
    check: readUploadToken,
    retry: 'idempotent',
    ...requestFields(options),
  })
  return { ful: checkTokenURL('ful', token.ful), fdl: checkTokenURL('fdl', token.fdl) }
}

const TOKEN_URL_PROBLEM: Record<UrlProblem, string> = {
  'not-a-url': 'that is not a URL',
  scheme: 'that is not https',
  'plain-http': 'that is not https',
  userinfo: 'that carries a user name or password',
}

/** The token's `ful` or `fdl` as a URL, or a `ResponseValidationError` when the URL rule refuses it. */
function checkTokenURL(name: 'ful' | 'fdl', value: string): URL {
  const verdict = checkServiceURL(value)
  if (verdict.ok) return verdict.url
  // The origin only: a path or query string may be a signature, and an origin never holds a user name or password.
  const shown = verdict.url ? ` (${verdict.url.origin === 'null' ? verdict.url.protocol : verdict.url.origin})` : ''
  throw new ResponseValidationError(
    `[${TOKEN_TARGET.method} ${TOKEN_TARGET.path}] the upload host answered a ${name} ${TOKEN_URL_PROBLEM[verdict.problem]}${shown}; nothing was uploaded — check uploadBaseURL`,
    { request: TOKEN_TARGET, excerpt: '', issues: [{ path: name, message: 'must be an https URL (http only on loopback) with no user name or password' }] },
  )
}
