/** How an interrupted batch tells its user to run it again. */

/** The command line to run again, without the key or a URL's password (neither is ever printed: `redis://:…@host`). */
export function sameCommand(argv: readonly string[]): string {
  const shown: string[] = []
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? ''
    if (arg === '--api-key') {
      index += 1
      continue
    }
    if (arg.startsWith('--api-key=')) continue
    const masked = arg.replace(/(\/\/[^:@/\s]*:)[^@/\s]+@/, '$1…@')
    shown.push(/^[\w@%+=:,./…-]+$/.test(masked) ? masked : `'${masked.replace(/'/g, `'\\''`)}'`)
  }
  return ['ima', ...shown].join(' ')
}
