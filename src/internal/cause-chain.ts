/** Errors from outside (fetch, the file system): telling one from any other value, and its text in one line, for messages. */

/**
 * Whether `value` is an error, from this realm or another. Jest runs each
 * test file (and the SDK it requires) in a vm context of its own, while
 * Node's fetch throws errors of the outer realm: those fail `instanceof
 * Error`, and a refused connection would lose the code that proves nothing
 * was sent. The brand (`[object Error]`, or a `DOMException`'s tag) is the
 * same in every realm.
 *
 * @example
 * ```ts
 * isErrorLike(vm.runInNewContext('new TypeError("fetch failed")')) // true
 * isErrorLike({ message: 'looks like one' }) // false
 * ```
 */
export function isErrorLike(value: unknown): value is Error {
  if (value instanceof Error) return true
  if (typeof value !== 'object' || value === null || typeof (value as { message?: unknown }).message !== 'string') return false
  const brand = Object.prototype.toString.call(value)
  return brand === '[object Error]' || brand === '[object DOMException]'
}

/**
 * An error's message and those of its causes, as one line: Node's fetch says
 * only `fetch failed` and keeps the reason (`connect ECONNREFUSED …`) as its
 * cause, which is the part a person needs.
 *
 * @example
 * ```ts
 * causeChainText(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') })) // 'fetch failed: connect ECONNREFUSED 127.0.0.1:9'
 * ```
 */
export function causeChainText(error: unknown): string {
  const parts: string[] = []
  let current: unknown = error
  for (let depth = 0; depth < 5 && isErrorLike(current); depth += 1) {
    if (current.message && !parts.includes(current.message)) parts.push(current.message)
    current = current.cause
  }
  return parts.length > 0 ? parts.join(': ') : String(error)
}
