/**
 * The `ima` the CLI tests spawn: the sources bundled by esbuild into a
 * temporary folder, as tsup bundles the published bin (a chunk per lazily
 * loaded command, the packages left to node_modules), so the tests check the
 * code as it is, without `npm run build`, and each run starts fast (tsx would
 * compile the SDK's files again on every start). `IMA_CLI_BIN=dist/cli/index.js`
 * spawns a built bin instead, to test the bundle exactly as it ships.
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { build } from 'esbuild'

const ROOT = resolve(import.meta.dirname, '../..')
// Inside the repository, so the packages left out of the bundle resolve from its node_modules.
const BUNDLES = join(ROOT, 'node_modules/.cache')

/** A runnable `ima`: the node arguments before its own, and how to remove the temporary bundle. */
export interface ImaProcess {
  nodeArgs: string[]
  remove(): Promise<void>
}

/** Bundles `src/cli` (or takes `IMA_CLI_BIN`); call `remove()` when the tests are done. */
export async function prepareIma(): Promise<ImaProcess> {
  const bin = process.env.IMA_CLI_BIN
  if (bin !== undefined && bin !== '') {
    const path = resolve(bin)
    if (!existsSync(path)) throw new Error(`IMA_CLI_BIN=${bin}: ${path} is missing; build it (npm run build) or unset IMA_CLI_BIN to test the sources`)
    return { nodeArgs: [path], remove: async () => undefined }
  }
  await mkdir(BUNDLES, { recursive: true })
  const outdir = await mkdtemp(join(BUNDLES, 'ima-cli-test-'))
  await build({
    entryPoints: { index: join(ROOT, 'src/cli/index.ts') },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  })
  return { nodeArgs: [join(outdir, 'index.js')], remove: () => rm(outdir, { recursive: true, force: true }) }
}
