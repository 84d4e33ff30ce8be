import { defineConfig } from 'tsup'

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      'node/index': 'src/node/index.ts',
      'testing/index': 'src/testing/index.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    // Everything but dist/cli, which the second config below builds at the same time:
    // tsup runs the configs in parallel, and a plain `clean: true` could delete the bin.
    clean: ['!cli/**'],
    target: 'node20',
    // Shared chunks, so `ima-open-sdk/node` (whose ImaClient extends the core's) and the
    // main entry load ONE copy of the core: otherwise `instanceof ValidationError` fails
    // for an error from the Node client checked against the class from 'ima-open-sdk'.
    splitting: true,
    treeshake: true,
    // zod/mini is bundled into dist (only the parts the schemas use): its many-file module
    // graph is most of the cold-import cost, and users never see zod types in our API.
    noExternal: ['zod'],
  },
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
    noExternal: ['zod'],
    banner: { js: '#!/usr/bin/env node' },
  },
])
