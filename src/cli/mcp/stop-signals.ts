/**
 * SIGINT and SIGTERM over the whole life of `ima mcp`. The first means
 * "stop": the server closes, the calls under way answer, and the answers of
 * creates in flight are awaited so their task ids are journaled. The second
 * means "exit now". Listening from the start to the very end leaves no moment
 * where a signal falls to Node's default and ends the process before a
 * charged task's id is written down — an MCP client closes stdin and sends
 * SIGTERM soon after, so such a moment is hit.
 */

/** The stop signals received so far, and a way to wait for the n-th. */
export interface StopSignals {
  /** How many SIGINT/SIGTERM arrived. */
  readonly count: number
  /** Resolves once `count` reaches `n` (at once when it already has). */
  reached(n: number): Promise<void>
  /** Stops listening; a signal after this gets Node's default. */
  release(): void
}

/** The part of `process` this needs (a stand-in in tests). */
export type SignalSource = Pick<NodeJS.EventEmitter, 'on' | 'off'>

/**
 * Starts counting SIGINT and SIGTERM on `source` (the process by default).
 *
 * @example
 * ```ts
 * const signals = listenForStopSignals()
 * await serveStdio(tools, settings, onReady, signals.reached(1))
 * await detached.settle(65_000, signals.reached(2))
 * signals.release()
 * ```
 */
export function listenForStopSignals(source: SignalSource = process): StopSignals {
  let count = 0
  const waiting: { n: number; resolve: () => void }[] = []
  const onSignal = () => {
    count += 1
    for (const waiter of waiting.filter(({ n }) => n <= count)) {
      waiting.splice(waiting.indexOf(waiter), 1)
      waiter.resolve()
    }
  }
  source.on('SIGINT', onSignal).on('SIGTERM', onSignal)
  return {
    get count() {
      return count
    },
    reached: (n) => (n <= count ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ n, resolve }))),
    release: () => {
      source.off('SIGINT', onSignal).off('SIGTERM', onSignal)
    },
  }
}
