import { ImaAbortError } from './errors.js'

interface EventsModule {
  setMaxListeners?: (count: number, ...targets: EventTarget[]) => void
}

/**
 * Lifts Node's listener warning on a long-lived signal. Long waits add one
 * abort listener per poll (p-wait-for's sleep adds one each time); past 10,
 * Node prints a MaxListenersExceededWarning although nothing leaks beyond the
 * wait. The module is looked up at run time so the core keeps no Node import.
 */
export function allowManyAbortListeners(signal: AbortSignal): void {
  const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  const events = runtime?.getBuiltinModule?.('events') as EventsModule | undefined
  events?.setMaxListeners?.(0, signal)
}

/** One signal that aborts when any of the given ones does (undefined ones are skipped). */
export function anySignal(signals: readonly (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined)
  if (present.length <= 1) return present[0]
  return AbortSignal.any(present)
}

/** A signal that follows several others, and the function that unhooks it from them. */
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
 * the only link is one listener per source, removed by `release()`.
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
  const onAbort = (event: Event) => {
    release()
    controller.abort((event.target as AbortSignal).reason)
  }
  const release = () => {
    for (const signal of present) signal.removeEventListener('abort', onAbort)
  }
  for (const signal of present) signal.addEventListener('abort', onAbort)
  return { signal: controller.signal, release }
}

/** The error to reject with when `signal` aborted: an `AbortError` carrying the signal's reason. */
export function abortErrorFor(signal: AbortSignal): ImaAbortError {
  const reason: unknown = signal.reason
  if (reason instanceof ImaAbortError) return reason
  const detail = reason instanceof Error && reason.message ? `: ${reason.message}` : ''
  return new ImaAbortError(`The operation was aborted${detail}`, { cause: reason })
}

/** Throws the abort error if `signal` has already aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortErrorFor(signal)
}

/**
 * Waits `ms`, or rejects at once when `signal` aborts. The listener is removed
 * when the wait ends, so a signal reused for many waits collects nothing.
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortErrorFor(signal))
      return
    }
    const onAbort = () => {
      clearTimeout(timer)
      reject(abortErrorFor(signal as AbortSignal))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
