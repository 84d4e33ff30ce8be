/**
 * The main entry stays small at import: the client's engine (the HTTP layer,
 * the resources, zod, ofetch, the protocol rules and the catalog) loads on the
 * first call, through one `import()`. Bundled the way an app bundler does it
 * (esbuild, code splitting), what `import { ImaClient }` runs at start-up must
 * hold none of them, and must stay within the size the bench reports.
 */
import { describe, expect, it } from 'vitest'
// The bench's own bundling, so the test and the figure it guards are measured the same way.
import { bundle } from '../../bench/size.js'

describe('the main entry at import', () => {
  it('holds the client, its options, the errors and the emitter; the engine loads on the first call', async () => {
    const split = await bundle(`export { ImaClient } from './src/index.ts'`)
    const heavy = ['node_modules/zod/', 'node_modules/ofetch/', 'node_modules/p-wait-for/', 'src/http/http-client.ts', 'src/resources/tasks/tasks.ts', 'src/resources/uploads/', 'src/protocol/create-body.ts', 'src/catalog/capabilities.ts']
    expect(split.eagerInputs.filter((input) => heavy.some((part) => input.includes(part)))).toEqual([])
    expect(split.eagerInputs).toContain('src/client.ts')
    for (const part of heavy) expect(split.lazyInputs.some((input) => input.includes(part)), part).toBe(true)
  }, 60_000)

  it('is at most 15 kB min + brotli from the built package (the bench prints the figure)', async () => {
    const split = await bundle(`export { ImaClient } from './dist/index.js'`)
    expect(split.brotli).toBeLessThanOrEqual(15 * 1024)
  }, 60_000)
})
