import { readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Plugin } from 'esbuild'
import { defineConfig, type Options } from 'tsup'

/**
 * The runtime dependencies bundled into dist (they stay in `dependencies`: the
 * .d.ts files still import their types). zod/mini: its many-file module graph
 * was most of the cold-import cost. p-wait-for is ESM-only, so a CommonJS build
 * that `require`s it breaks Jest's default config and `tsx` on `.cts`. ofetch
 * (with its own deps destr and ufo) and eventemitter3: one file to load instead
 * of a package graph, and ofetch's entry reduced to its core (plugin below).
 */
const BUNDLED = ['zod', 'p-wait-for', 'ofetch', 'destr', 'ufo', 'eventemitter3']

/**
 * Resolves `ofetch` to its isomorphic core (`createFetch`, `FetchError`): both of
 * its entries build a default `ofetch` instance at module top level, which reads
 * `globalThis.Headers` — on Node 20 a getter that loads undici (≈ a Node start
 * by itself) — and the Node entry also pulls node-fetch-native, http and https.
 * We pass our own fetch to `createFetch`, so none of that is needed. The entry's
 * own re-export lines name the core chunk (its file name is a content hash).
 */
const ofetchCore: Plugin = {
  name: 'ofetch-core',
  setup(build) {
    build.onLoad({ filter: /[\\/]ofetch[\\/]dist[\\/](index|node)\.mjs$/ }, (args) => {
      const lines = readFileSync(args.path, 'utf8')
        .split('\n')
        .filter((line) => /^(import|export) \{[^}]*\} from '\.\/shared\/ofetch\.[\w-]+\.mjs';$/.test(line))
        .map((line) => line.replace(/^import /, 'export '))
      const contents = lines.join('\n')
      if (!/\bcreateFetch\b/.test(contents) || !/\bFetchError\b/.test(contents)) {
        throw new Error(`ofetch-core: ${args.path} no longer re-exports createFetch and FetchError from its shared chunk; update tsup.config.ts`)
      }
      return { contents, resolveDir: dirname(args.path) }
    })
  },
}

/**
 * In the CommonJS build, three dynamic imports become `require`s on first use:
 * the client's engine (`src/resources/engine.ts`, from `facades.ts`), BullMQ
 * (`src/queue/load-bullmq.ts`, an optional peer that ships CommonJS too) and
 * selfsigned (`src/testing/tls.ts`, CommonJS). A dynamic `import()` in CommonJS needs `--experimental-vm-modules`
 * under Jest's default config, and CommonJS users load from disk, where one
 * file more or less costs nothing. The ESM build keeps `import()`, so
 * bundlers put the engine in a chunk of its own. Each line is matched
 * exactly, so a change to it fails the build instead of silently changing
 * how the module loads.
 */
const REQUIRED_IN_COMMONJS: readonly { file: RegExp; specifier: string }[] = [
  { file: /[\\/]src[\\/]resources[\\/]facades\.ts$/, specifier: './engine.js' },
  { file: /[\\/]src[\\/]queue[\\/]load-bullmq\.ts$/, specifier: 'bullmq' },
  // selfsigned (the https local server's certificate) is CommonJS: Jest's default config refuses its import().
  { file: /[\\/]src[\\/]testing[\\/]tls\.ts$/, specifier: 'selfsigned' },
]
// tsup hands esbuild `format: 'esm'` for both builds (it converts to CommonJS afterwards), so the CommonJS one is told by its options object.
const commonJsBuilds = new WeakSet<object>()
const requireInCommonJs: Plugin = {
  name: 'require-in-cjs',
  setup(build) {
    if (!commonJsBuilds.has(build.initialOptions)) return
    for (const { file, specifier } of REQUIRED_IN_COMMONJS) {
      const dynamicImport = `import('${specifier}')`
      build.onLoad({ filter: file }, (args) => {
        const source = readFileSync(args.path, 'utf8')
        if (source.split(dynamicImport).length !== 2) {
          throw new Error(`require-in-cjs: ${args.path} must contain ${dynamicImport} exactly once; update tsup.config.ts`)
        }
        const required = `Promise.resolve().then(() => require('${specifier}') as typeof import('${specifier}'))`
        return { contents: source.replace(dynamicImport, required), loader: 'ts' }
      })
    }
  },
}

const library: Options = {
  entry: {
    index: 'src/index.ts',
    'node/index': 'src/node/index.ts',
    'testing/index': 'src/testing/index.ts',
    'chat/index': 'src/chat/index.ts',
    'protocol/index': 'src/protocol/index.ts',
    'ai-sdk/index': 'src/ai-sdk/index.ts',
    'queue/index': 'src/queue/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  // Everything but dist/cli, which the second config below builds at the same time:
  // tsup runs the configs in parallel, and a plain `clean: true` could delete the bin.
  clean: ['!cli/**'],
  target: 'node20',
  // Shared chunks within each format, so `ima-open-sdk/node` (whose ImaClient extends
  // the core's) and the main entry load ONE copy of the core: otherwise `instanceof
  // ValidationError` fails for an error from the Node client checked against the class
  // from 'ima-open-sdk'. Bundled dependencies land in those chunks once, too.
  splitting: true,
  treeshake: true,
  noExternal: BUNDLED,
  // The Vercel AI SDK, ioredis and BullMQ are the user's own (optional peers of `ima-open-sdk/ai-sdk` and `/queue`): never bundled.
  external: ['ai', /^@ai-sdk\//, 'ioredis', 'bullmq'],
  esbuildPlugins: [ofetchCore, requireInCommonJs],
  esbuildOptions(options, context) {
    if (context.format !== 'cjs') return
    commonJsBuilds.add(options)
    // tsup's CommonJS output assigns classes to `exports.X = class …`, which leaves them nameless
    // (`constructor.name === ''`: Jest's "Expected constructor" lines, pino's `type`). The ESM build
    // keeps its declarations' names; there keepNames would cost about 4.5 kB (min + gzip).
    options.keepNames = true
  },
}

export default defineConfig([
  library,
  {
    // The `ima` bin: ESM only (a bin is never `require`d), no types, its own folder.
    entry: { index: 'src/cli/index.ts' },
    outDir: 'dist/cli',
    format: ['esm'],
    dts: false,
    // No maps: the bin never shows a stack trace, and they would triple what it adds to the tarball.
    sourcemap: false,
    clean: true,
    target: 'node20',
    platform: 'node',
    // `ima serve` loads the local server lazily, as its own chunk.
    splitting: true,
    treeshake: true,
    noExternal: BUNDLED,
    esbuildPlugins: [ofetchCore],
    banner: { js: '#!/usr/bin/env node' },
  },
])
