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
