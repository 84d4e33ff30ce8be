/**
 * Bundle sizes as an app bundler would ship them: esbuild bundles the import,
 * minifies it, and node:zlib compresses it (brotli at quality 11; gzip at
 * level 9). `platform: 'neutral'` keeps Node-only code out; it sets no
 * conditions or main fields of its own, so we give the ones a browser/edge
 * bundler uses: `mainFields: ['module', 'main']` and `conditions: ['import',
 * 'default']` (esbuild adds `import`/`require` per import kind anyway).
 *
 * Ours is bundled from the built `dist/index.js`. The breakdown of the
 * `ImaClient` bundle is bundled from `src/` with the same settings, because
 * `dist` already has zod inlined and would show up as one input.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { build, type Metafile } from 'esbuild'
import { fixed, printTable, requireBuild, ROOT, verdict } from './lib/stats.js'

const kB = (bytes: number) => `${fixed(bytes / 1024, 1)} kB`

interface Bundle {
  /** What loads when the import runs: the entry chunk and the chunks it imports statically. */
  min: number
  gzip: number
  brotli: number
  /** Everything the bundle holds, chunks loaded on first use (`import()`) included. */
  totalMin: number
  totalBrotli: number
  /** The inputs (our files, packages) of what loads at import, and of the chunks loaded on first use. */
  eagerInputs: string[]
  lazyInputs: string[]
  metafile: Metafile
}

const brotli = (code: Uint8Array) =>
  brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: code.length } }).length

/**
 * Bundles `contents` as an app bundler ships it: code splitting on (Vite,
 * webpack, Rollup and esbuild all split at `import()`), so what an import
 * costs at start-up (`min`, `gzip`, `brotli`: the entry chunk and its static
 * imports) is told apart from what loads on the first call (`total*`).
 */
export async function bundle(contents: string): Promise<Bundle> {
  const dir = mkdtempSync(join(tmpdir(), 'ima-size-'))
  try {
    const entry = join(ROOT, `.size-entry-${process.pid}-${Math.random().toString(36).slice(2)}.ts`)
    writeFileSync(entry, contents)
    try {
      const result = await build({
        entryPoints: { entry },
        absWorkingDir: ROOT,
        bundle: true,
        splitting: true,
        outdir: dir,
        minify: true,
        format: 'esm',
        platform: 'neutral',
        mainFields: ['module', 'main'],
        conditions: ['import', 'default'],
        write: false,
        metafile: true,
        logLevel: 'silent',
      })
      const files = new Map(result.outputFiles.map((file) => [relative(ROOT, file.path), file.contents]))
      const outputs = result.metafile.outputs
      const entryOut = Object.keys(outputs).find((name) => outputs[name]?.entryPoint !== undefined)!
      // The entry and what it imports statically, transitively: what runs at import.
      const eager = new Set<string>()
      const visit = (name: string) => {
        if (eager.has(name)) return
        eager.add(name)
        for (const imported of outputs[name]?.imports ?? []) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path)
      }
      visit(entryOut)
      const codeOf = (names: Iterable<string>) => {
        const parts = [...names].filter((name) => name.endsWith('.js')).map((name) => files.get(name) ?? new Uint8Array())
        return Buffer.concat(parts)
      }
      const eagerCode = codeOf(eager)
      const allCode = codeOf(Object.keys(outputs))
      const inputsOf = (names: string[]) => names.flatMap((name) => Object.keys(outputs[name]?.inputs ?? {}))
      return {
        eagerInputs: inputsOf([...eager]),
        lazyInputs: inputsOf(Object.keys(outputs).filter((name) => name.endsWith('.js') && !eager.has(name))),
        min: eagerCode.length,
        gzip: gzipSync(eagerCode, { level: 9 }).length,
        brotli: brotli(eagerCode),
        totalMin: allCode.length,
        totalBrotli: brotli(allCode),
        metafile: result.metafile,
      }
    } finally {
      rmSync(entry, { force: true })
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** `zod`, `@fal-ai/client`, `src/core`, `src (top level)`: the package or our folder an input belongs to. */
export function groupOf(input: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1]
  if (pkg) return pkg
  const folder = /^src\/([^/]+)\//.exec(input)?.[1]
  return folder ? `src/${folder}` : input.startsWith('src/') ? 'src (top level)' : input
}

const ENTRIES = [
  { name: "ima: import { ImaClient } from 'ima-open-sdk'", contents: `export { ImaClient } from './dist/index.js'`, targetKB: 15 },
  { name: "ima: import * as sdk from 'ima-open-sdk'", contents: `export * from './dist/index.js'`, targetKB: 20 },
  { name: "openai: import OpenAI from 'openai'", contents: `export { OpenAI } from 'openai'` },
  { name: "fal: import { fal, createFalClient } from '@fal-ai/client'", contents: `export { fal, createFalClient } from '@fal-ai/client'` },
  { name: "replicate: import Replicate from 'replicate'", contents: `export { default } from 'replicate'` },
  { name: "floor: import { ofetch } from 'ofetch'", contents: `export { ofetch } from 'ofetch'` },
]

export async function bundleSizes(): Promise<void> {
  requireBuild('dist/index.js')
  console.log("1. Bundle size (esbuild, platform 'neutral', mainFields module,main, conditions import,default; code splitting; minified; brotli q11 / gzip 9)")
  console.log('   "at import" = the entry chunk and its static imports; "with lazy chunks" adds what loads on the first call (import())')
  const sizes: Bundle[] = []
  for (const entry of ENTRIES) sizes.push(await bundle(entry.contents))
  const client = sizes[0] as Bundle
  printTable(
    ['bundle', 'min at import', 'min+gzip', 'min+brotli', '× ImaClient', 'target (brotli)', 'with lazy chunks: min', 'min+brotli'],
    ENTRIES.map((entry, i) => {
      const size = sizes[i] as Bundle
      return [
        entry.name,
        kB(size.min),
        kB(size.gzip),
        kB(size.brotli),
        `${fixed(size.brotli / client.brotli)}×`,
        entry.targetKB === undefined ? '' : `≤ ${entry.targetKB} kB ${verdict(size.brotli <= entry.targetKB * 1024)}`,
        size.totalMin === size.min ? '(none)' : kB(size.totalMin),
        size.totalMin === size.min ? '' : kB(size.totalBrotli),
      ]
    }),
  )

  const fromSrc = await bundle(`export { ImaClient } from './src/index.ts'`)
  const inputs = Object.values(fromSrc.metafile.outputs)
    .flatMap((output) => Object.entries(output.inputs))
    .map(([input, { bytesInOutput }]) => ({ input, group: groupOf(input), bytes: bytesInOutput }))
    .filter((input) => input.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes)
  const total = inputs.reduce((sum, input) => sum + input.bytes, 0)
  const share = (bytes: number) => `${fixed((bytes / total) * 100, 1)}%`
  console.log(
    `\n   What is in the ImaClient bundle, lazy chunks included (bundled from src/ with the same settings: ${kB(fromSrc.min)} min / ${kB(fromSrc.brotli)} brotli at import, ${kB(fromSrc.totalMin)} / ${kB(fromSrc.totalBrotli)} in all; minified bytes per input)`,
  )
  printTable(
    ['top 10 inputs', 'group', 'min bytes', 'share'],
    inputs.slice(0, 10).map((input) => [input.input, input.group, String(input.bytes), share(input.bytes)]),
  )
  const groups = new Map<string, { bytes: number; files: number }>()
  for (const input of inputs) {
    const group = groups.get(input.group) ?? { bytes: 0, files: 0 }
    group.bytes += input.bytes
    group.files += 1
    groups.set(input.group, group)
  }
  console.log('')
  printTable(
    ['by package / folder', 'files', 'min bytes', 'share'],
    [...groups].sort((a, b) => b[1].bytes - a[1].bytes).map(([group, { bytes, files }]) => [group, String(files), String(bytes), share(bytes)]),
  )
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleSizes()
