/**
 * Where the CLI writes. Results go to stdout (a URL, a path, or one JSON
 * object), everything for the person at the terminal goes to stderr, so
 * `ima … --output-json | jq` and `url=$(ima generate …)` always work.
 */
import type { Writable } from 'node:stream'

/** The CLI's streams and what they are attached to. */
export interface CliIO {
  stdout: Writable
  stderr: Writable
  /** Whether stderr is a terminal: one updating progress line instead of periodic lines. */
  stderrIsTTY: boolean
  env: NodeJS.ProcessEnv
}

/** The real process streams. */
export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, stderrIsTTY: process.stderr.isTTY === true, env: process.env }
}

/** Writes one line to stdout (results only). */
export function out(io: CliIO, line: string): void {
  io.stdout.write(`${line}\n`)
}

/** Writes one line to stderr (messages and progress). */
export function say(io: CliIO, line: string): void {
  io.stderr.write(`${line}\n`)
}
