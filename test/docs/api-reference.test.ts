/**
 * docs/api (TypeDoc, markdown) is generated from the TSDoc and must match the
 * sources: regenerate with `npm run docs:api` after changing a public type or
 * its comment. TypeDoc warnings (broken links…) fail too.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')

function listing(dir: string): Map<string, string> {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.md'))
  return new Map(files.map((file) => [file, readFileSync(join(dir, file), 'utf8')]))
}

it('docs/api is up to date with the TSDoc', () => {
  const out = join(ROOT, 'temp/api-reference')
  rmSync(out, { recursive: true, force: true })
  const result = spawnSync(join(ROOT, 'node_modules/.bin/typedoc'), ['--out', out, '--treatWarningsAsErrors', '--logLevel', 'Warn'], { cwd: ROOT, encoding: 'utf8' })
  expect(`${result.stdout}${result.stderr}`.trim()).toBe('')
  expect(result.status).toBe(0)
  const fresh = listing(out)
  const committed = listing(join(ROOT, 'docs/api'))
  expect([...committed.keys()].sort(), 'run `npm run docs:api`').toEqual([...fresh.keys()].sort())
  const stale = [...fresh].filter(([file, text]) => committed.get(file) !== text).map(([file]) => file)
  expect(stale, 'run `npm run docs:api`').toEqual([])
}, 120_000)
