/**
 * Progress while a task runs, always on stderr. On a terminal: one line that
 * updates in place every second (model, elapsed, the capped percentage, the
 * usual time). Elsewhere (a pipe, a log file, an agent): a plain line when the
 * status changes and then at the model's progress cadence, so logs stay short.
 */
import { progressPercent } from '../protocol/task-status.js'
import type { TaskEvent } from '../resources/tasks/types.js'
import type { CliIO } from './io.js'

/** What the progress line says about the task. */
export interface ProgressSubject {
  /** What runs: a model name, or `task <id>` when only the id is known. */
  label: string
  /** Typical time, in seconds: `[fastest, slowest]`. */
  estimatedSeconds: readonly [number, number]
  /** Least time between two plain lines (non-TTY), in ms. */
  progressEveryMs: number
  /** When the task was created (or waiting began), ms since the epoch. */
  startedAt: number
}

const CLEAR_LINE = '\r\u001B[2K'

/** A progress display for one task; `stop()` before printing anything else. */
export class Progress {
  readonly #io: CliIO
  readonly #subject: ProgressSubject
  readonly #enabled: boolean
  #status = 'pending'
  #percent = 0
  #timer: ReturnType<typeof setInterval> | undefined
  #lastPlainAt = 0
  #lastPlainStatus: string | undefined
  #drawn = false

  constructor(io: CliIO, subject: ProgressSubject, options: { quiet: boolean }) {
    this.#io = io
    this.#subject = subject
    this.#enabled = !options.quiet
    if (this.#enabled && io.stderrIsTTY) {
      this.#timer = setInterval(() => this.#draw(), 1000)
      // The ticker alone must never keep the process alive.
      this.#timer.unref()
      this.#draw()
    }
  }

  /** Takes a status event from the SDK's wait. */
  update(event: TaskEvent): void {
    this.#status = event.type
    this.#percent = Math.max(this.#percent, event.percent)
    if (!this.#enabled) return
    if (this.#io.stderrIsTTY) {
      this.#draw()
      return
    }
    const now = Date.now()
    if (event.type !== this.#lastPlainStatus || now - this.#lastPlainAt >= this.#subject.progressEveryMs) {
      this.#lastPlainAt = now
      this.#lastPlainStatus = event.type
      this.#io.stderr.write(`${this.#line()}\n`)
    }
  }

  /** Ends the display: clears the updating line so the next message starts clean. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer)
    this.#timer = undefined
    if (this.#drawn) this.#io.stderr.write(CLEAR_LINE)
    this.#drawn = false
  }

  #line(): string {
    const elapsedMs = Date.now() - this.#subject.startedAt
    const [fastest, slowest] = this.#subject.estimatedSeconds
    const percent = this.#status === 'success' ? 100 : Math.max(this.#percent, progressPercent(elapsedMs, slowest * 1000))
    return `${this.#subject.label} · ${this.#status} · ${Math.floor(elapsedMs / 1000)} s · ${percent}% · usually ${fastest}–${slowest} s`
  }

  #draw(): void {
    this.#drawn = true
    this.#io.stderr.write(`${CLEAR_LINE}${this.#line()}`)
  }
}
