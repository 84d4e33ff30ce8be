/** Error text from outside (fetch, the file system) in one line, for messages. */

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
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    if (current.message && !parts.includes(current.message)) parts.push(current.message)
    current = current.cause
  }
  return parts.length > 0 ? parts.join(': ') : String(error)
}
