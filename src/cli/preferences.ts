/**
 * The preference store the CLI uses: the skills' own file, so `ima` and the
 * Python script it replaces read and write the same memory.
 */
import type { ArgsDef } from 'citty'
import { FilePreferenceStore } from '../node/index.js'
import type { PreferenceStore } from '../stores/preferences.js'
import type { CliIO } from './io.js'

/** The flag that points the store elsewhere (tests, several profiles). */
export const PREFS_ARGS = {
  'prefs-file': {
    type: 'string',
    description: 'Preferences file (default: IMA_PREFS_FILE, else ~/.openclaw/memory/ima_prefs.json, the skills\' file)',
    valueHint: 'path',
  },
} satisfies ArgsDef

/** A file store at `--prefs-file`, `IMA_PREFS_FILE`, or the skills' default path. */
export function createPreferenceStore(args: Record<string, unknown>, io: CliIO): PreferenceStore & { readonly path: string } {
  const flag = typeof args['prefs-file'] === 'string' && args['prefs-file'] !== '' ? args['prefs-file'] : undefined
  const path = flag ?? (io.env.IMA_PREFS_FILE?.trim() || undefined)
  return new FilePreferenceStore(path ? { path } : {})
}
