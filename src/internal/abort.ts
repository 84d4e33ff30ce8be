import { ImaAbortError } from '../errors.js'
import { isErrorLike } from './cause-chain.js'

/** The callbacks waiting on each signal; each signal carries one listener for all of them. */
const abortSubscribers = new WeakMap<AbortSignal, Set<{ callback: () => void }>>()

function dispatchAbort(event: Event): void {
  const signal = event.target as AbortSignal
  const subscribers = abortSubscribers.get(signal)
  abortSubscribers.delete(signal)
  if (!subscribers) return
  for (const subscriber of subscribers) {
    subscribers.delete(subscriber)
    try {
      subscriber.callback()
    } catch (error) {
      // As a throwing event listener would: reported, without keeping the others from running.
      queueMicrotask(() => {
        throw error
      })
    }
  }
}

/**
 * Calls `callback` once when `signal` aborts — at once when it already has —
 * and returns the function that cancels that. However many operations wait
 * on one signal, it carries a single abort listener, removed with the last
 * of them: a signal shared by thousands of concurrent waits neither trips
 * Node's `MaxListenersExceededWarning` nor keeps anything of them once they
 * end. Call the returned function when the operation ends, whatever its outcome.
 *
 * @example
 * ```ts
 * const timer = setTimeout(finish, 1_000)
 * const stopListening = whenAborted(signal, () => clearTimeout(timer))
 * // …when the operation ends:
 * stopListening()
 * ```
 */
export function whenAborted(signal: AbortSignal, callback: () => void): () => void {
  if (signal.aborted) {
    callback()
    return () => {}
  }
  const subscriber = { callback }
  let subscribers = abortSubscribers.get(signal)
  if (!subscribers) {
    subscribers = new Set()
    abortSubscribers.set(signal, subscribers)
    signal.addEventListener('abort', dispatchAbort, { once: true })
  }
  subscribers.add(subscriber)
  const mine = subscribers
  return () => {
    if (!mine.delete(subscriber) || mine.size > 0 || abortSubscribers.get(signal) !== mine) return
    abortSubscribers.delete(signal)
    signal.removeEventListener('abort', dispatchAbort)
  }
}

/**
 * A signal that follows several others, and the function that unhooks it from them.
 *
 * @example
 * ```ts
 * const { signal, release }: LinkedSignal = linkSignals([options.signal, timeout.signal])
 * ```
 */
export interface LinkedSignal {
  /** Aborts (with the first source's reason) when any source aborts; `undefined` when there is no source. */
  signal: AbortSignal | undefined
  /** Removes the listeners from the sources. Call it when the operation ends, whatever its outcome. */
  release(): void
}

/**
 * Links sources into one signal without `AbortSignal.any`: on Node 20 a
 * composite made by `any` stays reachable from a long-lived source (the
 * caller's signal, reused for thousands of calls) after the call ends. Here
 * the only link is a subscription per source ({@link whenAborted}), removed
 * by `release()`.
 *
 * @example
 * ```ts
 * const linked = linkSignals([options.signal, stop.signal])
 * try {
 *   await work(linked.signal)
 * } finally {
 *   linked.release()
 * }
 * ```
 */
export function linkSignals(signals: readonly (AbortSignal | undefined)[]): LinkedSignal {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined)
  if (present.length <= 1) return { signal: present[0], release: () => {} }
  const controller = new AbortController()
  const already = present.find((signal) => signal.aborted)
  if (already) {
    controller.abort(already.reason)
    return { signal: controller.signal, release: () => {} }
  }
  const unsubscribes: Array<() => void> = []
  const release = () => {
    for (const unsubscribe of unsubscribes.splice(0)) unsubscribe()
  }
  for (const source of present) {
    unsubscribes.push(
      whenAborted(source, () => {
        release()
        controller.abort(source.reason)
      }),
    )
  }
  return { signal: controller.signal, release }
}

/**
 * The error to reject with when `signal` aborted: an `AbortError` carrying the signal's reason.
 *
 * @example
 * ```ts
 * if (signal.aborted) throw abortErrorFor(signal)
 * ```
 */
export function abortErrorFor(signal: AbortSignal): ImaAbortError {
  const reason: unknown = signal.reason
  if (reason instanceof ImaAbortError) return reason
  // A bare `abort()` leaves a DOMException named AbortError ("This operation was aborted"): saying it twice adds nothing.
  const detail = isErrorLike(reason) && reason.message && reason.name !== 'AbortError' ? `: ${reason.message}` : ''
  return new ImaAbortError(`The operation was aborted${detail}`, { cause: reason })
}

/**
 * Throws the abort error if `signal` has already aborted.
 *
 * @example
 * ```ts
 * throwIfAborted(options.signal)
 * ```
 */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortErrorFor(signal)
}

/**
 * Waits `ms`, or rejects at once when `signal` aborts. The subscription is
 * removed when the wait ends, so a signal reused for many waits collects nothing.
 *
 * @example
 * ```ts
 * await delay(250, signal)
 * ```
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortErrorFor(signal))
      return
    }
    let stopListening = () => {}
    const timer = setTimeout(() => {
      stopListening()
      resolve()
    }, ms)
    if (signal) {
      stopListening = whenAborted(signal, () => {
        clearTimeout(timer)
        reject(abortErrorFor(signal))
      })
    }
  })
}

/**
 * `work`, or an `ImaAbortError` as soon as `signal` aborts; `work` goes on
 * (its caller undoes what it did if it lands after the abort).
 *
 * @example
 * ```ts
 * const held = await untilAborted(store.acquire(lease), request.signal)
 * ```
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work
  return new Promise((resolve, reject) => {
    const stop = whenAborted(signal, () => reject(abortErrorFor(signal)))
    work.then(resolve, reject).finally(stop)
  })
}
