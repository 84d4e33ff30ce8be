/** Longest delay a JavaScript timer keeps (2^31 − 1 ms, 24.8 days): a longer one fires at once. */
export const LONGEST_TIMER_MS = 2_147_483_647
/** Longest a preference read or write may hold up a generation, in ms. */
export const PREFERENCE_BUDGET_MS = 1_000

/**
 * The promise of `work()`, settled the same whether a caller's store throws
 * at once, rejects, or returns a plain value where a promise was due: its
 * side work is then caught like any other failure.
 */
export function promiseFrom<T>(work: () => T | PromiseLike<T>): Promise<T> {
  return new Promise<T>((resolve) => resolve(work()))
}

/**
 * Resolves when `work` settles or after `ms`, whichever comes first, and
 * never rejects: for side work (a journal or preference write) that must not
 * hold a generation back. The timer does not keep a process alive.
 */
export function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    ;(timer as { unref?: () => void }).unref?.()
    const done = () => {
      clearTimeout(timer)
      resolve()
    }
    work.then(done, done)
  })
}

/** The value of `work`, or `fallback` when it rejects or takes longer than `ms`. */
export async function valueWithin<T, F>(work: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms)
    ;(timer as { unref?: () => void }).unref?.()
  })
  try {
    return await Promise.race([work.catch(() => fallback), late])
  } finally {
    clearTimeout(timer)
  }
}
