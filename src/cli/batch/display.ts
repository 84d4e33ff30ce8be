/**
 * What `ima batch` shows while it runs, always on stderr. On a terminal: a
 * cli-progress bar (done / running / failed, credits spent, ETA) with the
 * messages printed above it. Elsewhere (a pipe, a log, an agent): one line
 * per item as it ends, `[7/20] done task_… 10 credits → file or url`.
 * `--quiet`: nothing.
 */
import cliProgress from 'cli-progress'
import type { ImaLanguage } from '../../http/transport-options.js'
import type { CliIO } from '../io.js'
import { wordsFor, type CliWords } from '../messages.js'
import type { SummaryRow } from './state.js'

/** How an item ended, for its line. */
export interface ItemEnd {
  row: SummaryRow
  /** Why it failed, or what is unknown. */
  message?: string
}

/** The display of a run; `stop()` before printing anything else. */
export interface BatchDisplay {
  /** An item began (upload, create, wait or download). */
  started(): void
  /** An item stopped running: with `end`, it finished (done, failed or unknown); without, it was left for the next run (interrupted). */
  ended(end?: ItemEnd): void
  /** Points spent so far by this run. */
  spent(credits: number): void
  /** A message for the person, above the bar on a terminal. */
  note(line: string): void
  stop(): void
}

/** Options of {@link createDisplay}. */
export interface DisplayOptions {
  quiet: boolean
  language: ImaLanguage
  /** Every item of the input. */
  total: number
  /** Items already done before this run. */
  alreadyDone: number
  /** The clock, for the ETA. @defaultValue `Date.now` */
  now?: () => number
}

/** Counts behind the bar and the lines. */
class Tally {
  done: number
  failed = 0
  unknown = 0
  /** Ended in this run with their task still running on the service. */
  pending = 0
  running = 0
  credits = 0
  finishedThisRun = 0
  readonly total: number
  readonly #startedAt: number
  readonly #now: () => number

  constructor(total: number, alreadyDone: number, now: () => number) {
    this.total = total
    this.done = alreadyDone
    this.#now = now
    this.#startedAt = now()
  }

  get finished(): number {
    return this.done + this.failed + this.unknown + this.pending
  }

  /** Seconds left, from this run's pace; undefined before the first item ends. */
  etaSeconds(): number | undefined {
    if (this.finishedThisRun === 0) return undefined
    // Items end in parallel: the time per item of the whole pool.
    const perItem = (this.#now() - this.#startedAt) / this.finishedThisRun
    return Math.max(0, Math.round((perItem * (this.total - this.finished)) / 1000))
  }

  end(row: SummaryRow): void {
    this.finishedThisRun += 1
    if (row.state === 'done') this.done += 1
    else if (row.state === 'unknown') this.unknown += 1
    // A task still running on the service is no failure: the next run collects it.
    else if (row.state === 'pending') this.pending += 1
    else this.failed += 1
  }
}

/** `1m05s`, `42s`. */
export function formatEta(seconds: number | undefined, unknown: string): string {
  if (seconds === undefined) return unknown
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`
}

/** The line of an item that ended, as the non-terminal display prints it. */
export function itemLine(words: CliWords, index: number, total: number, end: ItemEnd): string {
  const { row } = end
  if (row.state === 'done') {
    const [first, ...more] = row.files.length > 0 ? row.files : row.urls
    const target = `${first ?? ''}${more.length > 0 ? ` (+${more.length})` : ''}`
    return words.batch.itemDone({ index, total, taskId: row.task_id ?? '', credit: row.credit ?? 0, target })
  }
  if (row.state === 'unknown') return words.batch.itemUnknown({ index, total, line: row.line, ref: row.ref ?? undefined })
  if (row.state === 'pending' && row.task_id !== null) return words.batch.itemPending({ index, total, line: row.line, taskId: row.task_id, message: end.message ?? row.error ?? '' })
  return words.batch.itemFailed({ index, total, line: row.line, taskId: row.task_id ?? undefined, message: end.message ?? row.error ?? '' })
}

/** Nothing on stderr but what the command itself says (`--quiet`). */
class QuietDisplay implements BatchDisplay {
  started(): void {}
  ended(): void {}
  spent(): void {}
  note(): void {}
  stop(): void {}
}

/** One line per item as it ends. */
class LineDisplay implements BatchDisplay {
  readonly #io: CliIO
  readonly #words: CliWords
  readonly #tally: Tally

  constructor(io: CliIO, words: CliWords, tally: Tally) {
    this.#io = io
    this.#words = words
    this.#tally = tally
  }

  started(): void {
    this.#tally.running += 1
  }

  ended(end?: ItemEnd): void {
    this.#tally.running -= 1
    if (!end) return
    this.#tally.end(end.row)
    this.#io.stderr.write(`${itemLine(this.#words, this.#tally.finished, this.#tally.total, end)}\n`)
  }

  spent(credits: number): void {
    this.#tally.credits = credits
  }

  note(line: string): void {
    this.#io.stderr.write(`${line}\n`)
  }

  stop(): void {}
}

/** The cli-progress bar, with the failures printed above it. */
class BarDisplay implements BatchDisplay {
  readonly #io: CliIO
  readonly #words: CliWords
  readonly #tally: Tally
  readonly #bars: cliProgress.MultiBar
  readonly #bar: cliProgress.SingleBar
  #stopped = false

  constructor(io: CliIO, words: CliWords, tally: Tally) {
    this.#io = io
    this.#words = words
    this.#tally = tally
    this.#bars = new cliProgress.MultiBar({
      stream: io.stderr,
      format: words.batch.barFormat,
      // The counts need about 70 columns: the bar gets what is left of the terminal's width.
      barsize: Math.max(8, Math.min(30, ((io.stderr as { columns?: number }).columns || 80) - 72)),
      fps: 5,
      // Cut at the terminal's width rather than turning wrapping off (a second Ctrl-C exits at once: nothing to restore).
      linewrap: true,
      hideCursor: false,
      barCompleteChar: '█',
      barIncompleteChar: '░',
    })
    this.#bar = this.#bars.create(tally.total, tally.finished, this.#payload())
  }

  #payload(): Record<string, string | number> {
    const tally = this.#tally
    return { done: tally.done, running: tally.running, failed: tally.failed + tally.unknown, credits: tally.credits, left: formatEta(tally.etaSeconds(), this.#words.batch.etaUnknown) }
  }

  #redraw(): void {
    if (!this.#stopped) this.#bar.update(this.#tally.finished, this.#payload())
  }

  started(): void {
    this.#tally.running += 1
    this.#redraw()
  }

  ended(end?: ItemEnd): void {
    this.#tally.running -= 1
    if (end) {
      this.#tally.end(end.row)
      if (end.row.state !== 'done') this.note(itemLine(this.#words, this.#tally.finished, this.#tally.total, end))
    }
    this.#redraw()
  }

  spent(credits: number): void {
    this.#tally.credits = credits
    this.#redraw()
  }

  note(line: string): void {
    if (this.#stopped) this.#io.stderr.write(`${line}\n`)
    else this.#bars.log(`${line}\n`)
  }

  stop(): void {
    if (this.#stopped) return
    this.#redraw()
    this.#stopped = true
    // A last render writes the messages still buffered above the bar (stop() alone would drop them).
    this.#bars.update()
    this.#bars.stop()
  }
}

/** The display for the run: the bar on a terminal, lines elsewhere, nothing with `--quiet`. */
export function createDisplay(io: CliIO, options: DisplayOptions): BatchDisplay {
  const words = wordsFor(options.language)
  if (options.quiet) return new QuietDisplay()
  const tally = new Tally(options.total, options.alreadyDone, options.now ?? Date.now)
  return io.stderrIsTTY ? new BarDisplay(io, words, tally) : new LineDisplay(io, words, tally)
}
