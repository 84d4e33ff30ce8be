/**
 * The upload host (protocol §4): token, PUT of the bytes, and the CDN URL
 * that serves them back.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { Reply } from './envelope.js'
import { failure, methodNotAllowed, notFound, success } from './envelope.js'
import type { IncomingCall } from './incoming-call.js'
import type { ServerUpload } from './records.js'
import { readRequestBody } from './request-body.js'
import { isConfiguredKey } from './server-state.js'
import type { ServerState } from './server-state.js'

/** Path of the token endpoint on the upload host. */
export const UPLOAD_TOKEN_PATH = '/api/rest/oss/getuploadtoken'
/** The app id the reference client sends. */
const APP_ID = 'webAgent'
/** The fixed app key published in the reference client (not a secret). */
const APP_KEY = '32jdskjdk320eew'
/** Largest accepted upload. */
export const MAX_UPLOAD_BYTES = 64 * 1024 * 1024

const REQUIRED_FIELDS = [
  'appUid',
  'appId',
  'appKey',
  'cmimToken',
  'timestamp',
  'nonce',
  'sign',
  'fService',
  'fType',
  'fSuffix',
  'fContentType',
] as const

/** Upper-case hex SHA-1 of `appId|appKey|timestamp|nonce`, as the reference client signs. */
export function uploadSign(appId: string, appKey: string, timestamp: string, nonce: string): string {
  return createHash('sha1').update(`${appId}|${appKey}|${timestamp}|${nonce}`).digest('hex').toUpperCase()
}

/** The token fields of a request: form body fields over query parameters (both forms exist in the wild). */
function tokenFields(call: IncomingCall): Record<string, string> {
  return { ...call.query, ...(call.body.form ?? {}) }
}

/** Answers the token request with `{ ful, fdl }`, after checking all 11 fields. */
export function handleUploadToken(call: IncomingCall, state: ServerState): Reply {
  if (call.method !== 'GET' && call.method !== 'POST') return methodNotAllowed(call.method, call.path, ['GET', 'POST'])
  const fields = tokenFields(call)
  // Both carry the API key (protocol §4): two different keys, even two valid ones, are not one caller.
  const keysValid = isConfiguredKey(state, fields.appUid) && fields.cmimToken === fields.appUid
  call.record.authorized = keysValid
  const missing = REQUIRED_FIELDS.find((name) => (fields[name] ?? '') === '')
  if (missing) return failure(400, 400, `missing field ${missing}`)
  if (!keysValid) return failure(401, 401, 'Unauthorized: appUid and cmimToken must both be the API key')
  if (fields.appId !== APP_ID) return failure(400, 400, 'bad appId')
  if (fields.appKey !== APP_KEY) return failure(400, 400, 'bad appKey')
  const timestamp = fields.timestamp ?? ''
  const seconds = /^\d+$/.test(timestamp) ? Number(timestamp) : Number.NaN
  if (!(Math.abs(Date.now() / 1000 - seconds) <= state.options.uploadTimestampWindowSeconds)) {
    return failure(400, 400, 'timestamp out of the allowed window')
  }
  const nonce = fields.nonce ?? ''
  if (!/^[0-9a-fA-F]{21}$/.test(nonce)) return failure(400, 400, 'nonce must be 21 hex characters')
  if (fields.sign !== uploadSign(APP_ID, APP_KEY, timestamp, nonce)) return failure(400, 400, 'bad sign')
  if (fields.fService !== 'privite') return failure(400, 400, 'fService must be privite')
  if (fields.fType !== 'picture') return failure(400, 400, 'fType must be picture')
  const suffix = fields.fSuffix ?? ''
  if (!/^[A-Za-z0-9]+$/.test(suffix)) return failure(400, 400, 'fSuffix must be a file extension')
  const id = randomBytes(12).toString('hex')
  const ful = `${state.uploadURL}/oss/put/${id}`
  const fdl = `${state.url}/cdn/${id}.${suffix}`
  state.uploadSlots.set(id, { id, apiKey: fields.appUid ?? '', suffix, contentType: fields.fContentType ?? '', ful, fdl })
  return success({ ful, fdl })
}

/** Whether a path is an upload PUT target. */
export function isUploadPutPath(path: string): boolean {
  return path.startsWith('/oss/put/')
}

/**
 * Stores the raw PUT body. Each `ful` works once (409 after), unknown ids are
 * 404, and bodies over {@link MAX_UPLOAD_BYTES} are 413.
 */
export async function handleUploadPut(call: IncomingCall, state: ServerState): Promise<Reply> {
  if (call.method !== 'PUT') return methodNotAllowed(call.method, call.path, ['PUT'])
  const id = call.path.slice('/oss/put/'.length)
  if (state.uploadsById.has(id)) return failure(409, 409, 'this upload URL was already used')
  const slot = state.uploadSlots.get(id)
  if (!slot) return failure(404, 404, 'unknown upload id')
  const read = await readRequestBody(call.req, MAX_UPLOAD_BYTES)
  if (!read.ok) {
    return read.reason === 'too-large'
      ? { ...failure(413, 413, 'upload too large'), closeConnection: true }
      : failure(400, 400, 'upload aborted')
  }
  // A concurrent PUT may have finished first.
  if (state.uploadsById.has(id)) return failure(409, 409, 'this upload URL was already used')
  const upload: ServerUpload = {
    id,
    contentType: call.req.headers['content-type'] || slot.contentType,
    suffix: slot.suffix,
    bytes: new Uint8Array(read.bytes),
    ful: slot.ful,
    fdl: slot.fdl,
  }
  state.uploadSlots.delete(id)
  state.uploadsById.set(id, upload)
  state.uploads.push(upload)
  return success(null)
}

/** Whether a path is a CDN download. */
export function isCdnPath(path: string): boolean {
  return path.startsWith('/cdn/')
}

/** Serves uploaded bytes with their content type; 404 until the PUT happened. */
export function serveUpload(path: string, state: ServerState): Reply {
  const match = /^\/cdn\/([0-9a-f]+)\.([A-Za-z0-9]+)$/.exec(path)
  const upload = match ? state.uploadsById.get(match[1] ?? '') : undefined
  if (!upload || upload.suffix !== match?.[2]) return notFound('file not found')
  return { kind: 'bytes', status: 200, contentType: upload.contentType || 'application/octet-stream', bytes: upload.bytes }
}
