/**
 * The one URL rule of the SDK: where a URL may point. Every place that takes
 * or receives a URL — client options, input images, the upload host's
 * `ful`/`fdl`, task results, downloads and each redirect hop — asks this
 * module, so they can never disagree about a host.
 *
 * The service is https-only; plain http is allowed only on this machine
 * (the local IMA server). A URL with a user name or password is refused: it
 * would put a credential into every log line and error that shows the URL.
 */

/** Why a URL was refused. */
export type UrlProblem = 'not-a-url' | 'scheme' | 'plain-http' | 'userinfo'

/** The verdict of {@link checkServiceURL}. */
export type UrlVerdict = { ok: true; url: URL } | { ok: false; problem: UrlProblem; url?: URL }

const IPV4_LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/

/**
 * Whether a URL's `hostname` names this machine: `localhost`, any
 * `127.0.0.0/8` address, or `::1`. A DNS name that merely starts with
 * `127.` is not loopback.
 *
 * @example
 * ```ts
 * isLoopbackHost(new URL('http://127.0.0.2:8080').hostname) // true
 * isLoopbackHost('127.example.com') // false
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase()
  return host === 'localhost' || host === '[::1]' || host === '::1' || IPV4_LOOPBACK.test(host)
}

/**
 * Checks a URL against the rule: https anywhere, http only on loopback, no
 * user name or password in it.
 *
 * @example
 * ```ts
 * checkServiceURL('https://cdn.example.com/a.png').ok // true
 * checkServiceURL('http://example.com/a.png') // { ok: false, problem: 'plain-http', url }
 * ```
 */
export function checkServiceURL(value: string | URL): UrlVerdict {
  let url: URL
  try {
    url = value instanceof URL ? value : new URL(value)
  } catch {
    return { ok: false, problem: 'not-a-url' }
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, problem: 'scheme', url }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) return { ok: false, problem: 'plain-http', url }
  if (url.username !== '' || url.password !== '') return { ok: false, problem: 'userinfo', url }
  if (url.hostname === '') return { ok: false, problem: 'not-a-url', url }
  return { ok: true, url }
}

/**
 * Whether a URL passes {@link checkServiceURL}.
 *
 * @example
 * ```ts
 * isServiceURL('http://localhost:4010/r/1.png') // true
 * isServiceURL('javascript:alert(1)') // false
 * ```
 */
export function isServiceURL(value: string | URL): boolean {
  return checkServiceURL(value).ok
}

/**
 * A short phrase for an issue list or a message: what the URL must be.
 *
 * @example
 * ```ts
 * describeUrlProblem('plain-http') // 'must be https (plain http only on loopback)'
 * ```
 */
export function describeUrlProblem(problem: UrlProblem): string {
  switch (problem) {
    case 'not-a-url':
      return 'is not an absolute URL'
    case 'scheme':
      return 'must be an https URL'
    case 'plain-http':
      return 'must be https (plain http only on loopback)'
    case 'userinfo':
      return 'must not carry a user name or password'
  }
}

/**
 * A URL safe to show in a message or an event: its origin and path only — no
 * user name, password, query string (a signed upload URL's signature) or
 * fragment.
 *
 * @example
 * ```ts
 * shownURL('https://u:p@up.example.com/put/1?sig=abc') // 'https://up.example.com/put/1'
 * ```
 */
export function shownURL(value: string | URL): string {
  try {
    const url = value instanceof URL ? value : new URL(value)
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return `${url.protocol}…`
    return `${url.protocol}//${url.host}${url.pathname}`
  } catch {
    return 'an unreadable URL'
  }
}
