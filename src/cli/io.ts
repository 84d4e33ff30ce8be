/**
 * Where the CLI writes. Results go to stdout (a URL, a path, or one JSON
 * object), everything for the person at the terminal goes to stderr, so
 * `ima … --output-json | jq` and `url=$(ima generate …)` always work; the
 * skills' log file gets the client's log lines.
 */
import type { Writable } from 'node:stream'
import { openSkillsLog, type CliLog } from './log-file.js'

/** The CLI's streams and what they are attached to. */
export interface CliIO {
  stdout: Writable
  stderr: Writable
  /** Whether stderr is a terminal: one updating progress line instead of periodic lines. */
  stderrIsTTY: boolean
  env: NodeJS.ProcessEnv
  /** The skills' log file (`~/.openclaw/logs/ima_skills/`), opened at its first line. */
  log: CliLog
}

/**
 * Makes a closed reader (`ima … 2>&1 | head`, a log pipe or ssh session that went away) end
 * what the CLI prints, not the CLI: an unhandled EPIPE would kill a batch with creates in flight,
 * their answers — paid tasks — never recorded. What it printed is in the summary and the journal.
 */
function outliveClosedReaders(stream: NodeJS.WriteStream): void {
  if (stream.listenerCount('error') > 0) return
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') process.exitCode = 1
  })
}

/** The real process streams and the skills' log file. */
export function processIO(): CliIO {
  outliveClosedReaders(process.stdout)
  outliveClosedReaders(process.stderr)
  return { stdout: process.stdout, stderr: process.stderr, stderrIsTTY: process.stderr.isTTY === true, env: process.env, log: openSkillsLog() }
}

/** Writes one line to stdout (results only). */
export function out(io: CliIO, line: string): void {
  io.stdout.write(`${line}\n`)
}

/** Writes one line to stderr (messages and progress). */
export function say(io: CliIO, line: string): void {
  io.stderr.write(`${line}\n`)
}
