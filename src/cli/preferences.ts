/**
 * The preference store the CLI uses: the skills' own file, so `ima` and the
 * Python script it replaces read and write the same memory.
 */
import { FilePreferenceStore } from '../node/index.js'
import type { PreferenceStore } from '../stores/preferences.js'
import type { CliIO } from './io.js'
import type { PrefsFileOptions } from './options.js'

/** A file store at `--prefs-file`, `IMA_PREFS_FILE`, or the skills' default path. */
export function createPreferenceStore(options: PrefsFileOptions, io: CliIO): PreferenceStore & { readonly path: string } {
  const path = options.prefsFile || io.env.IMA_PREFS_FILE?.trim() || undefined
  return new FilePreferenceStore(path ? { path } : {})
}
