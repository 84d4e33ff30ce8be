/**
 * `notifications/progress` for a tool call that carries a progress token:
 * on every poll that moves the task on, and at the model's cadence in
 * between (a poll schedule can leave 15 s without news, and a client that
 * resets its time-out on progress needs to hear from the server). Values
 * only rise, as the MCP spec requires.
 */
import { progressPercent } from '../../protocol/task-status.js'
import type { TaskEvent } from '../../resources/tasks/types.js'
import type { McpWords } from './words.js'

/** What sends one progress notification: the tool call's own `notify`, bound to its token. */
export type SendProgress = (progress: number, message: string) => Promise<void>

/** What the reporter knows of the task it reports on. */
export interface ProgressSubject {
  modelName: string | undefined
  /** When the task was created (ms since the epoch). */
  createdAt: number
  /** The model's usual slowest time, in ms: the estimate's 95 % cap. */
  estimatedMaxMs: number
  /** Milliseconds between notifications without news from a poll. */
  everyMs: number
}

/**
 * Reports one task's progress until `stop()`; sends nothing without a
 * `send` (a call without a progress token).
 *
 * @example
 * ```ts
 * const reporter = new ProgressReporter(send, words)
 * reporter.start({ modelName: 'Nano Banana Pro', createdAt: task.createdAt, estimatedMaxMs: 120_000, everyMs: 5_000 })
 * ima.on('task.status', (event) => reporter.update(event))
 * reporter.stop()
 * ```
 */
export class ProgressReporter {
  readonly #send: SendProgress | undefined
  readonly #words: McpWords
  #subject: ProgressSubject | undefined
  #sent = -1
  #timer: ReturnType<typeof setInterval> | undefined
  #stopped = false

  constructor(send: SendProgress | undefined, words: McpWords) {
    this.#send = send
    this.#words = words
  }

  /** The task is created: report 0 % now, then at its cadence. */
  start(subject: ProgressSubject): void {
    if (!this.#send || this.#stopped) return
    this.#subject = subject
    this.#report(0)
    this.#timer = setInterval(() => this.#report(progressPercent(Date.now() - subject.createdAt, subject.estimatedMaxMs)), Math.max(1_000, subject.everyMs))
    // A server that has nothing else to do must still be able to exit.
    this.#timer.unref?.()
  }

  /** A poll's news. */
  update(event: TaskEvent): void {
    this.#report(event.percent)
  }

  stop(): void {
    this.#stopped = true
    clearInterval(this.#timer)
  }

  #report(percent: number): void {
    if (!this.#send || this.#stopped || percent <= this.#sent) return
    this.#sent = percent
    // A notification that cannot be sent (the client went away) must not fail the generation.
    this.#send(percent, this.#words.progress(this.#subject?.modelName, percent)).catch(() => undefined)
  }
}
