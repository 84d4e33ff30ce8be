/**
 * Ctrl-C for long waits: the first press aborts through the SDK's
 * `AbortSignal` (no request is left half-done, nothing is re-sent) and the
 * command reports the task id to resume; a second press exits at once.
 */
import { EXIT, InterruptedError } from './errors.js'

/**
 * Runs `work` with a signal that SIGINT (Ctrl-C) or SIGTERM (a supervisor
 * stopping the process) aborts. An abort becomes an {@link InterruptedError}
 * carrying the task id known at that moment, so it can be resumed.
 */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>, taskId: () => string | undefined): Promise<T> {
  const controller = new AbortController()
  const onInterrupt = () => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted)
    controller.abort()
  }
  process.on('SIGINT', onInterrupt)
  process.on('SIGTERM', onInterrupt)
  try {
    return await work(controller.signal)
  } catch (error) {
    if (controller.signal.aborted) throw new InterruptedError(taskId())
    throw error
  } finally {
    process.off('SIGINT', onInterrupt)
    process.off('SIGTERM', onInterrupt)
  }
}
