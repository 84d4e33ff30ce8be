/**
 * Progress while a task runs, always on stderr. On a terminal: one line that
 * updates in place every second (model, elapsed, the capped percentage, the
 * usual time). Elsewhere (a pipe, a log file, an agent): a plain line when the
 * status changes, and from a timer at the model's progress cadence (every
 * 15–30 s) while nothing changes, so a reader always knows the task is alive
 * and logs stay short.
 */
import type { ImaLanguage } from '../http/transport-options.js'
import { progressPercent } from '../protocol/task-status.js'
import type { TaskEvent } from '../resources/tasks/types.js'
import type { CliIO } from './io.js'
import { wordsFor, type CliWords } from './messages.js'

/** What the progress line says about the task. */
export interface ProgressSubject {
  /** What runs: a model name, or `task <id>` when only the id is known. */
  label: string
  /** Typical time, in seconds: `[fastest, slowest]`. */
  estimatedSeconds: readonly [number, number]
  /** Time between two plain lines while the status stays the same (non-TTY), in ms. */
  progressEveryMs: number
  /** When the task was created (or waiting began), ms since the epoch. */
  startedAt: number
}

/** Options of a {@link Progress}. */
export interface ProgressOptions {
  quiet: boolean
  /** The language of the line. @defaultValue `'en'` */
  language?: ImaLanguage
}

const CLEAR_LINE = '\r\u001B[2K'
/** How often the terminal line is redrawn. */
const TTY_REDRAW_MS = 1000

/**
 * A progress display for one task; `stop()` before printing anything else.
 *
 * @example
 * ```ts
 * const progress = new Progress(io, { label: 'Nano Banana2', estimatedSeconds: [20, 40], progressEveryMs: 15_000, startedAt: Date.now() }, { quiet: false })
 * ima.on('task.status', (event) => progress.update(event))
 * // … when the wait ends:
 * progress.stop()
 * ```
 */
export class Progress {
  readonly #io: CliIO
  readonly #subject: ProgressSubject
  readonly #enabled: boolean
  readonly #words: CliWords
  #status = 'pending'
  #percent = 0
  #timer: ReturnType<typeof setTimeout> | undefined
  #lastPlainAt = 0
  #lastPlainStatus: string | undefined
  #drawn = false
  #stopped = false

  constructor(io: CliIO, subject: ProgressSubject, options: ProgressOptions) {
    this.#io = io
    this.#subject = subject
    this.#enabled = !options.quiet
    this.#words = wordsFor(options.language)
    if (!this.#enabled) return
    if (io.stderrIsTTY) {
      this.#timer = setInterval(() => this.#draw(), TTY_REDRAW_MS)
      // The ticker alone must never keep the process alive.
      this.#timer.unref()
      this.#draw()
    } else {
      this.#scheduleHeartbeat()
    }
  }

  /** Takes a status event from the SDK's wait. */
  update(event: TaskEvent): void {
    this.#status = event.type
    this.#percent = Math.max(this.#percent, event.percent)
    if (!this.#enabled || this.#stopped) return
    if (this.#io.stderrIsTTY) {
      this.#draw()
      return
    }
    if (event.type !== this.#lastPlainStatus || Date.now() - this.#lastPlainAt >= this.#subject.progressEveryMs) this.#printPlain()
  }

  /** Ends the display: stops the timers, clears the updating line so the next message starts clean. */
  stop(): void {
    this.#stopped = true
    if (this.#timer !== undefined) {
      clearInterval(this.#timer)
      clearTimeout(this.#timer)
    }
    this.#timer = undefined
    if (this.#drawn) this.#io.stderr.write(CLEAR_LINE)
    this.#drawn = false
  }

  #printPlain(): void {
    this.#lastPlainAt = Date.now()
    this.#lastPlainStatus = this.#status
    this.#io.stderr.write(`${this.#line()}\n`)
    this.#scheduleHeartbeat()
  }

  /** The next plain line, one cadence after the last one, unless a status change prints sooner. */
  #scheduleHeartbeat(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    const since = this.#lastPlainAt === 0 ? 0 : Date.now() - this.#lastPlainAt
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      if (!this.#stopped) this.#printPlain()
    }, Math.max(0, this.#subject.progressEveryMs - since))
    // The wait keeps the process alive; this timer alone must not.
    this.#timer.unref()
  }

  #line(): string {
    const elapsedMs = Date.now() - this.#subject.startedAt
    const [fastest, slowest] = this.#subject.estimatedSeconds
    const percent = this.#status === 'success' ? 100 : Math.max(this.#percent, progressPercent(elapsedMs, slowest * 1000))
    return this.#words.progress({ label: this.#subject.label, status: this.#status, elapsedSeconds: Math.floor(elapsedMs / 1000), percent, fastest, slowest })
  }

  #draw(): void {
    this.#drawn = true
    this.#io.stderr.write(`${CLEAR_LINE}${this.#line()}`)
  }
}
