/**
 * The one argv pass citty cannot do. citty (over `node:util` parseArgs) keeps
 * the LAST value of a repeated string flag and cannot take several values
 * after one flag, but the reference script's `--input-images` takes both:
 * `--input-images a.png b.png --input-images https://…`. So those flags are
 * lifted out of argv here, before citty sees the rest.
 */
import { CliUsageError } from './errors.js'

/** Which flags the pre-pass gathers, by their long name without dashes. */
export interface GatherSpec {
  /** Flags that take one or more values each, until the next `-…` token; repeatable. */
  multi: readonly string[]
  /** Flags that take exactly one value each; repeatable. */
  repeat: readonly string[]
}

/** What the pre-pass found: the values of each gathered flag (in order) and argv without them. */
export interface Gathered {
  argv: string[]
  values: Record<string, string[]>
}

/** The flags every `ima` command line may repeat. */
export const GATHERED_FLAGS: GatherSpec = { multi: ['input-images'], repeat: ['image'] }

function isFlag(token: string): boolean {
  return token.startsWith('-') && token !== '-'
}

/**
 * Lifts the values of repeatable and multi-value flags out of `argv`. Both
 * `--flag value` and `--flag=value` are read; everything after `--` is left
 * alone. A flag with no value is a usage error.
 *
 * @example
 * ```ts
 * gatherFlags(['--input-images', 'a.png', 'b.png', '--prompt', 'x'], GATHERED_FLAGS)
 * // { argv: ['--prompt', 'x'], values: { 'input-images': ['a.png', 'b.png'], image: [] } }
 * ```
 */
export function gatherFlags(argv: readonly string[], spec: GatherSpec = GATHERED_FLAGS): Gathered {
  const values: Record<string, string[]> = {}
  for (const name of [...spec.multi, ...spec.repeat]) values[name] = []
  const rest: string[] = []
  for (let index = 0; index < argv.length; index += 1) {
    const token = argv[index] as string
    if (token === '--') {
      rest.push(...argv.slice(index))
      break
    }
    const match = /^--([^=]+)(?:=(.*))?$/s.exec(token)
    const name = match?.[1]
    const multi = name !== undefined && spec.multi.includes(name)
    if (!match || name === undefined || (!multi && !spec.repeat.includes(name))) {
      rest.push(token)
      continue
    }
    const found = values[name] as string[]
    const before = found.length
    if (match[2] !== undefined) {
      if (match[2] !== '') found.push(match[2])
    } else if (multi) {
      while (index + 1 < argv.length && !isFlag(argv[index + 1] as string)) found.push(argv[++index] as string)
    } else if (index + 1 < argv.length && !isFlag(argv[index + 1] as string)) {
      found.push(argv[++index] as string)
    }
    if (found.length === before) throw new CliUsageError(`--${name} needs a value: an image path or an https URL`)
  }
  return { argv: rest, values }
}
