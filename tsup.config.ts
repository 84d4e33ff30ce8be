import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'node/index': 'src/node/index.ts',
    'testing/index': 'src/testing/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // Shared chunks, so `ima-open-sdk/node` (whose ImaClient extends the core's) and the
  // main entry load ONE copy of the core: otherwise `instanceof ValidationError` fails
  // for an error from the Node client checked against the class from 'ima-open-sdk'.
  splitting: true,
  treeshake: true,
})
