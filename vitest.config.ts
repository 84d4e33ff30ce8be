import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig({
  resolve: {
    // Tests import the package by its public names, resolved to the sources.
    alias: [
      { find: /^ima-open-sdk\/node$/, replacement: source('./src/node/index.ts') },
      { find: /^ima-open-sdk\/testing$/, replacement: source('./src/testing/index.ts') },
      { find: /^ima-open-sdk\/chat$/, replacement: source('./src/chat/index.ts') },
      { find: /^ima-open-sdk\/protocol$/, replacement: source('./src/protocol/index.ts') },
      { find: /^ima-open-sdk\/ai-sdk$/, replacement: source('./src/ai-sdk/index.ts') },
      { find: /^ima-open-sdk\/queue$/, replacement: source('./src/queue/index.ts') },
      { find: /^ima-open-sdk$/, replacement: source('./src/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // One temporary folder per run, removed at its end (see the file).
    globalSetup: ['./test/support/temp-root.ts'],
    testTimeout: 15_000,
  },
})
