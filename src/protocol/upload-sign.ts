/**
 * The signed fields of the upload-token request (protocol §4), built with Web
 * Crypto only so the core runs in browsers, workers, Deno and Bun as well as Node.
 */

/** `appId` the reference client sends. */
export const UPLOAD_APP_ID = 'webAgent'
/** The fixed `appKey` published in the reference client: an app identifier, not a secret. */
export const UPLOAD_APP_KEY = '32jdskjdk320eew'
/** Path of the token endpoint on the upload host. */
export const UPLOAD_TOKEN_PATH = '/api/rest/oss/getuploadtoken'
/** Length of the nonce, in hex characters. */
const NONCE_LENGTH = 21

function toHex(bytes: Uint8Array): string {
  let out = ''
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0')
  return out
}

/** Hex of a SHA digest, lower-case (Web Crypto, so isomorphic). */
export async function digestHex(algorithm: 'SHA-1' | 'SHA-256', data: Uint8Array | ArrayBuffer): Promise<string> {
  const view = data instanceof Uint8Array ? data : new Uint8Array(data)
  return toHex(new Uint8Array(await crypto.subtle.digest(algorithm, view as Uint8Array<ArrayBuffer>)))
}

/**
 * The token request's `sign`: upper-case hex SHA-1 of `appId|appKey|timestamp|nonce`.
 *
 * @example
 * ```ts
 * await uploadSignature('webAgent', '32jdskjdk320eew', '1700000000', '0123456789abcdef01234') // 40 upper-case hex characters
 * ```
 */
export async function uploadSignature(appId: string, appKey: string, timestamp: string, nonce: string): Promise<string> {
  const text = new TextEncoder().encode(`${appId}|${appKey}|${timestamp}|${nonce}`)
  return (await digestHex('SHA-1', text)).toUpperCase()
}

/** 21 random hex characters, fresh for every request, from `crypto.getRandomValues`. */
export function createNonce(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(Math.ceil(NONCE_LENGTH / 2)))).slice(0, NONCE_LENGTH)
}

/** What the token request describes: the file about to be sent. */
export interface UploadTokenInput {
  apiKey: string
  /** `fSuffix`, e.g. `png`. */
  extension: string
  /** `fContentType`, e.g. `image/png`. */
  contentType: string
  /** Unix time in ms. @defaultValue `Date.now()` */
  now?: number
  /** Fixed nonce, for tests. @defaultValue a fresh {@link createNonce} */
  nonce?: string
}

/**
 * The 11 fields of the token request. They carry the API key (`appUid`,
 * `cmimToken`), so they are built only when an upload really happens and
 * never logged.
 */
export async function uploadTokenFields(input: UploadTokenInput): Promise<Record<string, string>> {
  const timestamp = String(Math.floor((input.now ?? Date.now()) / 1000))
  const nonce = input.nonce ?? createNonce()
  return {
    appUid: input.apiKey,
    appId: UPLOAD_APP_ID,
    appKey: UPLOAD_APP_KEY,
    cmimToken: input.apiKey,
    timestamp,
    nonce,
    sign: await uploadSignature(UPLOAD_APP_ID, UPLOAD_APP_KEY, timestamp, nonce),
    // "privite" is how the service spells it.
    fService: 'privite',
    fType: 'picture',
    fSuffix: input.extension,
    fContentType: input.contentType,
  }
}
