/** Small helpers shared by the bench scripts: medians, timers and plain-text tables. */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

export const ROOT = resolve(import.meta.dirname, '../..')

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/** The q-quantile (0…1), interpolated between the nearest values. */
export const quantile = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (sorted.length - 1) * q
  const low = sorted[Math.floor(at)] as number
  const high = sorted[Math.ceil(at)] as number
  return low + (high - low) * (at - Math.floor(at))
}

export const fixed = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : '—')

/** `✓`/`✗` against a target, so a missed figure stands out in the printed table. */
export const verdict = (ok: boolean): string => (ok ? '✓' : '✗ MISSES')

/** Fails early with the one fix, instead of a confusing import error halfway through. */
export function requireBuild(...files: string[]): void {
  for (const file of files) {
    if (!existsSync(resolve(ROOT, file))) throw new Error(`Run \`npm run build\` first: ${file} is missing`)
  }
}

/** Prints rows as an aligned table: numbers right-aligned, text left-aligned. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[], indent = '   '): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)))
  const numeric = header.map((_, column) => rows.every((row) => /^[-+]?[\d.,]+(\s?[a-zA-Zµ%×]+)?$|^—?$/.test(row[column] ?? '')))
  const line = (cells: readonly string[]) =>
    indent +
    cells
      .map((cell, column) => (numeric[column] ? cell.padStart(widths[column] as number) : cell.padEnd(widths[column] as number)))
      .join('  ')
      .trimEnd()
  console.log(line(header))
  console.log(indent + widths.map((width) => '-'.repeat(width)).join('  '))
  for (const row of rows) console.log(line(row))
}

/** Environment for timed children: without NODE_EXTRA_CA_CERTS (~50 ms on every Node start here) or inherited flags. */
export function cleanChildEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  delete env.NODE_EXTRA_CA_CERTS
  delete env.NODE_OPTIONS
  return env
}

/**
 * The built entries, loaded by absolute URL: a bare `ima-open-sdk` would be mapped to `src/` by
 * tsconfig `paths` (which tsx follows), and a static `../dist/…` import would make `npm run
 * typecheck` need a build. Types come from `src/` through the same `paths`.
 */
export const importDist = {
  main: async () => (await import(pathToFileURL(resolve(ROOT, 'dist/index.js')).href)) as typeof import('ima-open-sdk'),
  protocol: async () => (await import(pathToFileURL(resolve(ROOT, 'dist/protocol/index.js')).href)) as typeof import('ima-open-sdk/protocol'),
  testing: async () => (await import(pathToFileURL(resolve(ROOT, 'dist/testing/index.js')).href)) as typeof import('ima-open-sdk/testing'),
  queue: async () => (await import(pathToFileURL(resolve(ROOT, 'dist/queue/index.js')).href)) as typeof import('ima-open-sdk/queue'),
}
