/**
 * The documents whose code the docs tests check: the README and the guides
 * (docs/*.md; the generated docs/api/ is not written by hand), and what
 * they show — ```ts blocks for snippets.test.ts, shell commands for
 * commands.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const ROOT = resolve(import.meta.dirname, '../..')

/** README.md and every guide, as paths relative to the repository. */
export function documents(): string[] {
  const guides = readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.md') && !file.startsWith('api/'))
    .map((file) => join('docs', file))
  return ['README.md', ...guides.sort()]
}

const FENCE = /^```([\w-]*)\n([\s\S]*?)^```/gm

/** The ```ts blocks of a document, in order. */
export function snippetsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  return [...text.matchAll(FENCE)].filter((match) => match[1] === 'ts').map((match) => match[2] ?? '')
}

/** A shell command a document shows, as written (continuation lines joined, comments removed, runs of spaces as one). */
export interface ShownCommand {
  command: string
  file: string
}

/** Words that start a shell command when an inline code span begins with them. */
const PROGRAMS = /^(npm|npx|node|tsx|curl|python3?|jq|echo|export|bash|sh)\s/
const ENV_ASSIGNMENT = /^[A-Z][A-Z0-9_]*=\S*/

/**
 * Whether an inline code span is a command: it starts with a program and has
 * more than the program's name (`npm test`, not `curl`), or it is an `ima`
 * command (`ima` and one of its subcommands or a flag, not a log line such as
 * `ima task created` nor the package name).
 */
function isInlineCommand(span: string, imaSubcommands: readonly string[]): boolean {
  if (PROGRAMS.test(span) || ENV_ASSIGNMENT.test(span)) return true
  const [program, next] = span.split(/\s+/)
  return program === 'ima' && next !== undefined && (imaSubcommands.includes(next) || next.startsWith('-') || next === '…')
}

/**
 * Every shell command the README and the guides show: each line of a ```sh
 * block, each `$ …` line of a transcript (```text or a bare fence), and each
 * inline code span that is a command.
 */
export function shownCommands(imaSubcommands: readonly string[]): ShownCommand[] {
  const shown: ShownCommand[] = []
  for (const file of documents()) {
    const text = readFileSync(join(ROOT, file), 'utf8')
    for (const [, language, body = ''] of text.matchAll(FENCE)) {
      if (language === 'sh' || language === 'bash') {
        for (const line of body.replace(/\\\n\s*/g, ' ').split('\n')) {
          const command = line.replace(/(^|\s)#\s.*$/, '').replace(/\s+/g, ' ').trim()
          if (command !== '') shown.push({ command, file })
        }
      } else if (language === 'text' || language === '' || language === 'console') {
        for (const line of body.split('\n')) if (line.startsWith('$ ')) shown.push({ command: line.slice(2).trim(), file })
      }
    }
    const prose = text.replace(FENCE, '')
    for (const [, span = ''] of prose.matchAll(/`([^`\n]+)`/g)) {
      if (isInlineCommand(span, imaSubcommands)) shown.push({ command: span.trim(), file })
    }
  }
  return shown
}
