/**
 * The main entry stays small at import: the client's engine (the HTTP layer,
 * the resources, zod, ofetch, the protocol rules and the catalog) loads on the
 * first call, through one `import()`. Bundled the way an app bundler does it
 * (esbuild, code splitting), what `import { ImaClient }` runs at start-up must
 * hold none of them, and must stay within the size the bench reports.
 */
import { brotliCompressSync, constants } from 'node:zlib'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { build, type Metafile } from 'esbuild'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')

interface Split {
  /** Inputs (source files, packages) of the chunks that load at import. */
  eagerInputs: string[]
  /** Inputs of the chunks that load on the first call. */
  lazyInputs: string[]
  eagerBytes: Uint8Array
}

async function bundleSplit(contents: string): Promise<Split> {
  const dir = mkdtempSync(join(tmpdir(), 'ima-lazy-'))
  const entry = join(ROOT, `.lazy-entry-${process.pid}.ts`)
  writeFileSync(entry, contents)
  try {
    const result = await build({
      entryPoints: { entry },
      absWorkingDir: ROOT,
      bundle: true,
      splitting: true,
      minify: true,
      format: 'esm',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      conditions: ['import', 'default'],
      outdir: dir,
      write: false,
      metafile: true,
      logLevel: 'silent',
    })
    const outputs: Metafile['outputs'] = result.metafile.outputs
    const entryName = Object.keys(outputs).find((name) => outputs[name]?.entryPoint !== undefined)!
    const eager = new Set<string>()
    const visit = (name: string) => {
      if (eager.has(name)) return
      eager.add(name)
      for (const imported of outputs[name]?.imports ?? []) if (imported.kind === 'import-statement') visit(imported.path)
    }
    visit(entryName)
    const inputsOf = (names: string[]) => names.flatMap((name) => Object.keys(outputs[name]?.inputs ?? {}))
    const lazy = Object.keys(outputs).filter((name) => name.endsWith('.js') && !eager.has(name))
    const files = new Map(result.outputFiles.map((file) => [file.path, file.contents]))
    const eagerBytes = Buffer.concat([...eager].map((name) => files.get(resolve(ROOT, name)) ?? new Uint8Array()))
    return { eagerInputs: inputsOf([...eager]), lazyInputs: inputsOf(lazy), eagerBytes }
  } finally {
    rmSync(entry, { force: true })
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('the main entry at import', () => {
  it('holds the client, its options, the errors and the emitter; the engine loads on the first call', async () => {
    const split = await bundleSplit(`export { ImaClient } from './src/index.ts'`)
    const heavy = ['node_modules/zod/', 'node_modules/ofetch/', 'node_modules/p-wait-for/', 'src/http/http-client.ts', 'src/resources/tasks/tasks.ts', 'src/resources/uploads/', 'src/protocol/create-body.ts', 'src/catalog/capabilities.ts']
    expect(split.eagerInputs.filter((input) => heavy.some((part) => input.includes(part)))).toEqual([])
    expect(split.eagerInputs).toContain('src/client.ts')
    for (const part of heavy) expect(split.lazyInputs.some((input) => input.includes(part)), part).toBe(true)
  }, 60_000)

  it('is at most 15 kB min + brotli from the built package (the bench prints the figure)', async () => {
    const split = await bundleSplit(`export { ImaClient } from './dist/index.js'`)
    const brotli = brotliCompressSync(split.eagerBytes, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY } }).length
    expect(brotli).toBeLessThanOrEqual(15 * 1024)
  }, 60_000)
})
