/**
 * citty parses leniently (an unknown `--flag` just becomes `true`), which
 * would let a typo like `--promt` silently generate without the prompt the
 * user meant. Each command checks its own options against its definition.
 */
import type { ArgsDef } from 'citty'
import { CliUsageError } from './errors.js'
import { GATHERED_FLAGS } from './argv.js'

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()
}

/** Throws a usage error for the first option `argsDef` does not declare. */
export function rejectUnknownOptions(rawArgs: readonly string[], argsDef: ArgsDef): void {
  const known = new Map(Object.entries(argsDef).filter(([, def]) => def.type !== 'positional'))
  for (let index = 0; index < rawArgs.length; index += 1) {
    const token = rawArgs[index] as string
    if (token === '--') return
    if (!token.startsWith('-') || token === '-') continue
    const [flag = '', inline] = token.replace(/^-{1,2}/, '').split(/=(.*)/s)
    let name = kebab(flag)
    if (!known.has(name) && name.startsWith('no-') && known.get(name.slice(3))?.type === 'boolean') name = name.slice(3)
    const def = known.get(name)
    if (!def) {
      const gathered = [...GATHERED_FLAGS.multi, ...GATHERED_FLAGS.repeat].includes(name)
      throw new CliUsageError(gathered ? `--${name} is not an option of this command` : `Unknown option ${token.split('=')[0]}`)
    }
    // A string flag's value is the next token, unless given inline.
    if (inline === undefined && def.type !== 'boolean') index += 1
  }
}
