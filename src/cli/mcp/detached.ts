/**
 * The creates a tool call left in flight when it was cancelled — the client
 * went away, or `ima mcp` was stopped, while a create was on its way. The SDK
 * reads each one's answer in the background and journals its task id; the
 * process must live until then, or a charged task is left as a ref without
 * an id that `get_image_task` can never pick up.
 */
import type { ImaClient } from '../../node/index.js'

/** What `ima mcp` waits for before it exits. */
export interface DetachedCreates {
  /** Creates whose answer is still on its way. */
  readonly count: number
  /**
   * Resolves once every answer arrived (and is journaled), after `boundMs`,
   * or when `exitNow` resolves (the second SIGINT/SIGTERM: the first is
   * taken as "stop", already under way); to the number still unanswered.
   */
  settle(boundMs: number, exitNow: Promise<void>): Promise<number>
}

/**
 * Follows `task.outcome_unknown` (a detached create) and
 * `task.detached_settled` (its answer read) on `client`.
 *
 * @example
 * ```ts
 * const detached = trackDetachedCreates(client)
 * await serveStdio(tools, settings, onReady)
 * if (detached.count > 0) await detached.settle(65_000, signals.reached(2))
 * ```
 */
export function trackDetachedCreates(client: ImaClient): DetachedCreates {
  const open = new Set<string>()
  // An answer may be read before the abort is announced: a ref settled first is never counted.
  const settled = new Set<string>()
  let changed = (): void => {}
  client.on('task.outcome_unknown', ({ ref, detached }) => {
    if (detached && !settled.has(ref)) open.add(ref)
  })
  client.on('task.detached_settled', ({ ref }) => {
    settled.add(ref)
    open.delete(ref)
    changed()
  })
  return {
    get count() {
      return open.size
    },
    settle: (boundMs, exitNow) =>
      new Promise<number>((resolve) => {
        const timer = setTimeout(() => finish(), boundMs)
        const finish = () => {
          clearTimeout(timer)
          changed = () => {}
          resolve(open.size)
        }
        void exitNow.then(finish)
        changed = () => {
          if (open.size === 0) finish()
        }
        changed()
      }),
  }
}
