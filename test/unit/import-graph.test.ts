/**
 * The shape of the source tree: no import cycle (type imports included), and
 * imports that point down — internal/ at the bottom, the HTTP layer and the protocol rules know
 * nothing of resources, stores or the catalog; the local server shares none
 * of the client's rules, or both would share their mistakes.
 */
import { resolve } from 'node:path'
import madge from 'madge'
import { beforeAll, describe, expect, it } from 'vitest'

const SRC = resolve(import.meta.dirname, '../../src')
let graph: Record<string, string[]>
let cycles: string[][]

beforeAll(async () => {
  const result = await madge(SRC, { fileExtensions: ['ts'], tsConfig: resolve(SRC, '../tsconfig.json'), detectiveOptions: { ts: { skipTypeImports: false } } })
  graph = result.obj()
  cycles = result.circular()
}, 120_000)

/** Every import of a file in `from` (entry files aside), as `file → imported`, that lands in one of `forbidden`. */
function importsInto(from: string, forbidden: readonly string[], entries: readonly string[] = []): string[] {
  return Object.entries(graph)
    .filter(([file]) => file.startsWith(from) && !entries.includes(file))
    .flatMap(([file, imports]) => imports.filter((target) => forbidden.some((folder) => target.startsWith(folder))).map((target) => `${file} → ${target}`))
}

describe('the import graph', () => {
  it('has no cycle', () => {
    expect(cycles).toEqual([])
  })

  it('internal/ is the bottom layer: it knows the error classes and nothing else of ours', () => {
    expect(importsInto('internal/', ['http/', 'protocol/', 'schemas/', 'resources/', 'catalog/', 'stores/', 'chat/', 'cli/', 'node/', 'testing/', 'client', 'events.ts', 'index.ts', 'logger.ts'])).toEqual([])
  })

  it('the HTTP layer knows no resource, store or catalog', () => {
    expect(importsInto('http/', ['resources/', 'catalog/', 'stores/', 'chat/', 'cli/', 'node/', 'testing/', 'client', 'events.ts', 'index.ts'])).toEqual([])
  })

  it('the protocol rules are pure: no resources, stores, catalog or I/O', () => {
    // protocol/index.ts is the public `ima-open-sdk/protocol` entry, which also shows the catalog: only the rule modules must be pure.
    expect(importsInto('protocol/', ['resources/', 'catalog/', 'stores/', 'chat/', 'cli/', 'node/', 'testing/', 'client', 'http/'], ['protocol/index.ts'])).toEqual([])
  })

  it('the local server shares none of the client’s rules', () => {
    expect(importsInto('testing/', ['protocol/', 'catalog/', 'resources/', 'http/', 'internal/', 'schemas/', 'chat/', 'client', 'errors.ts', 'logger.ts'])).toEqual([])
  })

  it('the core entry reaches neither the CLI, the Node-only code nor the AI SDK provider', () => {
    const reached = new Set<string>()
    const visit = (file: string) => {
      if (reached.has(file)) return
      reached.add(file)
      for (const next of graph[file] ?? []) visit(next)
    }
    visit('index.ts')
    expect([...reached].filter((file) => file.startsWith('cli/') || file.startsWith('node/') || file.startsWith('testing/') || file.startsWith('ai-sdk/') || file.startsWith('queue/'))).toEqual([])
  })

  it('the MCP server is loaded by `ima mcp` alone: no other command or entry imports it', () => {
    const importers = Object.entries(graph)
      .filter(([file, imports]) => !file.startsWith('cli/mcp/') && imports.some((target) => target.startsWith('cli/mcp/')))
      .map(([file]) => file)
    expect(importers).toEqual(['cli/commands/mcp.ts'])
  })
})
